package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Uniform quantization of the non-zero weights onto {@code 2n} symmetric levels {@code +-i*q, i = 1..n},
 * {@code n = 2^(bits-1)}, as in ADMM-NN: zero is not a level, so a weight that is zero (pruned) stays zero and a
 * non-zero weight never becomes zero. Bits per stored non-zero weight: {@code bits = log2(2n)}.
 *
 * <p>Projection (for fixed q, exact and elementwise): {@code x -> sign(x) * q * clamp(round(|x|/q), 1, n)}, and
 * {@code 0 -> 0}. Ties between two levels go to the larger magnitude.
 *
 * @param bits  bits per non-zero weight, 1..16 (1 bit = binary {@code +-q})
 * @param scale the level spacing q, &gt; 0
 */
public record UniformQuantization(int bits, double scale) implements ElementwiseQuantizer {

    public UniformQuantization {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits must be in [1, 16], was " + bits);
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, was " + scale);
        }
    }

    /** Levels per sign, {@code n = 2^(bits-1)}. */
    public int levelsPerSign() {
        return 1 << (bits - 1);
    }

    /** The nearest level of {@code x} (0 for 0). */
    @Override
    public double quantize(double x) {
        return quantize(x, scale, levelsPerSign());
    }

    static double quantize(double x, double q, int n) {
        if (x == 0) {
            return 0;
        }
        long k = Math.max(1, Math.min(n, Math.round(Math.abs(x) / q)));
        return Math.copySign(k * q, x);
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "uniform quantization: %d bits, levels +-i*%.4g, i = 1..%d", bits, scale,
                levelsPerSign());
    }

    /**
     * The quantizer with the scale q that minimises the squared projection error over the <em>non-zero</em>
     * weights of {@code w} (pruned zeros must not bias it).
     *
     * <p>Method: evaluate the error on the reference code's grid ({@code [0.9a, 1.1a]}, {@code a = max|w| / n},
     * steps of {@code 0.001a}, but over non-zeros only) and on 300 log-spaced scales in {@code [0.02a, 1.2a]};
     * from the three best, alternate assignment ({@code k_j = clamp(round(|w_j|/q), 1, n)}) and the
     * least-squares scale for that assignment ({@code q = sum |w_j| k_j / sum k_j^2}) until the error stops
     * decreasing. No step increases the error, so the result is at least as good as every grid point.
     *
     * @throws IllegalArgumentException if {@code w} has no non-zero weight
     */
    public static UniformQuantization fit(INDArray w, int bits) {
        double[] values = nonZeroMagnitudes(FlatValues.readDoubles(w));
        if (values.length == 0) {
            throw new IllegalArgumentException("cannot fit a quantization scale: all weights are zero");
        }
        int n = 1 << (bits - 1);
        double max = 0;
        for (double v : values) {
            max = Math.max(max, v);
        }
        double a = max / n;
        // Candidates: the reference grid, plus a log-spaced scan down to 0.02a, because with many levels the
        // best scale often clips the largest weights (the reference grid alone missed that in our tests).
        java.util.List<Double> candidates = new java.util.ArrayList<>();
        for (int step = -100; step <= 100; step++) {
            candidates.add(a * (1 + 0.001 * step));
        }
        for (int t = 0; t < 300; t++) {
            candidates.add(a * Math.exp(Math.log(0.02) + t * (Math.log(1.2) - Math.log(0.02)) / 299));
        }
        double[] errors = candidates.stream().mapToDouble(q -> error(values, q, n)).toArray();
        Integer[] order = java.util.stream.IntStream.range(0, errors.length).boxed()
                .sorted(java.util.Comparator.comparingDouble(i -> errors[i])).toArray(Integer[]::new);
        double bestQ = candidates.get(order[0]);
        double bestError = errors[order[0]];
        for (int start = 0; start < Math.min(3, order.length); start++) {
            ScaleFit f = refine(values, candidates.get(order[start]), n, errors[order[start]]);
            if (f.error() < bestError) {
                bestError = f.error();
                bestQ = f.scale();
            }
        }
        return new UniformQuantization(bits, bestQ);
    }

    private record ScaleFit(double scale, double error) {
    }

    /** Alternates assignment and least-squares scale starting from q, while the error decreases. */
    private static ScaleFit refine(double[] values, double q, int n, double error) {
        double bestQ = q;
        double bestError = error;
        for (int iteration = 0; iteration < 100; iteration++) {
            double num = 0;
            double den = 0;
            for (double v : values) {
                long k = Math.max(1, Math.min(n, Math.round(v / bestQ)));
                num += v * k;
                den += (double) k * k;
            }
            double next = num / den;
            double e = error(values, next, n);
            if (!(e < bestError - 1e-15 * bestError)) {
                break;
            }
            bestError = e;
            bestQ = next;
        }
        return new ScaleFit(bestQ, bestError);
    }

    /** Sum of squared projection errors of non-negative {@code magnitudes} for scale q and n levels per sign. */
    static double error(double[] magnitudes, double q, int n) {
        double e = 0;
        for (double v : magnitudes) {
            double d = v - quantize(v, q, n);
            e += d * d;
        }
        return e;
    }

    private static double[] nonZeroMagnitudes(double[] values) {
        return java.util.Arrays.stream(values).filter(x -> x != 0).map(Math::abs).toArray();
    }
}
