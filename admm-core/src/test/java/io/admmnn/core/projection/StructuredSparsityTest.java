package io.admmnn.core.projection;

import static io.admmnn.core.projection.TestArrays.checkProjection;
import static io.admmnn.core.projection.TestArrays.make;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.function.ToIntBiFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Filter, channel, column, block and N:M sparsity against brute force: every choice of kept groups (or kept
 * elements for N:M) is enumerated, using group definitions written here from the coordinates, independently
 * of the flat-index machinery under test.
 */
class StructuredSparsityTest {

    /** A small weight: shape [nIn, nOut] or [nOut, nIn, kH, kW] and its values in c order. */
    record Weight(long[] shape, double[] values) {
        int[] coordinates(int cIndex) {
            int[] c = new int[shape.length];
            for (int d = shape.length - 1; d >= 0; d--) {
                c[d] = (int) (cIndex % shape[d]);
                cIndex /= (int) shape[d];
            }
            return c;
        }

        boolean conv() {
            return shape.length == 4;
        }

        /** Column of the GEMM view: output unit for dense, (c, kh, kw) flattened for conv. */
        int matrixColumn(int[] c) {
            return conv() ? (int) ((c[1] * shape[2] + c[2]) * shape[3] + c[3]) : c[1];
        }

        int matrixColumns() {
            return conv() ? (int) (shape[1] * shape[2] * shape[3]) : (int) shape[1];
        }

        @Override
        public String toString() {
            return Arrays.toString(shape) + " " + Arrays.toString(values);
        }
    }

    static Arbitrary<Weight> weights(Arbitrary<long[]> shapes) {
        return shapes.flatMap(s -> TestArrays.weight().array(double[].class)
                .ofSize((int) Arrays.stream(s).reduce(1, (a, b) -> a * b)).map(v -> new Weight(s, v)));
    }

    @Provide
    Arbitrary<Weight> smallWeights() {
        Arbitrary<Integer> d = Arbitraries.integers().between(1, 3);
        Arbitrary<long[]> dense = Combinators.combine(Arbitraries.integers().between(1, 4), d)
                .as((a, b) -> new long[] {a, b});
        Arbitrary<long[]> conv = Combinators.combine(d, d, Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(1, 2)).as((a, b, c, e) -> new long[] {a, b, c, e});
        return weights(Arbitraries.oneOf(dense, conv));
    }

