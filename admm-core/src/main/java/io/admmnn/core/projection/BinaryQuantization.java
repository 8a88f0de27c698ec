package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Binarization: the nearest point of the set {@code { alpha * s : s in {-1, +1}^n, alpha >= 0 }} (the scale is part of
 * the projection). Exact solution: {@code s = sign(v)} (sign(0) = +1) and {@code alpha = mean |v|}, because
 * {@code ||v - alpha s||^2 = ||v||^2 - 2 alpha <v, s> + n alpha^2} is minimised by {@code alpha = <v, s>/n} and
 * {@code <v, s>} is largest for {@code s = sign(v)}. One bit per weight.
 */
public record BinaryQuantization() implements Projection {

    @Override
    public void projectInPlace(INDArray v) {
        double[] a = FlatValues.readDoubles(v);
        double alpha = 0;
        for (double x : a) {
            alpha += Math.abs(x);
        }
        alpha /= Math.max(1, a.length);
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i] < 0 ? -alpha : alpha;
        }
        FlatValues.write(v, a);
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        double[] a = FlatValues.readDoubles(v);
        double level = a.length == 0 ? 0 : Math.abs(a[0]);
        for (double x : a) {
            if (Math.abs(Math.abs(x) - level) > tolerance) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return "binary: alpha * sign(w), alpha = mean |w|";
    }
}
