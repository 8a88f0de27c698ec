package io.admmnn.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.NetworkShape;
import io.admmnn.hardware.plan.ChannelBopsPlanner;
import io.admmnn.hardware.plan.ChannelBopsPlanner.LayerBits;
import io.admmnn.hardware.plan.ChannelPlan;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Channel plans under a BOPs target, against brute force on a tiny network and hand counts on LeNet-5. */
class ChannelBopsPlannerTest {

    /** conv a 2->4 (3x3, 6x6 -> 4x4), conv b 4->5 (3x3, pad 1, 4x4 after it pooled to 2x2), fc c 20->6, fc d 6->3. */
    private static final NetworkShape TINY = new NetworkShape("tiny", List.of(ConvLayer.of("a", 2, 4, 3, 1, 0, 6),
            ConvLayer.of("b", 4, 5, 3, 1, 1, 4), new FcLayer("c", 20, 6), new FcLayer("d", 6, 3)));
    private static final int[] TOTAL = {4, 5, 6};
    private static final Map<String, LayerBits> TINY_BITS = Map.of("a", new LayerBits(4, 8), "b", new LayerBits(2, 4),
            "c", new LayerBits(4, 4), "d", new LayerBits(8, 4));
    /** Dense MACs 1,152 + 2,880 + 120 + 18 = 4,170, at 32 x 32 bits. */
    private static final long TINY_REFERENCE = 4_170L * 1024;

    /** BOPs written out from the shapes: positions x kernel x kept inputs x kept outputs x b_w x b_a. */
    private static long tinyBops(int a, int b, int c) {
        return 16L * 9 * 2 * a * 32 + 16L * 9 * a * b * 8 + 4L * b * c * 16 + c * 3L * 32;
    }

    private static int[] kept(ChannelPlan plan) {
        return plan.layers().stream().mapToInt(ChannelPlan.Layer::kept).toArray();
    }

    /** min over the prunable layers of kept / total, as a fraction {p, q}. */
    private static long[] minFraction(int[] k) {
        long[] min = {1, 1};
        for (int i = 0; i < TOTAL.length; i++) {
            if ((long) k[i] * min[1] < min[0] * TOTAL[i]) {
                min = new long[]{k[i], TOTAL[i]};
            }
        }
        return min;
    }

    private static int compare(long[] x, long[] y) {
        return Long.compare(x[0] * y[1], y[0] * x[1]);
    }

    @Test
    void tinyNetworkAgainstBruteForce() {
        assertThat(tinyBops(4, 5, 6)).isEqualTo(62_400L);
        Set<String> prunable = ChannelBopsPlanner.allButLast(TINY);
        assertThat(prunable).containsExactly("a", "b", "c");
        for (double minKeep : new double[]{0.01, 0.5}) {
            int[] floor = {minKeep == 0.5 ? 2 : 1, minKeep == 0.5 ? 3 : 1, minKeep == 0.5 ? 3 : 1};
            for (double r : new double[]{1, 50, 68.4, 70, 80, 100, 130, 150, 200, 250, 300, 350, 400, 405}) {
                double budget = TINY_REFERENCE / r;
                if (tinyBops(floor[0], floor[1], floor[2]) > budget) {
                    continue;
                }
                long[] best = {0, 1};
                for (int a = floor[0]; a <= 4; a++) {
                    for (int b = floor[1]; b <= 5; b++) {
                        for (int c = floor[2]; c <= 6; c++) {
                            long[] m = minFraction(new int[]{a, b, c});
                            if (tinyBops(a, b, c) <= budget && compare(m, best) > 0) {
                                best = m;
                            }
                        }
                    }
                }
                for (boolean fill : new boolean[]{false, true}) {
                    String what = "R " + r + ", minKeep " + minKeep + ", fill " + fill;
                    ChannelPlan plan = new ChannelBopsPlanner(minKeep, fill).plan(TINY, r, TINY_BITS, prunable);
                    int[] k = kept(plan);
                    assertThat(k[3]).as(what).isEqualTo(3);
                    long bops = tinyBops(k[0], k[1], k[2]);
                    assertThat(plan.bops()).as(what).isEqualTo(bops);
                    assertThat(bops).as(what).isLessThanOrEqualTo((long) Math.floor(budget));
                    assertThat(plan.referenceBops()).isEqualTo(TINY_REFERENCE);
                    assertThat(plan.reduction()).as(what).isGreaterThanOrEqualTo(r);
                    assertThat(compare(minFraction(k), best)).as(what + ": the largest smallest kept fraction").isZero();
                    for (int i = 0; i < 3; i++) {
                        assertThat(k[i]).as(what).isBetween(floor[i], TOTAL[i]);
                        if (fill) { // maximal: one more channel anywhere misses the target
                            if (k[i] < TOTAL[i]) {
                                int[] more = k.clone();
                                more[i]++;
                                assertThat(tinyBops(more[0], more[1], more[2])).as(what + ", +1 in layer " + i)
                                        .isGreaterThan((long) Math.floor(budget));
                            }
                        } else { // the fewest channels with every fraction >= the optimum
                            assertThat(compare(new long[]{k[i], TOTAL[i]}, best)).as(what).isGreaterThanOrEqualTo(0);
                            assertThat(k[i] == floor[i] || compare(new long[]{k[i] - 1, TOTAL[i]}, best) < 0)
                                    .as(what + ": layer " + i + " keeps no channel more than it needs").isTrue();
                        }
                    }
                }
            }
        }
    }

