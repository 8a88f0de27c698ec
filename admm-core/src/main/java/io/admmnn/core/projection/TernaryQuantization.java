package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Ternarization: the nearest point of {@code { alpha * s : s in {-1, 0, +1}^n, alpha >= 0 }}. For a support of size
 * k the best choice keeps the k largest magnitudes with {@code alpha = mean of those |v|}, leaving the error
 * {@code ||v||^2 - (sum of the k largest |v|)^2 / k}; the projection takes the k that maximises
 * {@code (S_k)^2 / k}. This is the exact form of the threshold rule (keep |v| above a threshold, refit alpha).
 * Ties at the cut keep the lowest flat index. About 1.58 bits per weight.
 */
public record TernaryQuantization() implements Projection {

    @Override
    public void projectInPlace(INDArray v) {
        double[] a = FlatValues.readDoubles(v);
        double[] magnitudes = Arrays.stream(a).map(Math::abs).toArray();
        double[] sorted = magnitudes.clone();
        Arrays.sort(sorted);
        int bestK = 0;
        double bestGain = 0;
        double sum = 0;
        for (int k = 1; k <= sorted.length; k++) {
            sum += sorted[sorted.length - k];
            double gain = sum * sum / k;
            if (gain > bestGain) {
                bestGain = gain;
                bestK = k;
            }
        }
        boolean[] keep = MagnitudeSelection.largestMask(magnitudes, bestK);
        double alpha = 0;
        for (int i = 0; i < a.length; i++) {
            alpha += keep[i] ? magnitudes[i] : 0;
        }
        alpha = bestK == 0 ? 0 : alpha / bestK;
        for (int i = 0; i < a.length; i++) {
            a[i] = keep[i] ? Math.copySign(alpha, a[i]) : 0;
        }
        FlatValues.write(v, a);
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        double level = -1;
        for (double x : FlatValues.readDoubles(v)) {
            if (Math.abs(x) <= tolerance) {
                continue;
            }
            if (level < 0) {
                level = Math.abs(x);
            } else if (Math.abs(Math.abs(x) - level) > tolerance) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return "ternary: alpha * {-1, 0, +1}, support and alpha chosen jointly (exact)";
    }
}
