package io.admmnn.dl4j.speed;

import java.nio.FloatBuffer;

/**
 * The element-wise parts of a dense layer's training step, as Java loops over row-major float buffers: each is a
 * few microseconds for a 64-example batch, where an ND4J op call costs 10-60 us whatever its size.
 */
final class DenseKernels {

    private DenseKernels() {
    }

    /** {@code z[r][j] = max(z[r][j] + b[j], 0)} for a row-major {@code [rows, cols]} {@code z}; {@code b} at {@code biasAt}. */
    static void addBiasRelu(FloatBuffer z, int rows, int cols, FloatBuffer b, int biasAt) {
        for (int r = 0, k = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++, k++) {
                float v = z.get(k) + b.get(biasAt + j);
                z.put(k, v > 0f ? v : 0f);
            }
        }
    }

    /**
     * For each row of {@code z} ({@code [rows, cols]}): adds the bias, takes the softmax {@code p}, adds
     * {@code -sum(y log p)} to the returned loss (with {@code p} clipped to {@code [clipEps, 1 - clipEps]}, as
     * DL4J's LossMCXENT does for a softmax output) and leaves {@code p - y}, the gradient of the loss with respect to
     * {@code z}, in {@code z}.
     */
    static double softmaxCrossEntropy(FloatBuffer z, int rows, int cols, FloatBuffer b, int biasAt, FloatBuffer y,
                                      double clipEps) {
        double loss = 0;
        double[] e = new double[cols];
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                e[j] = z.get(row + j) + b.get(biasAt + j);
                max = Math.max(max, e[j]);
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                e[j] = Math.exp(e[j] - max);
                sum += e[j];
            }
            for (int j = 0; j < cols; j++) {
                double p = e[j] / sum;
                float label = y.get(row + j);
                if (label != 0f) {
                    double clipped = clipEps > 0 ? Math.min(Math.max(p, clipEps), 1 - clipEps) : p;
                    loss -= label * Math.log(clipped);
                }
                z.put(row + j, (float) p - label);
            }
        }
        return loss;
    }

    /** {@code g[at + j] = scale * sum_r d[r][j]} for a row-major {@code [rows, cols]} {@code d}. */
    static void columnSums(FloatBuffer d, int rows, int cols, float scale, FloatBuffer g, int at) {
        for (int j = 0; j < cols; j++) {
            g.put(at + j, 0f);
        }
        for (int r = 0, k = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++, k++) {
                g.put(at + j, g.get(at + j) + d.get(k));
            }
        }
        for (int j = 0; j < cols; j++) {
            g.put(at + j, g.get(at + j) * scale);
        }
    }

    /** {@code epsilon[k] = 0} where the ReLU output {@code a[k]} is not positive: dL/dz from dL/da, in place. */
    static void reluDerivative(FloatBuffer epsilon, FloatBuffer a, int n) {
        for (int k = 0; k < n; k++) {
            if (!(a.get(k) > 0f)) {
                epsilon.put(k, 0f);
            }
        }
    }
}
