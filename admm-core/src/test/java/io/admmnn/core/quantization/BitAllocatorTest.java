package io.admmnn.core.quantization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BitAllocatorTest {

    /** Random layers: 1..2000 non-zeros, 0..8 index bits, candidates a random subset of 1..8, arbitrary errors. */
    private static List<LayerBitCosts> randomLayers(long seed, int count) {
        Random r = new Random(seed);
        List<LayerBitCosts> layers = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            Map<Integer, Double> errors = new TreeMap<>();
            for (int b = 1; b <= 8; b++) {
                if (errors.isEmpty() && b == 8 || r.nextInt(4) != 0) {
                    // Not necessarily decreasing in bits: the solver must not rely on monotone errors.
                    errors.put(b, r.nextDouble() * 100 / b);
                }
            }
            long nonZeros = 1 + r.nextInt(2000);
            layers.add(new LayerBitCosts("l" + l, nonZeros * (1 + r.nextInt(50)), nonZeros, r.nextInt(9), errors));
        }
        return layers;
    }

    /** Minimal error over all assignments within the budget, or +inf if none fits. */
    private static double bruteForce(List<LayerBitCosts> layers, double limit, int i, long bits, double error) {
        if (i == layers.size()) {
            return bits <= limit ? error : Double.POSITIVE_INFINITY;
        }
        double best = Double.POSITIVE_INFINITY;
        for (var option : layers.get(i).errors().entrySet()) {
            best = Math.min(best, bruteForce(layers, limit, i + 1, bits + layers.get(i).valueBits(option.getKey()),
                    error + option.getValue()));
        }
        return best;
    }

    @Property(tries = 400)
    void matchesBruteForceEnumeration(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int layerCount,
                                      @ForAll @DoubleRange(min = 0, max = 1) double budgetPosition) {
        List<LayerBitCosts> layers = randomLayers(seed, layerCount);
        double min = BitAllocator.minimumBits(layers);
        double max = layers.stream().mapToDouble(l -> l.valueBits(8) + l.indexBits()).sum();
        BitBudget budget = new BitBudget(min + budgetPosition * (max - min));

        BitAllocation a = BitAllocator.allocate(layers, budget);

        double expected = bruteForce(layers, budget.valueBitLimit(layers), 0, 0, 0);
        assertThat(a.error()).isCloseTo(expected, within(1e-9 * (1 + expected)));
        assertThat(a.totalBits()).isLessThanOrEqualTo(budget.totalBits());
        assertThat(a.layers()).hasSize(layerCount);
        long valueBits = 0;
        double error = 0;
        for (int i = 0; i < layerCount; i++) {
            BitAllocation.Layer chosen = a.layers().get(i);
            assertThat(layers.get(i).errors()).containsKey(chosen.bits());
            valueBits += chosen.valueBits();
            error += chosen.error();
        }
        assertThat(a.valueBits()).isEqualTo(valueBits);
        assertThat(a.error()).isCloseTo(error, within(1e-9 * (1 + error)));
    }

    @Test
    void givesTheBitsToTheLayerWhereTheyReduceTheErrorMost() {
        // Same size, one budget bit-width more than the minimum for one of them: the layer whose error drops more wins.
        var a = new LayerBitCosts("a", 100, 100, 0, Map.of(2, 10.0, 3, 9.0));
        var b = new LayerBitCosts("b", 100, 100, 0, Map.of(2, 10.0, 3, 1.0));
        BitAllocation alloc = BitAllocator.allocate(List.of(a, b), new BitBudget(500));
        assertThat(alloc.layers()).extracting(BitAllocation.Layer::bits).containsExactly(2, 3);
        assertThat(alloc.error()).isEqualTo(11.0);
        assertThat(alloc.valueBits()).isEqualTo(500);
    }

    @Test
    void compressionRatioBudgetCountsIndexBitsAndTooSmallABudgetIsAClearError() {
        // 1000 dense weights, 100 non-zeros with 4 index bits: 32x -> 1000 bits, 400 for indices, 600 for values.
        var l = new LayerBitCosts("fc", 1000, 100, 4, Map.of(2, 5.0, 6, 1.0, 7, 0.5));
        BitBudget budget = BitBudget.compressionRatio(32, List.of(l));
        assertThat(budget.totalBits()).isEqualTo(1000.0);
        BitAllocation alloc = BitAllocator.allocate(List.of(l), budget);
        assertThat(alloc.layers().get(0).bits()).isEqualTo(6);
        assertThat(alloc.compressionRatio(1000)).isCloseTo(32.0, within(1e-9));
        assertThatThrownBy(() -> BitAllocator.allocate(List.of(l), new BitBudget(500)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("need 600 bits");
        assertThatThrownBy(() -> BitBudget.compressionRatio(0.5, List.of(l))).hasMessageContaining(">= 1");
    }

    @Test
    void measuredErrorsComeFromTheFittedQuantizerAndShrinkWithMoreBits() {
        Random r = new Random(3);
        double[] w = new double[2000];
        for (int i = 0; i < w.length; i++) {
            w[i] = i % 4 == 0 ? r.nextGaussian() * 0.1 : 0.0; // 75 % pruned
        }
        LayerBitCosts c = LayerBitCosts.measure("fc", w, 5, new int[] {1, 2, 3, 4, 8}, 1.0);
        assertThat(c.nonZeros()).isEqualTo(500);
        assertThat(c.denseWeights()).isEqualTo(2000);
        assertThat(c.indexBits()).isEqualTo(2500.0);
        double previous = Double.POSITIVE_INFINITY;
        for (double e : c.errors().values()) {
            assertThat(e).isLessThan(previous);
            previous = e;
        }
        // 8 bits (256 levels) on a Gaussian: error far below 1 bit's.
        assertThat(c.errors().get(8)).isLessThan(c.errors().get(1) / 1000);
        LayerBitCosts weighted = LayerBitCosts.measure("fc", w, 5, new int[] {2}, 3.0);
        assertThat(weighted.errors().get(2)).isCloseTo(3 * c.errors().get(2), within(1e-12));
    }
}
