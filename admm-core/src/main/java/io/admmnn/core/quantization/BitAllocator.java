package io.admmnn.core.quantization;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses a bit width per layer that minimises the total quantization error under a size budget:
 * {@code min sum_l error_l(b_l)  s.t.  sum_l nonZeros_l * b_l <= valueBitLimit}, each {@code b_l} from the layer's
 * candidates.
 *
 * <p>Exact, by dynamic programming over Pareto fronts ({@link ParetoKnapsack}); the front does not grow with the
 * budget (AlexNet has 10^8 budget bits).
 */
public final class BitAllocator {

    private BitAllocator() {
    }

    /**
     * The optimal allocation.
     *
     * @throws IllegalArgumentException if even the narrowest widths exceed the budget (message names the minimum)
     */
    public static BitAllocation allocate(List<LayerBitCosts> layers, BitBudget budget) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layers to allocate bits to");
        }
        List<List<ParetoKnapsack.Option>> groups = new ArrayList<>();
        List<List<Integer>> widths = new ArrayList<>();
        for (LayerBitCosts layer : layers) {
            List<ParetoKnapsack.Option> options = new ArrayList<>();
            List<Integer> bits = new ArrayList<>();
            layer.errors().forEach((b, e) -> {
                options.add(new ParetoKnapsack.Option(layer.valueBits(b), e));
                bits.add(b);
            });
            groups.add(options);
            widths.add(bits);
        }
        ParetoKnapsack.Choice best = ParetoKnapsack.solve(groups, budget.valueBitLimit(layers));
        if (best == null) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "budget too small: %.0f bits, but the narrowest widths need %.0f bits (values and indices)",
                    budget.totalBits(), minimumBits(layers)));
        }
        List<BitAllocation.Layer> out = new ArrayList<>();
        long valueBits = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerBitCosts l = layers.get(i);
            int bits = widths.get(i).get(best.options()[i]);
            out.add(new BitAllocation.Layer(l.layer(), bits, l.nonZeros(), l.valueBits(bits), l.errors().get(bits)));
            valueBits += l.valueBits(bits);
        }
        double indexBits = layers.stream().mapToDouble(LayerBitCosts::indexBits).sum();
        return new BitAllocation(out, best.error(), valueBits, indexBits, budget.totalBits());
    }

    /** Values at each layer's narrowest candidate plus all index bits. */
    static double minimumBits(List<LayerBitCosts> layers) {
        return layers.stream().mapToDouble(l -> l.valueBits(l.errors().keySet().iterator().next()) + l.indexBits()).sum();
    }
}
