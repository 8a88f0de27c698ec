package io.admmnn.hardware.layer;

/**
 * A 2-D convolution: {@code outChannels} filters of {@code inChannels/groups x kernelH x kernelW} over an
 * {@code inH x inW} input. Output size {@code (in + 2*pad - kernel) / stride + 1};
 * weights {@code out * in/groups * kH * kW}; MACs {@code weights * outH * outW}.
 */
public record ConvLayer(String name, int inChannels, int outChannels, int kernelH, int kernelW, int stride, int pad,
                        int groups, int inH, int inW) implements LayerShape {

    public ConvLayer {
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(name + ": channels must be divisible by groups");
        }
        if (outH(inH, kernelH, stride, pad) <= 0 || outH(inW, kernelW, stride, pad) <= 0) {
            throw new IllegalArgumentException(name + ": kernel larger than the padded input");
        }
    }

    /** An ungrouped convolution with square kernel. */
    public static ConvLayer of(String name, int in, int out, int kernel, int stride, int pad, int inSize) {
        return new ConvLayer(name, in, out, kernel, kernel, stride, pad, 1, inSize, inSize);
    }

    private static int outH(int in, int k, int stride, int pad) {
        return (in + 2 * pad - k) / stride + 1;
    }

    public int outH() {
        return outH(inH, kernelH, stride, pad);
    }

    public int outW() {
        return outH(inW, kernelW, stride, pad);
    }

    @Override
    public long weights() {
        return (long) outChannels * (inChannels / groups) * kernelH * kernelW;
    }

    @Override
    public long macs() {
        return weights() * outH() * outW();
    }

    @Override
    public boolean isConvolution() {
        return true;
    }
}
