package io.admmnn.runtime.kernel;

/**
 * Sparse fully connected kernel over {@code W^T} in compressed rows (one row per output). Batch 1: each output
 * is a sparse dot product {@code y[o] = bias[o] + sum_k v[k] * x[i_k]} (vector gathers). Batches: the inputs are
 * transposed to {@code [nIn, B]} in blocks of {@value #BLOCK} rows, and each weight is loaded once per block and
 * multiplied into all its batch rows at once ({@code acc[:] += v[k] * xT[i_k, :]}), vectorised over the batch.
 */
final class SparseFullyConnected implements FullyConnectedKernel {

    /** Batch rows handled per weight load. */
    static final int BLOCK = 64;

    private final SparseRows w;

    SparseFullyConnected(SparseRows weightsByOutput) {
        this.w = weightsByOutput;
    }

    @Override
    public KernelKind kind() {
        return KernelKind.SPARSE;
    }

    @Override
    public int inputs() {
        return w.columns();
    }

    @Override
    public int outputs() {
        return w.rows();
    }

    @Override
    public void forward(float[] x, int batch, float[] bias, float[] y) {
        int nIn = w.columns();
        int nOut = w.rows();
        int[] start = w.rowStart();
        int[] column = w.column();
        float[] value = w.value();
        if (batch == 1) {
            for (int o = 0; o < nOut; o++) {
                y[o] = (bias != null ? bias[o] : 0f) + Vectors.sparseDot(value, column, start[o], start[o + 1], x);
            }
            return;
        }
        float[] xT = new float[nIn * BLOCK];
        float[] acc = new float[BLOCK];
        for (int b0 = 0; b0 < batch; b0 += BLOCK) {
            int bb = Math.min(BLOCK, batch - b0);
            for (int b = 0; b < bb; b++) {
                int xOff = (b0 + b) * nIn;
                for (int i = 0; i < nIn; i++) {
                    xT[i * bb + b] = x[xOff + i];
                }
            }
            for (int o = 0; o < nOut; o++) {
                java.util.Arrays.fill(acc, 0, bb, bias != null ? bias[o] : 0f);
                for (int k = start[o]; k < start[o + 1]; k++) {
                    Vectors.axpy(value[k], xT, column[k] * bb, acc, 0, bb);
                }
                for (int b = 0; b < bb; b++) {
                    y[(b0 + b) * nOut + o] = acc[b];
                }
            }
        }
    }
}
