package io.admmnn.runtime.kernel;

import java.util.Arrays;

/**
 * Dense convolution: the image is unrolled into columns {@code cols[k, p]} (k = (ic, kh, kw), p = (oh, ow)),
 * then {@code y[oc, :] = bias[oc] + sum_k W[oc, k] * cols[k, :]}, each term a vectorised multiply-add over the
 * output plane.
 */
final class DenseConvolution implements ConvolutionKernel {

    private final int nOut;
    private final int k;
    private final float[] w;

    DenseConvolution(int nOut, int k, float[] weights) {
        if (weights.length != nOut * k) {
            throw new IllegalArgumentException(weights.length + " weights for " + nOut + " x " + k);
        }
        this.nOut = nOut;
        this.k = k;
        this.w = weights;
    }

    @Override
    public KernelKind kind() {
        return KernelKind.DENSE;
    }

    @Override
    public int outChannels() {
        return nOut;
    }

    @Override
    public void forward(float[] x, int xOff, float[] bias, float[] y, int yOff, ConvGeometry g) {
        int plane = g.outputPlane();
        if (g.inChannels() * g.kernelH() * g.kernelW() != k) {
            throw new IllegalArgumentException("input has " + g.inChannels() + " channels, the filters "
                    + k / (g.kernelH() * g.kernelW()));
        }
        float[] cols = im2col(x, xOff, g);
        for (int oc = 0; oc < nOut; oc++) {
            int out = yOff + oc * plane;
            Arrays.fill(y, out, out + plane, bias != null ? bias[oc] : 0f);
            for (int j = 0; j < k; j++) {
                Vectors.axpy(w[oc * k + j], cols, j * plane, y, out, plane);
            }
        }
    }

    private static float[] im2col(float[] x, int xOff, ConvGeometry g) {
        int plane = g.outputPlane();
        int h = g.inHeight();
        int wd = g.inWidth();
        float[] cols = new float[g.inChannels() * g.kernelH() * g.kernelW() * plane];
        int row = 0;
        for (int ic = 0; ic < g.inChannels(); ic++) {
            for (int kh = 0; kh < g.kernelH(); kh++) {
                for (int kw = 0; kw < g.kernelW(); kw++, row++) {
                    int owLo = g.firstColumn(kw);
                    int owHi = g.lastColumn(kw);
                    for (int oh = g.firstRow(kh); oh <= g.lastRow(kh); oh++) {
                        int ih = oh * g.strideH() + kh * g.dilationH() - g.padTop();
                        int in = xOff + (ic * h + ih) * wd + kw * g.dilationW() - g.padLeft();
                        int out = row * plane + oh * g.outWidth();
                        for (int ow = owLo; ow <= owHi; ow++) {
                            cols[out + ow] = x[in + ow * g.strideW()];
                        }
                    }
                }
            }
        }
        return cols;
    }
}
