package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.ConvGeometry;
import io.admmnn.runtime.kernel.ConvolutionKernel;
import io.admmnn.runtime.kernel.KernelKind;
import java.util.Optional;

/**
 * A 2-D convolution ({@code ConvolutionLayer}, NCHW): {@code y[oc] = f(b[oc] + sum_ic W[oc, ic] * x[ic])} with
 * {@code W} of {@code [nOut, nIn, kH, kW]}, run image by image by a dense or a direct sparse
 * {@link ConvolutionKernel}.
 */
public final class Convolution implements Layer {

    private final String name;
    private final ConvolutionKernel kernel;
    private final int inChannels;
    private final Window window;
    private final float[] bias;
    private final Activation activation;
    private final long nonZeros;

    /**
     * @param bias     {@code nOut} biases, or null
     * @param nonZeros the layer's non-zero weights
     */
    public Convolution(String name, ConvolutionKernel kernel, int inChannels, Window window, float[] bias,
                       Activation activation, long nonZeros) {
        this.name = name;
        this.kernel = kernel;
        this.inChannels = inChannels;
        this.window = window;
        this.bias = bias;
        this.activation = activation;
        this.nonZeros = nonZeros;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "ConvolutionLayer";
    }

    @Override
    public Optional<KernelKind> kernel() {
        return Optional.of(kernel.kind());
    }

    /** Input channels {@code nIn}. */
    public int inChannels() {
        return inChannels;
    }

    @Override
    public long weights() {
        return (long) kernel.outChannels() * inChannels * window.kernelH() * window.kernelW();
    }

    @Override
    public long nonZeros() {
        return nonZeros;
    }

    private ConvGeometry geometry(Shape input) {
        if (input.channels() != inChannels) {
            throw new IllegalArgumentException("layer " + name + " takes " + inChannels + " channels, was given "
                    + input);
        }
        return window.over(name, input.channels(), input.height(), input.width());
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = geometry(input);
        return new Shape(kernel.outChannels(), g.outHeight(), g.outWidth());
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input) {
        ConvGeometry g = geometry(input);
        int outSize = kernel.outChannels() * g.outputPlane();
        float[] y = new float[batch * outSize];
        for (int b = 0; b < batch; b++) {
            kernel.forward(x, b * g.inputSize(), bias, y, b * outSize, g);
        }
        activation.apply(y, batch, outSize);
        return y;
    }
}
