package io.admmnn.core.projection;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Binary, ternary, power-of-two and sparse+quantized projections: feasible, idempotent, nearest (brute force). */
class QuantizerProjectionsTest {

    private static final double EPS = 1e-9;

    @Provide
    Arbitrary<double[]> small() {
        return Arbitraries.doubles().between(-2, 2).ofScale(2).array(double[].class).ofMinSize(1).ofMaxSize(6);
    }

    private static double distance2(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return d;
    }

    private static double[] check(Projection p, double[] v) {
        INDArray z = p.project(Nd4j.createFromArray(v));
        assertThat(p.isFeasible(z, 1e-9)).as("feasible").isTrue();
        assertThat(p.project(z).toDoubleVector()).as("idempotent").containsExactly(z.toDoubleVector(),
                org.assertj.core.data.Offset.offset(1e-12));
        return z.toDoubleVector();
    }

    /** Best distance over sign patterns s in {-1, (0,) +1}^n with the optimal alpha >= 0 for each. */
    private static double bruteForceScaled(double[] v, boolean allowZero) {
        int base = allowZero ? 3 : 2;
        int patterns = (int) Math.pow(base, v.length);
        double best = Double.POSITIVE_INFINITY;
        for (int code = 0; code < patterns; code++) {
            double[] s = new double[v.length];
            int c = code;
            for (int i = 0; i < v.length; i++) {
                int digit = c % base;
                c /= base;
                s[i] = allowZero ? digit - 1 : (digit == 0 ? -1 : 1);
            }
            double dot = 0;
            double norm = 0;
            for (int i = 0; i < v.length; i++) {
                dot += v[i] * s[i];
                norm += s[i] * s[i];
            }
            double alpha = norm == 0 ? 0 : Math.max(0, dot / norm);
            double[] z = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                z[i] = alpha * s[i];
            }
            best = Math.min(best, distance2(v, z));
        }
        return best;
    }

    @Property(tries = 200)
    void binaryIsTheNearestScaledSignVector(@ForAll("small") double[] v) {
        double[] z = check(new BinaryQuantization(), v);
        assertThat(distance2(v, z)).isLessThanOrEqualTo(bruteForceScaled(v, false) + EPS);
    }

    @Property(tries = 200)
    void ternaryIsTheNearestScaledTernaryVector(@ForAll("small") double[] v) {
        double[] z = check(new TernaryQuantization(), v);
        assertThat(distance2(v, z)).isLessThanOrEqualTo(bruteForceScaled(v, true) + EPS);
    }

    @Property(tries = 200)
    void powerOfTwoLevelsRoundToTheNearestLevelAndKeepTheSupport(@ForAll("small") double[] v) {
        PowerOfTwoLevels p = new PowerOfTwoLevels(1.5, 4);
        double[] z = check(p, v);
        for (int i = 0; i < v.length; i++) {
            assertThat(z[i] == 0).isEqualTo(v[i] == 0);
            for (int j = 0; j < 4 && v[i] != 0; j++) {
                double level = Math.copySign(1.5 / (1 << j), v[i]);
                assertThat(Math.abs(v[i] - z[i])).isLessThanOrEqualTo(Math.abs(v[i] - level) + EPS);
                assertThat(Math.abs(v[i] - z[i])).isLessThanOrEqualTo(Math.abs(v[i] + level) + EPS);
            }
        }
    }

    @Property(tries = 200)
    void sparseQuantizedIsTheNearestPointOfTheIntersection(@ForAll("small") double[] v,
                                                           @ForAll @DoubleRange(min = 0, max = 0.9) double ratio) {
        UniformQuantization q = new UniformQuantization(2, 0.4);
        SparseQuantized p = new SparseQuantized(ratio, q);
        double[] z = check(p, v);
        int k = (int) new TopKSparsity(ratio).keptCount(v.length);
        double best = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < (1 << v.length); mask++) {
            if (Integer.bitCount(mask) > k) {
                continue;
            }
            double[] candidate = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                if ((mask & (1 << i)) != 0) {
                    // the nearest non-zero level (brute force over the 4 levels)
                    double bestLevel = 0;
                    for (int level = -2; level <= 2; level++) {
                        if (level != 0 && (bestLevel == 0 || Math.abs(v[i] - level * 0.4) < Math.abs(v[i] - bestLevel))) {
                            bestLevel = level * 0.4;
                        }
                    }
                    candidate[i] = bestLevel;
                }
            }
            best = Math.min(best, distance2(v, candidate));
        }
        assertThat(distance2(v, z)).isLessThanOrEqualTo(best + EPS);
    }
}
