package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.FullyConnectedKernel;

/**
 * A fully connected layer ({@code DenseLayer}, {@code OutputLayer}): {@code y = f(x W + b)}, {@code W} of
 * {@code [nIn, nOut]}, run by a dense or a sparse {@link FullyConnectedKernel}. An image input is taken as its
 * flat NCHW row (DL4J's {@code CnnToFeedForwardPreProcessor}).
 */
public final class FullyConnected extends WeightedLayer {

    private final FullyConnectedKernel kernel;

    /**
     * @param bias     {@code nOut} biases, or null
     * @param nonZeros the layer's non-zero weights
     */
    public FullyConnected(String name, String type, FullyConnectedKernel kernel, float[] bias, Activation activation,
                          long nonZeros) {
        super(name, type, kernel.kind(), bias, activation, (long) kernel.inputs() * kernel.outputs(), nonZeros);
        this.kernel = kernel;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.size() != kernel.inputs()) {
            throw new IllegalArgumentException("layer " + name() + " takes " + kernel.inputs() + " inputs, was given "
                    + input);
        }
        return Shape.flat(kernel.outputs());
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input, float[] reuse) {
        outputShape(input);
        float[] y = Layer.output(reuse, batch * kernel.outputs());
        kernel.forward(x, batch, bias, y);
        activation.apply(y, batch, kernel.outputs());
        return y;
    }
}
