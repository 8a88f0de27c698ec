package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.ConvGeometry;

/**
 * A sliding window as DL4J configures it (convolution or pooling): kernel, stride, padding, dilation and the
 * convolution mode. {@code Truncate}/{@code Strict}: {@code out = (in + 2 pad - effectiveKernel) / stride + 1},
 * padding as given; {@code Same}: {@code out = ceil(in / stride)}, padding {@code ((out - 1) * stride +
 * effectiveKernel - in) / 2} before, the rest after; {@code effectiveKernel = (k - 1) * dilation + 1}.
 *
 * @param kernelH   kernel rows
 * @param kernelW   kernel columns
 * @param strideH   vertical stride
 * @param strideW   horizontal stride
 * @param padH      rows of zero padding on each side (Truncate/Strict)
 * @param padW      columns of zero padding on each side (Truncate/Strict)
 * @param dilationH vertical dilation
 * @param dilationW horizontal dilation
 * @param same      whether the mode is {@code Same}
 */
public record Window(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH,
                     int dilationW, boolean same) {

    /**
     * The geometry over an input of {@code channels x height x width}.
     *
     * @throws IllegalArgumentException naming {@code layer} if the output would be empty
     */
    public ConvGeometry over(String layer, int channels, int height, int width) {
        int ekH = (kernelH - 1) * dilationH + 1;
        int ekW = (kernelW - 1) * dilationW + 1;
        int outH;
        int outW;
        int top;
        int left;
        if (same) {
            outH = (height + strideH - 1) / strideH;
            outW = (width + strideW - 1) / strideW;
            top = Math.max(0, ((outH - 1) * strideH + ekH - height) / 2);
            left = Math.max(0, ((outW - 1) * strideW + ekW - width) / 2);
        } else {
            outH = Math.floorDiv(height + 2 * padH - ekH, strideH) + 1;
            outW = Math.floorDiv(width + 2 * padW - ekW, strideW) + 1;
            top = padH;
            left = padW;
        }
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("layer " + layer + ": a " + kernelH + "x" + kernelW + " window over "
                    + height + "x" + width + " leaves no output");
        }
        return new ConvGeometry(channels, height, width, kernelH, kernelW, strideH, strideW, top, left, dilationH,
                dilationW, outH, outW);
    }

    @Override
    public String toString() {
        return kernelH + "x" + kernelW + " stride " + strideH + "x" + strideW
                + (same ? " same" : " pad " + padH + "x" + padW)
                + (dilationH != 1 || dilationW != 1 ? " dilation " + dilationH + "x" + dilationW : "");
    }
}
