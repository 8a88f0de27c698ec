package io.admmnn.runtime.kernel;

/**
 * Computes a convolution's pre-activation for a batch of NCHW images:
 * {@code y[b, oc, oh, ow] = bias[oc] + sum_{ic,kh,kw} W[oc, ic, kh, kw] * x[b, ic, oh*s + kh*d - pad,
 * ow*s + kw*d - pad]} (zero outside the input).
 */
public interface ConvolutionKernel {

    /** Which kind of kernel this is. */
    KernelKind kind();

    /** Output channels. */
    int outChannels();

    /**
     * Writes {@code y} ({@code [batch, outChannels, outHeight, outWidth]}, its first {@code batch} images) from
     * {@code x} ({@code [batch, C, H, W]}); {@code bias} may be null.
     */
    void forward(float[] x, int batch, float[] bias, float[] y, ConvGeometry g);

    /**
     * The dense kernel over {@code weights} in row-major {@code [nOut, nIn, kH, kW]}: at stride 1 the direct
     * convolution over every weight (see {@link DirectConvolution}), at other strides im2col of each image, then
     * a vectorised product.
     */
    static ConvolutionKernel dense(int nOut, int nIn, int kH, int kW, float[] weights) {
        return new DenseConvolution(nOut, nIn, kH, kW, weights);
    }

    /**
     * The direct sparse kernel (SkimCaffe's: each non-zero weight slides over the dense input; no im2col) over the
     * filters in rows: row {@code oc} holds the non-zeros at column {@code (ic * kH + kh) * kW + kw}.
     */
    static ConvolutionKernel sparse(SparseRows filters, int kH, int kW) {
        return new SparseConvolution(filters, kH, kW);
    }
}
