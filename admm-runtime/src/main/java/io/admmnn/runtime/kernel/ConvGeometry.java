package io.admmnn.runtime.kernel;

/**
 * The sizes of one 2-D convolution or pooling window over one NCHW image: input {@code [C, H, W]}, kernel
 * {@code kH x kW}, stride, dilation, and the padding before the first row and column (rows and columns after the
 * input's end are implicitly zero). Output {@code [outHeight, outWidth]} per channel; output position
 * {@code (oh, ow)} reads input row {@code oh * strideH + kh * dilationH - padTop}.
 *
 * @param inChannels  C
 * @param inHeight    H (pixels)
 * @param inWidth     W (pixels)
 * @param kernelH     kH
 * @param kernelW     kW
 * @param strideH     vertical stride
 * @param strideW     horizontal stride
 * @param padTop      zero rows before the input
 * @param padLeft     zero columns before the input
 * @param dilationH   vertical dilation (1: none)
 * @param dilationW   horizontal dilation (1: none)
 * @param outHeight   output rows
 * @param outWidth    output columns
 */
public record ConvGeometry(int inChannels, int inHeight, int inWidth, int kernelH, int kernelW, int strideH,
                           int strideW, int padTop, int padLeft, int dilationH, int dilationW, int outHeight,
                           int outWidth) {

    /** Input elements per image ({@code C * H * W}). */
    public int inputSize() {
        return inChannels * inHeight * inWidth;
    }

    /** Output positions per channel ({@code outHeight * outWidth}). */
    public int outputPlane() {
        return outHeight * outWidth;
    }

    /** First output row whose window row {@code kh} lies inside the input. */
    int firstRow(int kh) {
        return Math.max(0, ceilDiv(padTop - kh * dilationH, strideH));
    }

    /** Last output row whose window row {@code kh} lies inside the input (may be below the first: none). */
    int lastRow(int kh) {
        return Math.min(outHeight - 1, Math.floorDiv(inHeight - 1 + padTop - kh * dilationH, strideH));
    }

    /** First output column whose window column {@code kw} lies inside the input. */
    int firstColumn(int kw) {
        return Math.max(0, ceilDiv(padLeft - kw * dilationW, strideW));
    }

    /** Last output column whose window column {@code kw} lies inside the input. */
    int lastColumn(int kw) {
        return Math.min(outWidth - 1, Math.floorDiv(inWidth - 1 + padLeft - kw * dilationW, strideW));
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
