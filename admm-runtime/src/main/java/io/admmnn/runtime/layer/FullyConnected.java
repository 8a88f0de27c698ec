package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.FullyConnectedKernel;
import io.admmnn.runtime.kernel.KernelKind;
import java.util.Optional;

/**
 * A fully connected layer ({@code DenseLayer}, {@code OutputLayer}): {@code y = f(x W + b)}, {@code W} of
 * {@code [nIn, nOut]}, run by a dense or a sparse {@link FullyConnectedKernel}. An image input is taken as its
 * flat NCHW row (DL4J's {@code CnnToFeedForwardPreProcessor}).
 */
public final class FullyConnected implements Layer {

    private final String name;
    private final String type;
    private final FullyConnectedKernel kernel;
    private final float[] bias;
    private final Activation activation;
    private final long nonZeros;

    /**
     * @param bias     {@code nOut} biases, or null
     * @param nonZeros the layer's non-zero weights
     */
    public FullyConnected(String name, String type, FullyConnectedKernel kernel, float[] bias, Activation activation,
                          long nonZeros) {
        this.name = name;
        this.type = type;
        this.kernel = kernel;
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
        return type;
    }

    @Override
    public Optional<KernelKind> kernel() {
        return Optional.of(kernel.kind());
    }

    @Override
    public long weights() {
        return (long) kernel.inputs() * kernel.outputs();
    }

    @Override
    public long nonZeros() {
        return nonZeros;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.size() != kernel.inputs()) {
            throw new IllegalArgumentException("layer " + name + " takes " + kernel.inputs() + " inputs, was given "
                    + input);
        }
        return Shape.flat(kernel.outputs());
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input) {
        outputShape(input);
        float[] y = new float[batch * kernel.outputs()];
        kernel.forward(x, batch, bias, y);
        activation.apply(y, batch, kernel.outputs());
        return y;
    }
}