    @Test
    void lenet5At230xWith4BitWeightsAndInputs() {
        NetworkShape lenet = NetworkShape.lenet5();
        Map<String, LayerBits> bits = LayerBits.uniform(lenet, 4, 4, 4);
        // Budget 2,293,000 x 1024 / 230 = 10,208,835 BOPs = 638,052 MACs at 4 x 4 bits.
        // The largest common fraction: 0.48 keeps 10/20, 24/50, 240/500: 24x24x25x1x10 = 144,000
        // + 8x8x25x10x24 = 384,000 + 16x24x240 = 92,160 + 240x10 = 2,400 = 622,560 MACs; above 0.48 conv2 keeps 25
        // and conv1 10, ip1 241: 144,000 + 400,000 + 96,400 + 2,410 = 642,810, too many.
        ChannelPlan shared = new ChannelBopsPlanner(0.1, false).plan(lenet, 230, bits, ChannelBopsPlanner.allButLast(lenet));
        assertThat(kept(shared)).containsExactly(10, 24, 240, 10);
        assertThat(shared.bops()).isEqualTo(622_560L * 16);
        // Filling: conv2 (0.48, first of the tie) +1 costs 16,000 + 3,840 MACs more, too many; ip1 grows while
        // 528,000 + 394 x ip1 <= 638,052: ip1 = 279 (637,926 MACs); then conv1 +1 would cost 52,800 more.
        ChannelPlan filled = new ChannelBopsPlanner(0.1, true).plan(lenet, 230, bits, ChannelBopsPlanner.allButLast(lenet));
        assertThat(kept(filled)).containsExactly(10, 24, 279, 10);
        assertThat(filled.layers()).extracting(ChannelPlan.Layer::macs).containsExactly(144_000L, 384_000L, 107_136L, 2_790L);
        assertThat(filled.bops()).isEqualTo(637_926L * 16);
        assertThat(filled.reduction()).isCloseTo(2_348_032_000.0 / 10_206_816, within(1e-9)).isGreaterThanOrEqualTo(230);
        assertThat(filled.layers().get(2).ratio()).isCloseTo(1 - 279 / 500.0, within(1e-15));

        // The lead's hand plan 10/24/256: 144,000 + 384,000 + 98,304 + 2,560 = 628,864 MACs, 233.4x.
        ChannelPlan hand = ChannelBopsPlanner.evaluate(lenet, Map.of("conv1", 10, "conv2", 24, "ip1", 256), bits);
        assertThat(hand.bops()).isEqualTo(628_864L * 16);
        assertThat(hand.reduction()).isCloseTo(233.36, within(0.005));
        for (ChannelPlan.Layer l : hand.layers()) { // filter pruning keeps round((1 - ratio) x total) channels
            assertThat(Math.round((1 - l.ratio()) * l.total())).as(l.layer()).isEqualTo(l.kept());
        }
        assertThat(hand.layers().get(2).ratio()).isCloseTo(0.488, within(1e-12));

        // 8-bit input pixels: conv1 doubles to 144,000 x 32 BOPs and the rest must give way.
        ChannelPlan eightBitInput = new ChannelBopsPlanner(0.1, true).plan(lenet, 230, LayerBits.uniform(lenet, 4, 4, 8),
                ChannelBopsPlanner.allButLast(lenet));
        assertThat(eightBitInput.reduction()).isGreaterThanOrEqualTo(230);
        assertThat(eightBitInput.layers().get(0).bops()).isEqualTo(eightBitInput.layers().get(0).macs() * 32);
    }

    @Test
    void unreachableTargetsAndUnmodelledNetworksAreErrors() {
        NetworkShape lenet = NetworkShape.lenet5();
        Map<String, LayerBits> bits = LayerBits.uniform(lenet, 4, 4, 4);
        // Floors 2/5/50 at 4 x 4 bits: 28,800 + 16,000 + 4,000 + 500 = 49,300 MACs, 2,976.7x at most.
        assertThatThrownBy(() -> new ChannelBopsPlanner(0.1, true).plan(lenet, 3000, bits, ChannelBopsPlanner.allButLast(lenet)))
                .hasMessageContaining("the most is 2977x");
        assertThat(new ChannelBopsPlanner(0.1, true).plan(lenet, 2976, bits, ChannelBopsPlanner.allButLast(lenet))
                .layers()).extracting(ChannelPlan.Layer::kept).startsWith(2, 5);
        assertThatThrownBy(() -> new ChannelBopsPlanner(0.1, true).plan(lenet, 10, bits, Set.of("conv3")))
                .hasMessageContaining("no layer 'conv3'");
        NetworkShape alexnet = NetworkShape.alexnet();
        assertThatThrownBy(() -> new ChannelBopsPlanner(0.1, true).plan(alexnet, 10, LayerBits.uniform(alexnet, 4, 4, 8),
                ChannelBopsPlanner.allButLast(alexnet))).hasMessageContaining("conv2: grouped convolutions");
        assertThatThrownBy(() -> new ChannelBopsPlanner(0, true)).hasMessageContaining("(0, 1]");
    }
}
