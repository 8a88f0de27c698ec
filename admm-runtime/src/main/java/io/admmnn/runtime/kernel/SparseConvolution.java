package io.admmnn.runtime.kernel;

import java.util.Arrays;

/**
 * Direct sparse convolution (Park et al., ICLR 2017, as in SkimCaffe): for each output channel and each of its
 * non-zero weights {@code w = W[oc, ic, kh, kw]}, {@code y[oc, oh, ow] += w * x[ic, oh*s + kh*d - pad,
 * ow*s + kw*d - pad]} over the output positions whose input lies inside the image; vectorised over {@code ow}
 * for stride 1. The input is read in place (no im2col); work is proportional to the non-zeros.
 */
final class SparseConvolution implements ConvolutionKernel {

    private final SparseRows filters;
    private final int[] channel;
    private final int[] row;
    private final int[] col;

    SparseConvolution(SparseRows filters, int kH, int kW) {
        this.filters = filters;
        int n = filters.nonZeros();
        channel = new int[n];
        row = new int[n];
        col = new int[n];
        for (int k = 0; k < n; k++) {
            int c = filters.column()[k];
            channel[k] = c / (kH * kW);
            row[k] = c / kW % kH;
            col[k] = c % kW;
        }
    }

    @Override
    public KernelKind kind() {
        return KernelKind.SPARSE;
    }

    @Override
    public int outChannels() {
        return filters.rows();
    }

    @Override
    public void forward(float[] x, int xOff, float[] bias, float[] y, int yOff, ConvGeometry g) {
        int plane = g.outputPlane();
        int h = g.inHeight();
        int wd = g.inWidth();
        int sH = g.strideH();
        int sW = g.strideW();
        int[] start = filters.rowStart();
        float[] value = filters.value();
        for (int oc = 0; oc < filters.rows(); oc++) {
            int out = yOff + oc * plane;
            Arrays.fill(y, out, out + plane, bias != null ? bias[oc] : 0f);
            for (int k = start[oc]; k < start[oc + 1]; k++) {
                float v = value[k];
                int kh = row[k];
                int kw = col[k];
                int owLo = g.firstColumn(kw);
                int owHi = g.lastColumn(kw);
                if (owHi < owLo) {
                    continue;
                }
                int columnShift = kw * g.dilationW() - g.padLeft();
                for (int oh = g.firstRow(kh); oh <= g.lastRow(kh); oh++) {
                    int ih = oh * sH + kh * g.dilationH() - g.padTop();
                    int in = xOff + (channel[k] * h + ih) * wd + columnShift;
                    int o = out + oh * g.outWidth();
                    if (sW == 1) {
                        Vectors.axpy(v, x, in + owLo, y, o + owLo, owHi - owLo + 1);
                    } else {
                        for (int ow = owLo; ow <= owHi; ow++) {
                            y[o + ow] += v * x[in + ow * sW];
                        }
                    }
                }
            }
        }
    }
}
