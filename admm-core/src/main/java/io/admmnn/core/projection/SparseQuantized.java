package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sparse and quantized at once: the exact projection onto
 * {@code { w : nnz(w) <= k, every non-zero w_j in {+-i*q, i = 1..n} }} for a fixed scale q (our extension: the
 * reference code prunes first and quantizes later). Given the support, each kept entry goes to its nearest non-zero
 * level, so keeping entry j instead of zeroing it saves {@code gain_j = v_j^2 - (v_j - round_q(v_j))^2}; the
 * projection keeps the k entries with the largest positive gains (ties: lowest flat index) and zeroes the rest.
 *
 * @param ratio     pruning ratio, k = round((1 - ratio) * n)
 * @param quantizer the levels of the kept weights
 */
public record SparseQuantized(double ratio, UniformQuantization quantizer) implements Projection {

    public SparseQuantized {
        new TopKSparsity(ratio); // validates the ratio
    }

    @Override
    public void projectInPlace(INDArray v) {
        double[] a = FlatValues.readDoubles(v);
        int k = Math.toIntExact(new TopKSparsity(ratio).keptCount(a.length));
        double[] gains = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - quantizer.quantize(a[i]);
            gains[i] = Math.max(0, a[i] * a[i] - d * d); // entries with no gain are better zero
        }
        int positive = 0;
        for (double g : gains) {
            positive += g > 0 ? 1 : 0;
        }
        boolean[] keep = MagnitudeSelection.largestMask(gains, Math.min(k, positive));
        for (int i = 0; i < a.length; i++) {
            a[i] = keep[i] ? quantizer.quantize(a[i]) : 0;
        }
        FlatValues.write(v, a);
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        return new TopKSparsity(ratio).isFeasible(v, tolerance) && quantizer.isFeasible(v, tolerance);
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "sparse + quantized (exact): keep %.2f%%, %s", 100 * (1 - ratio), quantizer.describe());
    }
}
