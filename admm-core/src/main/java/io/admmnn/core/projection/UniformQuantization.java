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
     * weights of {@code w} (pruned zeros must not bias it); the minimum is global and exact up to floating-point
     * rounding, for every input.
     *
     * <p>Math: {@code E(q) = sum_j min_{k=1..n} (|w_j| - k q)^2} is piecewise quadratic in q, and the nearest level
     * of {@code |w_j|} changes from k to k+1 only at {@code q = 2|w_j|/(2k+1)}; between consecutive such
     * breakpoints the levels are fixed, so {@code E(q) = S2 - 2qA + q^2 B} with {@code A = sum |w_j| k_j},
     * {@code B = sum k_j^2}, minimised at {@code A/B} clamped to the piece.
     *
     * <p>Method: sort the magnitudes once; take the error U of a few assignment / least-squares alternations from
     * {@code max|w|/n} as an upper bound; discard the scales that provably cost more than U (below q_lo, the
     * clipping error {@code sum_{|w|>=nq} (|w|-nq)^2} alone exceeds U; above q_hi, {@code sum_{|w|<=q} (q-|w|)^2}
     * does); sweep the breakpoints in between in decreasing order (a heap over the {@code n-1} per-boundary
     * streams), updating A and B per breakpoint and keeping the best piece minimum. Cost: {@code O(m log m)} for
     * the sort plus {@code O(K log n)} for the {@code K <= m(n-1)} breakpoints in {@code [q_lo, q_hi]}; memory:
     * one array of the m non-zero magnitudes. (Measured: about 2-4 s per million non-zeros at 3 to 8 bits,
     * 40 s at 12 bits, since the breakpoints in range grow with n.)
     *
     * @throws IllegalArgumentException if {@code w} has no non-zero weight
     */
    public static UniformQuantization fit(INDArray w, int bits) {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("bits must be in [1, 16], was " + bits);
        }
        double[] values = FlatValues.readDoubles(w); // a copy: compacted and sorted in place
        int m = 0;
        for (double x : values) {
            if (x != 0) {
                values[m++] = Math.abs(x);
            }
        }
        if (m == 0) {
            throw new IllegalArgumentException("cannot fit a quantization scale: all weights are zero");
        }
        java.util.Arrays.sort(values, 0, m);
        return new UniformQuantization(bits, optimalScale(values, m, 1 << (bits - 1)));
    }

    /**
     * The scale minimising {@link #error} over {@code v[0..m)} (sorted, positive) with n levels per sign; see
     * {@link #fit}.
     */
    private static double optimalScale(double[] v, int m, int n) {
        double s1 = 0;
        double s2 = 0;
        for (int i = 0; i < m; i++) {
            s1 += v[i];
            s2 += v[i] * v[i];
        }
        // Upper bound U: alternate nearest levels and their least-squares scale from max/n.
        double bestQ = v[m - 1] / n;
        double bestError = error(v, m, bestQ, n);
        for (int iteration = 0; iteration < 10; iteration++) {
            double num = 0;
            double den = 0;
            for (int i = 0; i < m; i++) {
                long k = Math.max(1, Math.min(n, Math.round(v[i] / bestQ)));
                num += v[i] * k;
                den += (double) k * k;
            }
            double next = num / den;
            double e = error(v, m, next, n);
            if (!(e < bestError)) {
                break;
            }
            bestQ = next;
            bestError = e;
        }
        // The exclusion tests below leave margins for the rounding of U and of the running sums: a looser
        // [qLo, qHi] only costs sweep time, a tighter one could lose the minimum.
        double bound = bestError * (1 + 1e-9) + 1e-300;
        double qHi = Double.POSITIVE_INFINITY;
        double lowS1 = 0;
        double lowS2 = 0;
        for (int i = 0; i < m; i++) { // f(q) = sum_{v <= q} (q - v)^2 at q = v[i], over v[0..i)
            double x = v[i];
            double f = i * x * x - 2 * x * lowS1 + lowS2;
            if (f - 1e-8 * (i * x * x + lowS2) > bound) {
                qHi = x;
                break;
            }
            lowS1 += x;
            lowS2 += x * x;
        }
        double qLo = 0;
        double highS1 = 0;
        double highS2 = 0;
        for (int i = m - 1; i >= 0; i--) { // C(q) = sum_{v >= nq} (v - nq)^2 at q = v[i]/n, over v(i..m)
            double x = v[i];
            int count = m - 1 - i;
            double c = count * x * x - 2 * x * highS1 + highS2;
            if (c - 1e-8 * (count * x * x + highS2) > bound) {
                qLo = x / n;
                break;
            }
            highS1 += x;
            highS2 += x * x;
        }
        double sweepQ = sweep(v, m, n, qLo, qHi, s2);
        double sweepError = error(v, m, sweepQ, n);
        return sweepError < bestError ? sweepQ : bestQ;
    }

    /** Breakpoint of value v between levels k and k+1: below it, v's nearest level is at least k+1. */
    private static double breakpoint(double v, int k) {
        return v / (k + 0.5);
    }

    /** The best piece minimum among the pieces of E that meet {@code [qLo, qHi]}, swept from qHi downwards. */
    private static double sweep(double[] v, int m, int n, double qLo, double qHi, double s2) {
        int streams = n - 1;
        int[] head = new int[streams + 1]; // head[k]: largest i not yet past boundary k (-1: stream done)
        for (int k = 1; k <= streams; k++) {
            int lo = 0;
            int hi = m; // first i with breakpoint(v[i], k) >= qHi (monotone in i)
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (breakpoint(v[mid], k) >= qHi) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            head[k] = lo - 1;
        }
        // Initial levels just below qHi: k_i = 1 + #{k : head[k] < i}; head is non-decreasing in k.
        double a = 0;
        double compensation = 0;
        long b = 0;
        int passed = 0;
        for (int i = m - 1; i >= 0; i--) {
            while (passed > 0 && head[passed] >= i) {
                passed--;
            }
            while (passed < streams && head[passed + 1] < i) {
                passed++;
            }
            long k = 1 + passed;
            double y = v[i] * k - compensation;
            double t = a + y;
            compensation = (t - a) - y;
            a = t;
            b += k * k;
        }
        // Max-heap of streams by their head breakpoint.
        int[] heap = new int[streams];
        double[] key = new double[streams + 1];
        int size = 0;
        for (int k = 1; k <= streams; k++) {
            if (head[k] >= 0) {
                key[k] = breakpoint(v[head[k]], k);
                heap[size++] = k;
            }
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(heap, key, size, i);
        }
        double current = qHi;
        double bestQ = Double.NaN;
        double bestError = Double.POSITIVE_INFINITY;
        while (true) {
            double next = size == 0 ? 0 : key[heap[0]];
            double q = Math.max(next, Math.min(current, a / b));
            double e = s2 - 2 * q * a + q * q * (double) b;
            if (q > 0 && e < bestError) {
                bestError = e;
                bestQ = q;
            }
            if (size == 0 || next <= qLo) {
                return bestQ;
            }
            int k = heap[0]; // value head[k] moves from level k to k+1
            double y = v[head[k]] - compensation;
            double t = a + y;
            compensation = (t - a) - y;
            a = t;
            b += 2L * k + 1;
            head[k]--;
            if (head[k] >= 0) {
                key[k] = breakpoint(v[head[k]], k);
            } else {
                heap[0] = heap[--size];
            }
            siftDown(heap, key, size, 0);
            current = next;
        }
    }

    private static void siftDown(int[] heap, double[] key, int size, int i) {
        int item = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && key[heap[child + 1]] > key[heap[child]]) {
                child++;
            }
            if (!(key[heap[child]] > key[item])) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = item;
    }

    private static double error(double[] magnitudes, int m, double q, int n) {
        double e = 0;
        for (int i = 0; i < m; i++) {
            double d = magnitudes[i] - quantize(magnitudes[i], q, n);
            e += d * d;
        }
        return e;
    }

    /** Sum of squared projection errors of non-negative {@code magnitudes} for scale q and n levels per sign. */
    static double error(double[] magnitudes, double q, int n) {
        return error(magnitudes, magnitudes.length, q, n);
    }
}
