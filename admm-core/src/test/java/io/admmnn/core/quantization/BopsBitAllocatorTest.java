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

class BopsBitAllocatorTest {

    /** Random layers: 1..100,000 MACs, weight candidates a random subset of 1..8 and 32, activations of 1..8 and 32. */
    private static List<LayerBopsCosts> randomLayers(long seed, int count) {
        Random r = new Random(seed);
        List<LayerBopsCosts> layers = new ArrayList<>();
        for (int l = 0; l < count; l++) {
            layers.add(new LayerBopsCosts("l" + l, 1 + r.nextInt(100_000), errors(r), errors(r)));
        }
        return layers;
    }

    private static Map<Integer, Double> errors(Random r) {
        Map<Integer, Double> errors = new TreeMap<>();
        for (int b : new int[]{1, 2, 3, 4, 5, 6, 7, 8, 32}) {
            if (b == 32 || r.nextInt(3) != 0) {
                errors.put(b, b == 32 ? 0.0 : r.nextDouble() * 100 / b); // not necessarily monotone
            }
        }
        return errors;
    }

    /** Minimal error over all (b_w, b_a) per layer within the budget, or +inf. */
    private static double bruteForce(List<LayerBopsCosts> layers, double budget, boolean powerOfTwo, int i, long bops,
                                     double error) {
        if (i == layers.size()) {
            return bops <= budget ? error : Double.POSITIVE_INFINITY;
        }
        LayerBopsCosts l = layers.get(i);
        double best = Double.POSITIVE_INFINITY;
        for (var w : l.weightErrors().entrySet()) {
            for (var a : l.activationErrors().entrySet()) {
                if (powerOfTwo && (Integer.bitCount(w.getKey()) != 1 || Integer.bitCount(a.getKey()) != 1)) {
                    continue;
                }
                best = Math.min(best, bruteForce(layers, budget, powerOfTwo, i + 1, bops + l.bops(w.getKey(), a.getKey()),
                        error + w.getValue() + a.getValue()));
            }
        }
        return best;
    }

    @Property(tries = 300)
    void matchesBruteForceEnumeration(@ForAll long seed, @ForAll @IntRange(min = 1, max = 3) int layerCount,
                                      @ForAll @DoubleRange(min = 1, max = 300) double reduction,
                                      @ForAll boolean powerOfTwo) {
        List<LayerBopsCosts> layers = randomLayers(seed, layerCount);
        double budget = BopsBitAllocator.budgetForReduction(layers, reduction);
        double expected = bruteForce(layers, budget, powerOfTwo, 0, 0, 0);
        if (Double.isInfinite(expected)) {
            assertThatThrownBy(() -> BopsBitAllocator.allocate(layers, budget, powerOfTwo))
                    .hasMessageContaining("budget too small");
            return;
        }
        BopsAllocation a = BopsBitAllocator.allocate(layers, budget, powerOfTwo);
        assertThat(a.error()).isCloseTo(expected, within(1e-9 * (1 + expected)));
        assertThat((double) a.bops()).isLessThanOrEqualTo(budget);
        assertThat(a.reduction()).isGreaterThanOrEqualTo(reduction * (1 - 1e-12));
        long bops = 0;
        for (int i = 0; i < layerCount; i++) {
            BopsAllocation.Layer chosen = a.layers().get(i);
            assertThat(layers.get(i).weightErrors()).containsKey(chosen.weightBits());
            assertThat(layers.get(i).activationErrors()).containsKey(chosen.activationBits());
            if (powerOfTwo) {
                assertThat(Integer.bitCount(chosen.weightBits())).isOne();
                assertThat(Integer.bitCount(chosen.activationBits())).isOne();
            }
            bops += chosen.bops();
        }
        assertThat(a.bops()).isEqualTo(bops);
    }

    @Test
    void lenet5AtFiftyTimesFewerBops() {
        // MACs of LeNet-5 (conv1 288,000, conv2 1,600,000, ip1 400,000, ip2 5,000); 2,348,032,000 BOPs at 32 x 32.
        // Errors fall with bits; conv2 has most MACs, so it gets the narrowest widths. Budget 50x: 46,960,640 BOPs.
        Map<Integer, Double> w = Map.of(2, 8.0, 3, 4.0, 4, 2.0, 8, 0.1);
        Map<Integer, Double> a = Map.of(2, 8.0, 4, 2.0, 8, 0.1);
        List<LayerBopsCosts> layers = List.of(new LayerBopsCosts("conv1", 288_000, w, a),
                new LayerBopsCosts("conv2", 1_600_000, w, a), new LayerBopsCosts("ip1", 400_000, w, a),
                new LayerBopsCosts("ip2", 5_000, w, a));
        double budget = BopsBitAllocator.budgetForReduction(layers, 50);
        assertThat(budget).isCloseTo(46_960_640.0, within(1e-6));
        BopsAllocation all = BopsBitAllocator.allocate(layers, budget, false);
        BopsAllocation pow2 = BopsBitAllocator.allocate(layers, budget, true);
        assertThat(all.reduction()).isGreaterThanOrEqualTo(50);
        assertThat(pow2.reduction()).isGreaterThanOrEqualTo(50);
        assertThat(pow2.error()).as("a restriction cannot lower the optimum").isGreaterThanOrEqualTo(all.error());
        assertThat(pow2.layers()).allSatisfy(l -> assertThat(l.weightBits()).isIn(2, 4, 8));
        // ip2 is nearly free (5,000 MACs): 8 x 8 bits cost 320,000 BOPs of the budget.
        assertThat(all.layers().get(3).weightBits()).isEqualTo(8);
        assertThat(all.layers().get(3).activationBits()).isEqualTo(8);
        assertThat(all.layers().get(1).bops()).isLessThanOrEqualTo(1_600_000L * 16);
        assertThatThrownBy(() -> BopsBitAllocator.allocate(layers, 1000, false)).hasMessageContaining("need 9172000"); // 2 x 2 bits x 2,293,000 MACs
    }

    @Test
    void floatActivationsAndImpossibleRestrictionsAreClear() {
        LayerBopsCosts fc = LayerBopsCosts.floatActivations("fc", 100, Map.of(3, 1.0, 4, 0.5));
        assertThat(fc.activationErrors()).containsOnlyKeys(32);
        BopsAllocation a = BopsBitAllocator.allocate(List.of(fc), 100 * 4 * 32, false);
        assertThat(a.layers().get(0).weightBits()).isEqualTo(4);
        assertThatThrownBy(() -> BopsBitAllocator.allocate(List.of(new LayerBopsCosts("fc", 100, Map.of(3, 1.0),
                Map.of(32, 0.0))), 1e9, true)).hasMessageContaining("fc: no power-of-two candidate");
        assertThatThrownBy(() -> BopsBitAllocator.budgetForReduction(List.of(fc), 0.5)).hasMessageContaining(">= 1");
    }
}
