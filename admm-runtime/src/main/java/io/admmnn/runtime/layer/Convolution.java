package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.ConvGeometry;
import io.admmnn.runtime.kernel.ConvolutionKernel;

/**
 * A 2-D convolution ({@code ConvolutionLayer}, NCHW): {@code y[oc] = f(b[oc] + sum_ic W[oc, ic] * x[ic])} with
 * {@code W} of {@code [nOut, nIn, kH, kW]}, run by a dense or a direct sparse
 * {@link ConvolutionKernel}.
 */
public final class Convolution extends WeightedLayer {

    private final ConvolutionKernel kernel;
    private final int inChannels;
    private final Window window;

    /**
     * @param bias     {@code nOut} biases, or null
     * @param nonZeros the layer's non-zero weights
     */
    public Convolution(String name, ConvolutionKernel kernel, int inChannels, Window window, float[] bias,
                       Activation activation, long nonZeros) {
        super(name, "ConvolutionLayer", kernel.kind(), bias, activation,
                (long) kernel.outChannels() * inChannels * window.kernelH() * window.kernelW(), nonZeros);
        this.kernel = kernel;
        this.inChannels = inChannels;
        this.window = window;
    }

    /** Input channels {@code nIn}. */
    public int inChannels() {
        return inChannels;
    }

    private ConvGeometry geometry(Shape input) {
        if (input.channels() != inChannels) {
            throw new IllegalArgumentException("layer " + name() + " takes " + inChannels + " channels, was given "
                    + input);
        }
        return window.over(name(), input.channels(), input.height(), input.width());
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = geometry(input);
        return new Shape(kernel.outChannels(), g.outHeight(), g.outWidth());
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input, float[] reuse) {
        ConvGeometry g = geometry(input);
        int outSize = kernel.outChannels() * g.outputPlane();
        float[] y = Layer.output(reuse, batch * outSize);
        kernel.forward(x, batch, bias, y, g);
        activation.apply(y, batch, outSize);
        return y;
    }
}
