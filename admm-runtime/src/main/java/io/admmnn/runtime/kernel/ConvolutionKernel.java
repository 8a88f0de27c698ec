package io.admmnn.runtime.kernel;

/**
 * Computes a convolution's pre-activation for one NCHW image:
 * {@code y[oc, oh, ow] = bias[oc] + sum_{ic,kh,kw} W[oc, ic, kh, kw] * x[ic, oh*s + kh*d - pad, ow*s + kw*d - pad]}
 * (zero outside the input).
 */
public interface ConvolutionKernel {

    /** Which kind of kernel this is. */
    KernelKind kind();

    /** Output channels. */
    int outChannels();

    /**
     * Writes {@code y[yOff ..]} ({@code [outChannels, outHeight, outWidth]}) from {@code x[xOff ..]}
     * ({@code [C, H, W]}); {@code bias} may be null.
     */
    void forward(float[] x, int xOff, float[] bias, float[] y, int yOff, ConvGeometry g);

    /**
     * The dense kernel (im2col of the image, then a vectorised product) over {@code weights} in row-major
     * {@code [nOut, nIn, kH, kW]}.
     */
    static ConvolutionKernel dense(int nOut, int nIn, int kH, int kW, float[] weights) {
        return new DenseConvolution(nOut, nIn * kH * kW, weights);
    }

    /**
     * The direct sparse kernel (SkimCaffe's: each non-zero weight slides over the dense input; no im2col) over the
     * filters in rows: row {@code oc} holds the non-zeros at column {@code (ic * kH + kh) * kW + kw}.
     */
    static ConvolutionKernel sparse(SparseRows filters, int kH, int kW) {
        return new SparseConvolution(filters, kH, kW);
    }
}
