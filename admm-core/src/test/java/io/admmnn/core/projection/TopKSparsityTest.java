package io.admmnn.core.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TopKSparsityTest {

    @Provide
    Arbitrary<double[]> smallVectors() {
        // Few distinct values, so that ties at the cutoff are common.
        return Arbitraries.integers().between(-4, 4).map(i -> i * 0.5).array(double[].class).ofMinSize(1).ofMaxSize(10);
    }

    @Property(tries = 300)
    void projectionIsFeasibleIdempotentAndNearest(@ForAll("smallVectors") double[] v,
                                                  @ForAll @DoubleRange(min = 0.0, max = 0.99) double ratio) {
        TopKSparsity p = new TopKSparsity(ratio);
        INDArray x = Nd4j.createFromArray(v);
        INDArray z = p.project(x);

        assertThat(x.toDoubleVector()).containsExactly(v); // project() copies
        assertThat(p.isFeasible(z, 0)).isTrue();
        assertThat(p.project(z).toDoubleVector()).containsExactly(z.toDoubleVector());

        // Brute force: the best point with support size <= k keeps the support's values unchanged,
        // so its squared distance is the sum of squares outside the support.
        int k = (int) p.keptCount(v.length);
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < (1 << v.length); mask++) {
            if (Integer.bitCount(mask) > k) {
                continue;
            }
            double d = 0;
            for (int i = 0; i < v.length; i++) {
                if ((mask & (1 << i)) == 0) {
                    d += v[i] * v[i];
                }
            }
            best = Math.min(best, d);
        }
        assertThat(x.distance2(z) * x.distance2(z)).isCloseTo(best, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void keepsExactlyKWithLowestIndexWinningTies() {
        INDArray x = Nd4j.createFromArray(1f, -3f, 2f, 2f, -2f, 0.5f, 2f);
        INDArray z = new TopKSparsity(1 - 3.0 / 7).project(x); // k = 3
        assertThat(z.toFloatVector()).containsExactly(0f, -3f, 2f, 2f, 0f, 0f, 0f);
    }

    @Test
    void keptCountRoundsHalfUpAndRatioIsValidated() {
        assertThat(new TopKSparsity(0.975).keptCount(266_200)).isEqualTo(6655);
        assertThat(TopKSparsity.ofCompression(40).ratio()).isEqualTo(0.975);
        assertThatThrownBy(() -> new TopKSparsity(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopKSparsity(-0.1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopKSparsity(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void matchesSortReferenceOnLargeRandomArraysWithTies() {
        java.util.Random random = new java.util.Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int n = 1 + random.nextInt(50_000);
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                // Mix of wide-range and heavily tied values, both signs, including zeros and -0.
                v[i] = random.nextBoolean() ? (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4))
                        : (random.nextInt(5) - 2) * 0.25f;
            }
            int k = random.nextInt(n + 1);
            float[] actual = v.clone();
            MagnitudeSelection.keepLargest(actual, k);

            List<Integer> order = IntStream.range(0, n).boxed()
                    .sorted(Comparator.comparingDouble((Integer i) -> -Math.abs(v[i])).thenComparingInt(i -> i))
                    .toList();
            float[] expected = new float[n];
            order.subList(0, k).forEach(i -> expected[i] = v[i]);
            assertThat(actual).as("n=%d k=%d", n, k).containsExactly(expected);
        }
    }

    @Test
    void worksOnViewsInEitherOrderingAndOnDoubles() {
        float[] values = new float[24];
        for (int i = 0; i < 24; i++) {
            values[i] = i - 11; // -11 .. 12
        }
        INDArray params = Nd4j.createFromArray(values);
        INDArray fView = params.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(4, 16)).reshape('f', 3, 4);
        new TopKSparsity(0.75).projectInPlace(fView); // keep 3 of 12 (values -7 .. 4)
        assertThat(params.toFloatVector()).containsExactly(
                -11, -10, -9, -8, -7, -6, -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 6, 7, 8, 9, 10, 11, 12);

        INDArray d = Nd4j.createFromArray(new double[][]{{1e-300, -2e-300}, {3e-300, 0}});
        new TopKSparsity(0.5).projectInPlace(d);
        assertThat(d.toDoubleMatrix()).isEqualTo(new double[][]{{0, -2e-300}, {3e-300, 0}});
    }

    @Test
    void rejectsNaN() {
        assertThatThrownBy(() -> new TopKSparsity(0.5).project(Nd4j.createFromArray(1f, Float.NaN, 2f, 3f)))
                .hasMessageContaining("NaN");
    }

    @Test
    void describesItself() {
        assertThat(new TopKSparsity(0.975).describe()).contains("2.50%").contains("40.0x");
    }
}
