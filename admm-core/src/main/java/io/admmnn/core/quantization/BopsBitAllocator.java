package io.admmnn.core.quantization;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses weight and activation bit widths per layer that minimise the total error under a BOPs budget:
 * {@code min sum_l (ew_l(b_w,l) + ea_l(b_a,l))  s.t.  sum_l macs_l * b_w,l * b_a,l <= budget}, each width from the
 * layer's candidates, optionally restricted to powers of two (1, 2, 4, 8, 16, 32: DJPQ's restricted variant, for
 * hardware that runs only such widths). Exact ({@link ParetoKnapsack} over the layer's (b_w, b_a) pairs).
 */
public final class BopsBitAllocator {

    private BopsBitAllocator() {
    }

    /** The BOPs budget at which the layers do {@code reduction} times fewer BOPs than at 32 x 32 bits. */
    public static double budgetForReduction(List<LayerBopsCosts> layers, double reduction) {
        if (!(reduction >= 1) || Double.isInfinite(reduction)) {
            throw new IllegalArgumentException("BOPs reduction must be >= 1, was " + reduction);
        }
        return layers.stream().mapToLong(LayerBopsCosts::referenceBops).sum() / reduction;
    }

    /**
     * The optimal allocation.
     *
     * @param powerOfTwo only widths that are powers of two
     * @throws IllegalArgumentException if no candidate is left for a layer, or even the narrowest widths exceed the
     *                                  budget (the message names the minimum)
     */
    public static BopsAllocation allocate(List<LayerBopsCosts> layers, double budgetBops, boolean powerOfTwo) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layers to allocate bits to");
        }
        if (!(budgetBops > 0)) {
            throw new IllegalArgumentException("BOPs budget must be positive, was " + budgetBops);
        }
        List<List<ParetoKnapsack.Option>> groups = new ArrayList<>();
        List<List<int[]>> pairs = new ArrayList<>();
        long minimum = 0;
        for (LayerBopsCosts layer : layers) {
            List<ParetoKnapsack.Option> options = new ArrayList<>();
            List<int[]> widths = new ArrayList<>();
            long cheapest = Long.MAX_VALUE;
            for (Map.Entry<Integer, Double> w : layer.weightErrors().entrySet()) {
                for (Map.Entry<Integer, Double> a : layer.activationErrors().entrySet()) {
                    if (powerOfTwo && (Integer.bitCount(w.getKey()) != 1 || Integer.bitCount(a.getKey()) != 1)) {
                        continue;
                    }
                    long bops = layer.bops(w.getKey(), a.getKey());
                    options.add(new ParetoKnapsack.Option(bops, w.getValue() + a.getValue()));
                    widths.add(new int[]{w.getKey(), a.getKey()});
                    cheapest = Math.min(cheapest, bops);
                }
            }
            if (options.isEmpty()) {
                throw new IllegalArgumentException(layer.layer() + ": no power-of-two candidate among weight widths "
                        + layer.weightErrors().keySet() + " and activation widths " + layer.activationErrors().keySet());
            }
            minimum += cheapest;
            groups.add(options);
            pairs.add(widths);
        }
        ParetoKnapsack.Choice best = ParetoKnapsack.solve(groups, budgetBops);
        if (best == null) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "BOPs budget too small: %.0f, but the narrowest widths need %d", budgetBops, minimum));
        }
        List<BopsAllocation.Layer> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            int[] wa = pairs.get(i).get(best.options()[i]);
            LayerBopsCosts l = layers.get(i);
            out.add(new BopsAllocation.Layer(l.layer(), wa[0], wa[1], l.bops(wa[0], wa[1]),
                    l.weightErrors().get(wa[0]) + l.activationErrors().get(wa[1])));
        }
        long reference = layers.stream().mapToLong(LayerBopsCosts::referenceBops).sum();
        return new BopsAllocation(out, best.error(), best.cost(), budgetBops, reference);
    }
}
