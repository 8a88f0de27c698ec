package io.admmnn.runtime.kernel;

import java.util.Arrays;

/**
 * Dense convolution. Stride 1: the {@link DirectConvolution} over every weight (zeros included). Other strides:
 * each image is unrolled into columns {@code cols[k, p]} (k = (ic, kh, kw), p = (oh, ow)), then
 * {@code y[oc, :] = bias[oc] + sum_k W[oc, k] * cols[k, :]}, each term a vectorised multiply-add over the output
 * plane.
 */
final class DenseConvolution implements ConvolutionKernel {

    private final int nOut;
    private final int k;
    private final float[] w;
    private final DirectConvolution direct;

    DenseConvolution(int nOut, int nIn, int kH, int kW, float[] weights) {
        k = nIn * kH * kW;
        if (weights.length != nOut * k) {
            throw new IllegalArgumentException(weights.length + " weights for " + nOut + " x " + k);
        }
        this.nOut = nOut;
        this.w = weights;
        int[] rowStart = new int[nOut + 1];
        int[] column = new int[nOut * k];
        for (int oc = 0; oc < nOut; oc++) {
            rowStart[oc + 1] = (oc + 1) * k;
            for (int j = 0; j < k; j++) {
                column[oc * k + j] = j;
            }
        }
        direct = new DirectConvolution(nOut, nIn, kH, kW, rowStart, column, weights);
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
    public void forward(float[] x, int batch, float[] bias, float[] y, ConvGeometry g) {
        if (g.inChannels() * g.kernelH() * g.kernelW() != k) {
            throw new IllegalArgumentException("input has " + g.inChannels() + " channels, the filters "
                    + k / (g.kernelH() * g.kernelW()));
        }
        if (DirectConvolution.runs(g)) {
            direct.forward(x, batch, bias, y, g);
            return;
        }
        int plane = g.outputPlane();
        float[] cols = new float[k * plane];
        for (int b = 0; b < batch; b++) {
            im2col(x, b * g.inputSize(), g, cols);
            int yOff = b * nOut * plane;
            for (int oc = 0; oc < nOut; oc++) {
                int out = yOff + oc * plane;
                Arrays.fill(y, out, out + plane, bias != null ? bias[oc] : 0f);
                for (int j = 0; j < k; j++) {
                    Vectors.axpy(w[oc * k + j], cols, j * plane, y, out, plane);
                }
            }
        }
    }

    /** Fills {@code cols} from one image; positions whose window lies in the padding are left as they are (zero). */
    private static void im2col(float[] x, int xOff, ConvGeometry g, float[] cols) {
        int plane = g.outputPlane();
        int h = g.inHeight();
        int wd = g.inWidth();
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
    }
}
