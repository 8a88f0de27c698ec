package io.admmnn.runtime.kernel;

/**
 * Dense fully connected kernel: per batch row, {@code y[b, :] = bias + sum_i x[b, i] * W[i, :]}, each term a
 * vectorised multiply-add over a contiguous weight row (row-major {@code [nIn, nOut]}).
 */
final class DenseFullyConnected implements FullyConnectedKernel {

    private final int nIn;
    private final int nOut;
    private final float[] w;

    DenseFullyConnected(int nIn, int nOut, float[] weights) {
        if (weights.length != nIn * nOut) {
            throw new IllegalArgumentException(weights.length + " weights for " + nIn + " x " + nOut);
        }
        this.nIn = nIn;
        this.nOut = nOut;
        this.w = weights;
    }

    @Override
    public KernelKind kind() {
        return KernelKind.DENSE;
    }

    @Override
    public int inputs() {
        return nIn;
    }

    @Override
    public int outputs() {
        return nOut;
    }

    @Override
    public void forward(float[] x, int batch, float[] bias, float[] y) {
        for (int b = 0; b < batch; b++) {
            int yOff = b * nOut;
            if (bias != null) {
                System.arraycopy(bias, 0, y, yOff, nOut);
            } else {
                java.util.Arrays.fill(y, yOff, yOff + nOut, 0f);
            }
            int xOff = b * nIn;
            for (int i = 0; i < nIn; i++) {
                Vectors.axpy(x[xOff + i], w, i * nOut, y, yOff, nOut);
            }
        }
    }
}
