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
    void weightsAlreadyOnLevelsThatLeaveTheTopLevelUnusedRefitWithZeroError() {
        // Issue 17.6: values on {1, 2, 3} x 0.0862 at 3 bits (levels 1..4); the old search stopped at 1.2 max/4.
        double q = 0.0862;
        double[] w = {q, -2 * q, 3 * q, -3 * q, 2 * q, -q, 0, 3 * q, q};
        UniformQuantization fitted = UniformQuantization.fit(Nd4j.createFromArray(w), 3);
        double[] nonZero = java.util.Arrays.stream(w).filter(x -> x != 0).map(Math::abs).toArray();
        double norm = java.util.Arrays.stream(nonZero).map(x -> x * x).sum();
        assertThat(fitted.scale()).isCloseTo(q, within(1e-12));
        assertThat(UniformQuantization.error(nonZero, fitted.scale(), 4)).isLessThanOrEqualTo(1e-24 * norm);
    }

    /** Values of three kinds (on a lattice with unused top levels, arbitrary, a few repeated ones), with zeros. */
    private static Arbitrary<double[]> magnitudeMix(int maxSize) {
        Arbitrary<Double> lattice = Arbitraries.integers().between(-5, 5).map(i -> i * 0.0862);
        Arbitrary<Double> any = Arbitraries.doubles().between(-3, 3);
        Arbitrary<Double> repeated = Arbitraries.of(0.0, 1.0, -1.0, 0.25, 2.0);
        return Arbitraries.<Arbitrary<Double>>of(lattice, any, repeated)
                .flatMap(kind -> kind.array(double[].class).ofMinSize(1).ofMaxSize(maxSize))
                .filter(v -> java.util.Arrays.stream(v).anyMatch(x -> x != 0));
    }

    record Case(double[] values, int bits) {
    }

    @Provide
    Arbitrary<Case> tinyCases() {
        // Small enough to enumerate every assignment of levels: at most 4^6, 8^4 or 128^2 of them.
        return Arbitraries.of(1, 2, 3, 4, 8).flatMap(bits -> magnitudeMix(bits <= 2 ? 6 : bits == 3 ? 5 : bits == 4 ? 4 : 2)
                .map(v -> new Case(v, bits)));
    }

    @Property(tries = 400)
    void fitIsTheGlobalMinimumOverEveryAssignmentOfLevels(@ForAll("tinyCases") Case c) {
        double[] nonZero = java.util.Arrays.stream(c.values()).filter(x -> x != 0).map(Math::abs).toArray();
        int n = 1 << (c.bits() - 1);
        // Independent exact minimum: min over q of E(q) = min over assignments k of E(sum v k / sum k^2), because
        // each assignment's least-squares scale is optimal for it and the nearest levels are optimal for a scale.
        double exact = Double.POSITIVE_INFINITY;
        int[] k = new int[nonZero.length];
        java.util.Arrays.fill(k, 1);
        while (true) {
            double num = 0;
            double den = 0;
            for (int j = 0; j < k.length; j++) {
                num += nonZero[j] * k[j];
                den += (double) k[j] * k[j];
            }
            exact = Math.min(exact, UniformQuantization.error(nonZero, num / den, n));
            int j = 0;
            while (j < k.length && k[j] == n) {
                k[j++] = 1;
            }
            if (j == k.length) {
                break;
            }
            k[j]++;
        }
        double fitted = UniformQuantization.error(nonZero,
                UniformQuantization.fit(Nd4j.createFromArray(c.values()), c.bits()).scale(), n);
        double tolerance = 1e-12 * java.util.Arrays.stream(nonZero).map(x -> x * x).sum();
        assertThat(fitted).isCloseTo(exact, within(tolerance));
    }

    @Provide
    Arbitrary<Case> largerCases() {
        return Arbitraries.of(1, 2, 3, 4, 8).flatMap(bits -> magnitudeMix(60).map(v -> new Case(v, bits)));
    }

    @Property(tries = 150)
    void fitIsAtLeastAsGoodAsAFineScanRefinedByGoldenSection(@ForAll("largerCases") Case c) {
        double[] nonZero = java.util.Arrays.stream(c.values()).filter(x -> x != 0).map(Math::abs).toArray();
        int n = 1 << (c.bits() - 1);
        // Every optimal scale is sum v k / sum k^2 with 1 <= k <= n, so it lies in [min v / n, max v].
        double lo = java.util.Arrays.stream(nonZero).min().orElseThrow() / n;
        double hi = java.util.Arrays.stream(nonZero).max().orElseThrow();
        int steps = 20_000;
        double[] grid = new double[steps + 1];
        double[] errors = new double[steps + 1];
        for (int s = 0; s <= steps; s++) {
            grid[s] = lo * Math.pow(hi / lo, (double) s / steps);
            errors[s] = UniformQuantization.error(nonZero, grid[s], n);
        }
        double independent = Double.POSITIVE_INFINITY;
        for (int s = 0; s <= steps; s++) {
            independent = Math.min(independent, errors[s]);
            boolean localMinimum = (s == 0 || errors[s] <= errors[s - 1]) && (s == steps || errors[s] <= errors[s + 1]);
            if (localMinimum) {
                independent = Math.min(independent, goldenSection(nonZero, n, grid[Math.max(0, s - 1)],
                        grid[Math.min(steps, s + 1)]));
            }
        }
        double fitted = UniformQuantization.error(nonZero,
                UniformQuantization.fit(Nd4j.createFromArray(c.values()), c.bits()).scale(), n);
        double norm = java.util.Arrays.stream(nonZero).map(x -> x * x).sum();
        assertThat(fitted).isLessThanOrEqualTo(independent + 1e-12 * norm);
    }

    private static double goldenSection(double[] magnitudes, int n, double a, double b) {
        double ratio = (Math.sqrt(5) - 1) / 2;
        double best = Double.POSITIVE_INFINITY;
        for (int iteration = 0; iteration < 80; iteration++) {
            double x1 = b - ratio * (b - a);
            double x2 = a + ratio * (b - a);
            double e1 = UniformQuantization.error(magnitudes, x1, n);
            double e2 = UniformQuantization.error(magnitudes, x2, n);
            best = Math.min(best, Math.min(e1, e2));
            if (e1 <= e2) {
                b = x2;
            } else {
                a = x1;
            }
        }
        return best;
    }

    @Test
    void aSingleValueOrRepeatedValuesFitExactly() {
        for (int bits : new int[] {1, 2, 8}) {
            assertThat(UniformQuantization.error(new double[] {0.3},
                    UniformQuantization.fit(Nd4j.createFromArray(-0.3), bits).scale(), 1 << (bits - 1)))
                    .isLessThan(1e-30);
            assertThat(UniformQuantization.fit(Nd4j.createFromArray(0.5, -0.5, 0.5, 0.0), bits).quantize(-0.5))
                    .isCloseTo(-0.5, within(1e-15));
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