    @Provide
    Arbitrary<Weight> nmWeights() {
        Arbitrary<long[]> dense = Combinators.combine(Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 2)).as((a, b) -> new long[] {a, b});
        Arbitrary<long[]> conv = Combinators.combine(Arbitraries.integers().between(1, 2),
                Arbitraries.integers().between(1, 5), Arbitraries.integers().between(1, 2))
                .as((o, c, w) -> new long[] {o, c, 1, w}).filter(s -> s[0] * s[1] * s[3] <= 12);
        return weights(Arbitraries.oneOf(dense, conv));
    }

    /** Smallest squared error over all choices of at most k kept groups (dropping a group costs its energy). */
    static double bruteGroupMin(Weight w, ToIntBiFunction<Weight, int[]> groupOf, int groups, int k) {
        double[] energy = new double[groups];
        for (int i = 0; i < w.values.length; i++) {
            energy[groupOf.applyAsInt(w, w.coordinates(i))] += w.values[i] * w.values[i];
        }
        double best = Double.POSITIVE_INFINITY;
        for (int kept = 0; kept < (1 << groups); kept++) {
            if (Integer.bitCount(kept) <= k) {
                double error = 0;
                for (int g = 0; g < groups; g++) {
                    error += (kept & (1 << g)) == 0 ? energy[g] : 0;
                }
                best = Math.min(best, error);
            }
        }
        return best;
    }

    private static void checkGroups(Projection p, Weight w, TestArrays.Layout layout, double ratio,
                                    ToIntBiFunction<Weight, int[]> groupOf, int groups) {
        INDArray v = make(w.values, w.shape, layout);
        double[] x = TestArrays.cValues(v);
        Weight read = new Weight(w.shape, x);
        int k = (int) Math.round((1 - ratio) * groups);
        checkProjection(p, v, bruteGroupMin(read, groupOf, groups, k), layout);
    }

    @Property(tries = 200)
    void filterSparsityKeepsTheStrongestOutputUnits(@ForAll("smallWeights") Weight w,
            @ForAll @DoubleRange(min = 0, max = 0.99) double ratio, @ForAll TestArrays.Layout layout) {
        int outputs = (int) (w.conv() ? w.shape[0] : w.shape[1]);
        checkGroups(new FilterSparsity(ratio), w, layout, ratio, (x, c) -> x.conv() ? c[0] : c[1], outputs);
    }

    @Property(tries = 200)
    void channelSparsityKeepsTheStrongestInputs(@ForAll("smallWeights") Weight w,
            @ForAll @DoubleRange(min = 0, max = 0.99) double ratio, @ForAll TestArrays.Layout layout) {
        int inputs = (int) (w.conv() ? w.shape[1] : w.shape[0]);
        checkGroups(new ChannelSparsity(ratio), w, layout, ratio, (x, c) -> x.conv() ? c[1] : c[0], inputs);
    }

    @Property(tries = 200)
    void columnSparsityKeepsTheStrongestIm2colColumns(@ForAll("smallWeights") Weight w,
            @ForAll @DoubleRange(min = 0, max = 0.99) double ratio, @ForAll TestArrays.Layout layout) {
        int columns = w.conv() ? w.matrixColumns() : (int) w.shape[0];
        checkGroups(new ColumnSparsity(ratio), w, layout, ratio,
                (x, c) -> x.conv() ? x.matrixColumn(c) : c[0], columns);
    }

    @Property(tries = 200)
    void blockSparsityKeepsTheStrongestBlocks(@ForAll("smallWeights") Weight w,
            @ForAll @IntRange(min = 1, max = 3) int blockRows, @ForAll @IntRange(min = 1, max = 3) int blockCols,
            @ForAll @DoubleRange(min = 0, max = 0.99) double ratio, @ForAll TestArrays.Layout layout) {
        int gridRows = (int) ((w.shape[0] + blockRows - 1) / blockRows);
        int gridCols = (w.matrixColumns() + blockCols - 1) / blockCols;
        if (gridRows * gridCols > 14) {
            return;
        }
        checkGroups(new BlockSparsity(blockRows, blockCols, ratio), w, layout, ratio,
                (x, c) -> (c[0] / blockRows) * gridCols + x.matrixColumn(c) / blockCols, gridRows * gridCols);
    }

    /** N:M group of an element: per output unit (and kernel position), M consecutive inputs. */
    static long nmGroup(Weight w, int[] c, int m) {
        return w.conv() ? ((c[0] * w.shape[2] + c[2]) * w.shape[3] + c[3]) * 1000 + c[1] / m
                : c[1] * 1000L + c[0] / m;
    }

    @Property(tries = 200)
    void nmSparsityKeepsTheNLargestOfEveryMInputs(@ForAll("nmWeights") Weight w,
            @ForAll @IntRange(min = 1, max = 4) int m, @ForAll @IntRange(min = 1, max = 4) int n,
            @ForAll TestArrays.Layout layout) {
        if (n > m) {
            return;
        }
        INDArray v = make(w.values, w.shape, layout);
        double[] x = TestArrays.cValues(v);
        double best = Double.POSITIVE_INFINITY;
        for (int kept = 0; kept < (1 << x.length); kept++) {
            java.util.Map<Long, Integer> perGroup = new java.util.HashMap<>();
            boolean feasible = true;
            double error = 0;
            for (int i = 0; i < x.length; i++) {
                if ((kept & (1 << i)) != 0) {
                    feasible &= perGroup.merge(nmGroup(w, w.coordinates(i), m), 1, Integer::sum) <= n;
                } else {
                    error += x[i] * x[i];
                }
            }
            if (feasible) {
                best = Math.min(best, error);
            }
        }
        checkProjection(new NmSparsity(n, m), v, best, layout);
    }

    @Test
    void tiesKeepTheLowestIndex() {
        // Dense [2, 3]: three output columns of equal norm; keep round(1.5) = 2, the first two.
        INDArray dense = Nd4j.create(new double[][] {{1, -1, 1}, {1, 1, -1}});
        assertThat(new FilterSparsity(0.5).project(dense).toDoubleMatrix())
                .isEqualTo(new double[][] {{1, -1, 0}, {1, 1, 0}});
        // 2:4 along inputs, equal magnitudes: inputs 0 and 1 of each column survive.
        INDArray column = Nd4j.create(new double[][] {{2}, {-2}, {2}, {2}, {1}, {3}});
        assertThat(new NmSparsity(2, 4).project(column).toDoubleVector())
                .containsExactly(2, -2, 0, 0, 1, 3);
    }

    @Test
    void nmGroupsRunAlongInputChannelsOfEachFilterAndKernelPosition() {
        // Conv [1, 4, 1, 2]: for kernel position 0 the channels hold 1,2,3,4; for position 1, 4,3,2,1.
        INDArray conv = Nd4j.create(new double[] {1, 4, 2, 3, 3, 2, 4, 1}, new long[] {1, 4, 1, 2}, 'c');
        INDArray out = new NmSparsity(2, 4).project(conv);
        assertThat(TestArrays.cValues(out)).containsExactly(0, 4, 0, 3, 3, 0, 4, 0);
    }

    @Test
    void convGroupsFollowTheDocumentedLayout() {
        // Conv [2, 2, 1, 1]: W[o, c]. Filter 1 and channel 0 are strongest, column = channel here.
        INDArray conv = Nd4j.create(new double[] {1, 0.5, 3, 0.1}, new long[] {2, 2, 1, 1}, 'c');
        assertThat(TestArrays.cValues(new FilterSparsity(0.5).project(conv))).containsExactly(0, 0, 3, 0.1);
        assertThat(TestArrays.cValues(new ChannelSparsity(0.5).project(conv))).containsExactly(1, 0, 3, 0);
        assertThat(TestArrays.cValues(new ColumnSparsity(0.5).project(conv))).containsExactly(1, 0, 3, 0);
        // Blocks of 1x2 on the [nOut, nIn*kH*kW] = [2, 2] view: rows are filters.
        assertThat(TestArrays.cValues(new BlockSparsity(1, 2, 0.5).project(conv))).containsExactly(0, 0, 3, 0.1);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new FilterSparsity(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BlockSparsity(0, 2, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NmSparsity(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChannelSparsity(0.5).project(Nd4j.ones(3)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NmSparsity(2, 4).project(Nd4j.create(new double[][] {{Double.NaN}, {1}, {2}})))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new BlockSparsity(2, 2, 0.75).describe()).contains("2x2");
    }
}
