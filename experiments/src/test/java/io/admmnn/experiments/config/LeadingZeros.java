package io.admmnn.experiments.config;

import io.admmnn.core.projection.Projection;
import io.admmnn.core.tensor.FlatValues;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A user-defined constraint set, as a user would write it in their own jar (here only in the tests): the first
 * {@code k = round(ratio * n)} weights in the array's flat order are zero. Unlike any built-in set it ignores
 * magnitudes, so a test can tell that it, and not top-k, was applied.
 *
 * <p>Math: {@code Proj(v)_i = 0 for i < k, v_i otherwise} (the exact Euclidean projection onto that subspace).
 */
public final class LeadingZeros implements Projection {

    private final double ratio;

    /** @param ratio fraction of weights forced to zero, in [0, 1) */
    public LeadingZeros(double ratio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("ratio must be in [0, 1), was " + ratio);
        }
        this.ratio = ratio;
    }

    /** The fraction of weights forced to zero. */
    public double ratio() {
        return ratio;
    }

    private int zeroed(long n) {
        return Math.toIntExact(Math.round(ratio * n));
    }

    @Override
    public void projectInPlace(INDArray v) {
        double[] x = FlatValues.readDoubles(v);
        Arrays.fill(x, 0, zeroed(x.length), 0.0);
        FlatValues.write(v, x);
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        double[] x = FlatValues.readDoubles(v);
        for (int i = 0; i < zeroed(x.length); i++) {
            if (Math.abs(x[i]) > tolerance) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "leading zeros: first %.1f%% of the weights", 100 * ratio);
    }

    /** The same set at a fixed half, for the no-argument constructor path. */
    public static final class Half implements Projection {
        private final LeadingZeros half = new LeadingZeros(0.5);

        /** Zeroes the first half of the weights. */
        public Half() {
        }

        @Override
        public void projectInPlace(INDArray v) {
            half.projectInPlace(v);
        }

        @Override
        public boolean isFeasible(INDArray v, double tolerance) {
            return half.isFeasible(v, tolerance);
        }

        @Override
        public String describe() {
            return half.describe();
        }
    }
}
