package io.admmnn.runtime.kernel;

/**
 * Computes a fully connected layer's pre-activation {@code y[b, o] = bias[o] + sum_i x[b, i] * W[i, o]} for a
 * batch; {@code x} is {@code [batch, nIn]} and {@code y} {@code [batch, nOut]}, both row-major floats.
 */
public interface FullyConnectedKernel {

    /** Which kind of kernel this is. */
    KernelKind kind();

    /** Number of inputs {@code nIn}. */
    int inputs();

    /** Number of outputs {@code nOut}. */
    int outputs();

    /** Writes {@code y} (its first {@code batch * nOut} elements) from {@code x}; {@code bias} may be null. */
    void forward(float[] x, int batch, float[] bias, float[] y);

    /** The dense kernel over {@code weights[i * nOut + o] = W[i, o]} (row-major {@code [nIn, nOut]}). */
    static FullyConnectedKernel dense(int nIn, int nOut, float[] weights) {
        return new DenseFullyConnected(nIn, nOut, weights);
    }

    /** The sparse kernel over {@code W^T} in rows: row {@code o} holds the non-zeros {@code W[i, o]} at column i. */
    static FullyConnectedKernel sparse(SparseRows weightsByOutput) {
        return new SparseFullyConnected(weightsByOutput);
    }
}
