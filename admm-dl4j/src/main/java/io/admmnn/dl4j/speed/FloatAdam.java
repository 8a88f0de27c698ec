package io.admmnn.dl4j.speed;

import java.nio.FloatBuffer;
import java.util.List;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Adam on float arrays in native memory, the arithmetic of libnd4j's {@code adam_updater} op (what
 * {@link org.nd4j.linalg.learning.AdamUpdater} runs) in a loop the JIT vectorizes: per element
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2}, {@code g = m alpha_t / (sqrt(v) + eps)} with
 * {@code alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t)}, {@code t = iteration + 1}. On one core the op takes 0.8 ms for
 * LeNet-300-100's 266,610 parameters (its square root alone costs 1 ms through ND4J's {@code sqrt} transform);
 * this loop takes about 0.25 ms. It works through L1-sized chunks copied to and from Java arrays, because the JIT
 * vectorizes array loops but not buffer accesses.
 *
 * <p>{@link #step} fuses a whole parameter update into that one pass: the ADMM penalty gradient before Adam, the
 * frozen-weight mask after it, and {@code W -= update}, each of which otherwise is a pass of its own over the
 * parameters (two BLAS axpy calls for the penalty cost LeNet-300-100 about 9 % of its step).
 */
final class FloatAdam {

    private static final int CHUNK = 2048;

    private final float[] g = new float[CHUNK];
    private final float[] m = new float[CHUNK];
    private final float[] v = new float[CHUNK];
    private final float[] w = new float[CHUNK];
    private final float[] t = new float[CHUNK];
    private final float[] k = new float[CHUNK];

    /**
     * One parameter's stretch of an updater block, for {@link #step}: {@code n} values from {@code at} in the flat
     * parameter and gradient arrays; {@code target} ({@code Z - U}, from its first value, in the parameter's own
     * order) and {@code rho} when the ADMM penalty {@code rho (W - target)} is to be added to the gradient, else
     * null, or instead {@code target16}, the same target in bfloat16 as {@link Bf16Target#pack} lays it out;
     * {@code mask} (0/1, same order) when the update is to be masked, else null.
     */
    record Segment(int at, int n, FloatBuffer target, int[] target16, float rho, FloatBuffer mask) {
    }

    /** Adam's step size {@code alpha_t} for this iteration, as libnd4j computes it. */
    private static float alpha(Adam config, int iteration, int epoch) {
        float beta1 = (float) config.getBeta1();
        float beta2 = (float) config.getBeta2();
        float lr = (float) config.getLearningRate(iteration, epoch);
        float beta1t = (float) Math.pow(beta1, iteration + 1);
        float beta2t = (float) Math.pow(beta2, iteration + 1);
        float alpha = lr * (float) Math.sqrt(1f - beta2t) / (1f - beta1t);
        if (Float.isNaN(alpha) || Float.isInfinite(alpha) || alpha == 0) {
            alpha = (float) config.getEpsilon(); // as libnd4j does
        }
        return alpha;
    }

    /**
     * Replaces {@code n} gradient values at {@code gradient[gradientAt..]} by Adam's update and advances the moments
     * at {@code moments[mAt..]} and {@code moments[vAt..]}.
     */
    void apply(Adam config, int iteration, int epoch, FloatBuffer gradient, int gradientAt, FloatBuffer moments,
               int mAt, int vAt, int n) {
        float alpha = alpha(config, iteration, epoch);
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            gradient.get(gradientAt + start, g, 0, len);
            moments.get(mAt + start, m, 0, len);
            moments.get(vAt + start, v, 0, len);
            adam(config, alpha, len);
            gradient.put(gradientAt + start, g, 0, len);
            moments.put(mAt + start, m, 0, len);
            moments.put(vAt + start, v, 0, len);
        }
    }

    /**
     * A whole update of one updater block in one pass, segment by segment: {@code g += rho (W - target)} where a
     * segment has a target (as the two axpy calls of {@code AdmmVariable.addPenaltyGradient}: {@code rho W} added
     * first, then {@code -rho target}, each a fused multiply-add; with a bfloat16 target, the same on its rounded
     * values, {@link Bf16Target}), Adam (moments of the block from
     * {@code mAt}/{@code vAt}, the block's first parameter at {@code blockStart}), {@code update *= mask} where it
     * has a mask, and {@code W -= update}. The gradient array keeps the data-loss gradient (DL4J's would hold the
     * update afterwards; nothing reads it).
     */
    void step(Adam config, int iteration, int epoch, FloatBuffer params, FloatBuffer gradient, FloatBuffer moments,
              int mAt, int vAt, int blockStart, List<Segment> segments) {
        float alpha = alpha(config, iteration, epoch);
        for (Segment s : segments) {
            int moment = s.at - blockStart;
            for (int start = 0; start < s.n; start += CHUNK) {
                int len = Math.min(CHUNK, s.n - start);
                int at = s.at + start;
                gradient.get(at, g, 0, len);
                params.get(at, w, 0, len);
                moments.get(mAt + moment + start, m, 0, len);
                moments.get(vAt + moment + start, v, 0, len);
                if (s.target16 != null) {
                    Bf16Target.addPenalty(s.target16, s.n, start, g, w, len, s.rho);
                } else if (s.target != null) {
                    s.target.get(start, t, 0, len);
                    float rho = s.rho;
                    for (int i = 0; i < len; i++) {
                        g[i] = Math.fma(-rho, t[i], Math.fma(rho, w[i], g[i]));
                    }
                }
                adam(config, alpha, len);
                if (s.mask != null) {
                    s.mask.get(start, k, 0, len);
                    for (int i = 0; i < len; i++) {
                        g[i] *= k[i];
                    }
                }
                for (int i = 0; i < len; i++) {
                    w[i] -= g[i];
                }
                params.put(at, w, 0, len);
                moments.put(mAt + moment + start, m, 0, len);
                moments.put(vAt + moment + start, v, 0, len);
            }
        }
    }

    /** Adam on the first {@code len} values of the chunk arrays: moments advanced, {@code g} replaced by the update. */
    private void adam(Adam config, float alpha, int len) {
        float beta1 = (float) config.getBeta1();
        float beta2 = (float) config.getBeta2();
        float epsilon = (float) config.getEpsilon();
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        for (int i = 0; i < len; i++) {
            float gi = g[i];
            float mi = beta1 * m[i] + gi * oneMinusBeta1;
            float vi = beta2 * v[i] + gi * gi * oneMinusBeta2;
            m[i] = mi;
            v[i] = vi;
            g[i] = mi * alpha / ((float) Math.sqrt(vi) + epsilon);
        }
    }

    /** {@code params[at..at+n) -= update[at..at+n)}: the parameter step of a block updated by {@link #apply}. */
    void subtract(FloatBuffer params, FloatBuffer update, int at, int n) {
        for (int start = 0; start < n; start += CHUNK) {
            int len = Math.min(CHUNK, n - start);
            params.get(at + start, w, 0, len);
            update.get(at + start, g, 0, len);
            for (int i = 0; i < len; i++) {
                w[i] -= g[i];
            }
            params.put(at + start, w, 0, len);
        }
    }
}
