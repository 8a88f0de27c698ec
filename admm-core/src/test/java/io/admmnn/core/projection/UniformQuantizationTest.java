package io.admmnn.core.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class UniformQuantizationTest {

    @Provide
    Arbitrary<double[]> vectors() {
        return Arbitraries.doubles().between(-3, 3).ofScale(3).array(double[].class).ofMinSize(1).ofMaxSize(12);
    }

    @Property(tries = 300)
    void projectionIsFeasibleIdempotentNearestAndKeepsTheSupport(@ForAll("vectors") double[] v,
                                                                 @ForAll @IntRange(min = 1, max = 4) int bits) {
        UniformQuantization p = new UniformQuantization(bits, 0.37);
        INDArray x = Nd4j.createFromArray(v);
        INDArray z = p.project(x);
        assertThat(p.isFeasible(z, 1e-12)).isTrue();
        assertThat(p.project(z).toDoubleVector()).containsExactly(z.toDoubleVector());
        double[] levels = levels(p);
        for (int i = 0; i < v.length; i++) {
            double zi = z.getDouble(i);
            assertThat(zi == 0).as("zero stays zero, non-zero stays non-zero").isEqualTo(v[i] == 0);
            if (v[i] != 0) {
                // Brute force: no level is closer (the set is a product, so elementwise nearest is nearest).
                for (double level : levels) {
                    assertThat(Math.abs(v[i] - zi)).isLessThanOrEqualTo(Math.abs(v[i] - level) + 1e-12);
                }
            }
        }
    }

    private static double[] levels(UniformQuantization p) {
        int n = p.levelsPerSign();
        double[] l = new double[2 * n];
        for (int i = 1; i <= n; i++) {
            l[i - 1] = i * p.scale();
            l[n + i - 1] = -i * p.scale();
        }
        return l;
    }

    @Test
    void fittedScaleIsAsGoodAsABruteForceScanAndIgnoresPrunedZeros() {
        Random random = new Random(3);
        for (int trial = 0; trial < 10; trial++) {
            int bits = 2 + trial % 3;
            double[] w = new double[400];
            for (int i = 0; i < w.length; i++) {
                w[i] = random.nextInt(4) == 0 ? random.nextGaussian() * 0.1 : 0.0; // 75 % pruned
            }
            UniformQuantization fitted = UniformQuantization.fit(Nd4j.createFromArray(w), bits);
            double[] nonZero = java.util.Arrays.stream(w).filter(x -> x != 0).map(Math::abs).toArray();
            double max = java.util.Arrays.stream(nonZero).max().orElseThrow();
            int n = 1 << (bits - 1);
            double bestScan = Double.POSITIVE_INFINITY;
            for (int s = 1; s <= 20_000; s++) {
                double q = (max / n) * (0.3 + s * (1.2 / 20_000));
                bestScan = Math.min(bestScan, UniformQuantization.error(nonZero, q, n));
            }
            double fittedError = UniformQuantization.error(nonZero, fitted.scale(), n);
            assertThat(fittedError).as("bits=%d", bits).isLessThanOrEqualTo(bestScan * (1 + 1e-3));
            // Fitting over all weights (zeros counted, as the reference code does) would move the scale:
            // the fit must not depend on how many zeros there are.
            double[] morePruned = java.util.Arrays.copyOf(w, w.length * 3);
            assertThat(UniformQuantization.fit(Nd4j.createFromArray(morePruned), bits).scale())
                    .isCloseTo(fitted.scale(), within(1e-15));
        }
    }

    @Test
    void bitsGiveTwoToTheBitsLevels() {
        assertThat(new UniformQuantization(3, 1).levelsPerSign()).isEqualTo(4);
        assertThat(new UniformQuantization(3, 1).quantize(10)).isEqualTo(4);
        assertThat(new UniformQuantization(3, 1).quantize(-0.01)).isEqualTo(-1);
        assertThat(new UniformQuantization(1, 0.5).quantize(-7)).isEqualTo(-0.5);
        assertThatThrownBy(() -> new UniformQuantization(0, 1)).hasMessageContaining("bits");
        assertThatThrownBy(() -> UniformQuantization.fit(Nd4j.zeros(3), 2)).hasMessageContaining("all weights are zero");
    }
}
