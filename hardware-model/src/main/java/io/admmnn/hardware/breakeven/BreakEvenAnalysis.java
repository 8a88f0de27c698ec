package io.admmnn.hardware.breakeven;

import io.admmnn.hardware.cost.IndexFormat;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.List;

/**
 * Break-even pruning ratios: the smallest pruning ratio r = weights / kept at which a layer's sparse form
 * <em>beats</em> (is no worse than) its dense form.
 *
 * <ul>
 *   <li>compute: {@code profile.sparseOverDenseTime(layer, 1/r) <= 1};</li>
 *   <li>storage: {@code (kept + fillers) * b_w + index bits <= weights * b_w}; without fillers
 *   {@code r* = 1 + b_idx / b_w} (5-bit weights with 4-bit relative indices: 1.8x).</li>
 * </ul>
 * Both are found by bisection on the kept fraction; NaN means the sparse form never wins.
 */
public final class BreakEvenAnalysis {

    private BreakEvenAnalysis() {
    }

    /** Break-even ratios of one layer (compute, storage); NaN where sparse never wins. */
    public record LayerBreakEven(String layer, double compute, double storage) {
    }

    public static List<LayerBreakEven> of(NetworkShape network, HardwareProfile profile, int weightBits, IndexFormat index) {
        List<LayerBreakEven> result = new ArrayList<>();
        network.layers().forEach(l -> result.add(of(l, profile, weightBits, index)));
        return result;
    }

    public static LayerBreakEven of(LayerShape layer, HardwareProfile profile, int weightBits, IndexFormat index) {
        double compute = largestWinningKept(k -> profile.sparseOverDenseTime(layer, k) <= 1.0, layer);
        double storage = largestWinningKept(k -> {
            long kept = Math.max(1, Math.round(k * layer.weights()));
            IndexFormat.IndexCost c = index.expected(layer, kept);
            return (kept + c.fillerEntries()) * weightBits + c.indexBits() <= (double) layer.weights() * weightBits;
        }, layer);
        return new LayerBreakEven(layer.name(), 1 / compute, 1 / storage);
    }

    /** The largest kept fraction at which {@code wins} holds (NaN if it holds nowhere above 1/weights). */
    private static double largestWinningKept(java.util.function.DoublePredicate wins, LayerShape layer) {
        double low = 1.0 / layer.weights();
        if (!wins.test(low)) {
            return Double.NaN;
        }
        double high = 1.0;
        if (wins.test(high)) {
            return 1.0;
        }
        for (int i = 0; i < 60; i++) {
            double mid = Math.sqrt(low * high);
            if (wins.test(mid)) {
                low = mid;
            } else {
                high = mid;
            }
        }
        return low;
    }
}
