package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.core.tensor.NonZeros;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Unstructured per-layer sparsity: {@code S = { w : nnz(w) <= k }} with {@code k = round((1 - ratio) * n)}.
 *
 * <p>The projection keeps the k entries of largest magnitude and zeroes the rest (exact k, O(n) selection,
 * ties at the cutoff kept by lowest flat index, see {@link MagnitudeSelection}).
 *
 * @param ratio pruning ratio, the fraction of weights removed, in [0, 1); a 40x pruning is ratio 0.975
 */
public record TopKSparsity(double ratio) implements Projection {

    public TopKSparsity {
        if (!(ratio >= 0.0 && ratio < 1.0)) {
            throw new IllegalArgumentException("pruning ratio must be in [0, 1), was " + ratio);
        }
    }

    /** The sparsity set that keeps {@code 1/compression} of the weights, e.g. {@code ofCompression(40)}. */
    public static TopKSparsity ofCompression(double compression) {
        if (!(compression >= 1.0)) {
            throw new IllegalArgumentException("compression must be >= 1, was " + compression);
        }
        return new TopKSparsity(1.0 - 1.0 / compression);
    }

    /** Number of weights kept in a tensor of {@code n} elements. */
    public long keptCount(long n) {
        return Math.round((1.0 - ratio) * n);
    }

    @Override
    public void projectInPlace(INDArray v) {
        int k = Math.toIntExact(keptCount(v.length()));
        if (FlatValues.isDouble(v)) {
            double[] values = FlatValues.readDoubles(v);
            MagnitudeSelection.keepLargest(values, k);
            FlatValues.write(v, values);
        } else {
            float[] values = FlatValues.readFloats(v);
            MagnitudeSelection.keepLargest(values, k);
            FlatValues.write(v, values);
        }
    }

    @Override
    public boolean isSparsityPattern() {
        return true;
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        long nonZero = NonZeros.count(v);
        return nonZero <= keptCount(v.length());
    }

    @Override
    public String describe() {
        return String.format(java.util.Locale.ROOT, "top-k sparsity: keep %.2f%% (ratio %.4f, %.1fx)",
                100 * (1 - ratio), ratio, 1 / (1 - ratio));
    }
}
