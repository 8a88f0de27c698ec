package io.admmnn.core.quantization;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses a bit width per layer that minimises the total quantization error under a size budget:
 * {@code min sum_l error_l(b_l)  s.t.  sum_l nonZeros_l * b_l <= valueBitLimit}, each {@code b_l} from the layer's
 * candidates.
 *
 * <p>Exact, by dynamic programming over Pareto fronts: after layers 1..i the solver keeps every partial assignment
 * whose (value bits, error) no other partial assignment beats in both. An optimal full assignment's prefix can
 * always be swapped for a front member that costs no more bits and no more error, so the optimum survives. The
 * front has at most one entry per distinct bit total and, for real networks (few layers, 8 widths), stays small;
 * unlike a table over all budget values it does not grow with the budget (AlexNet has 10^8 budget bits).
 */
public final class BitAllocator {

    private BitAllocator() {
    }

    /** A partial assignment: its bit total, error, and the chain of choices back to the first layer. */
    private record State(long bits, double error, State parent, int choice) {
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
        double limit = budget.valueBitLimit(layers);
        List<State> front = List.of(new State(0, 0.0, null, 0));
        for (LayerBitCosts layer : layers) {
            List<State> next = new ArrayList<>();
            for (State s : front) {
                for (Map.Entry<Integer, Double> option : layer.errors().entrySet()) {
                    long bits = s.bits() + layer.valueBits(option.getKey());
                    if (bits <= limit) {
                        next.add(new State(bits, s.error() + option.getValue(), s, option.getKey()));
                    }
                }
            }
            if (next.isEmpty()) {
                throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                        "budget too small: %.0f bits, but the narrowest widths need %.0f bits (values and indices)",
                        budget.totalBits(), minimumBits(layers)));
            }
            front = paretoFront(next);
        }
        State best = front.stream().min(Comparator.comparingDouble(State::error)).orElseThrow();
        return toAllocation(layers, best, budget);
    }

    /** Keeps the states not beaten in both bits and error (equal pairs: the first in candidate order). */
    private static List<State> paretoFront(List<State> states) {
        List<State> sorted = new ArrayList<>(states);
        sorted.sort(Comparator.comparingLong(State::bits).thenComparingDouble(State::error));
        List<State> front = new ArrayList<>();
        double bestError = Double.POSITIVE_INFINITY;
        for (State s : sorted) {
            if (s.error() < bestError) {
                front.add(s);
                bestError = s.error();
            }
        }
        return front;
    }

    private static BitAllocation toAllocation(List<LayerBitCosts> layers, State best, BitBudget budget) {
        int[] bits = new int[layers.size()];
        State s = best;
        for (int i = layers.size() - 1; i >= 0; i--) {
            bits[i] = s.choice();
            s = s.parent();
        }
        List<BitAllocation.Layer> out = new ArrayList<>();
        long valueBits = 0;
        for (int i = 0; i < bits.length; i++) {
            LayerBitCosts l = layers.get(i);
            out.add(new BitAllocation.Layer(l.layer(), bits[i], l.nonZeros(), l.valueBits(bits[i]), l.errors().get(bits[i])));
            valueBits += l.valueBits(bits[i]);
        }
        double indexBits = layers.stream().mapToDouble(LayerBitCosts::indexBits).sum();
        return new BitAllocation(out, best.error(), valueBits, indexBits, budget.totalBits());
    }

    /** Values at each layer's narrowest candidate plus all index bits. */
    static double minimumBits(List<LayerBitCosts> layers) {
        return layers.stream().mapToDouble(l -> l.valueBits(l.errors().keySet().iterator().next()) + l.indexBits()).sum();
    }
}
