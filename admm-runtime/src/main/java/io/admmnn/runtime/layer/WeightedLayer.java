package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.KernelKind;
import java.util.Optional;

/**
 * What the layers with weights share: {@code y = f(kernel(x) + b)}, with a name, the chosen kernel's kind, biases,
 * an activation and the weight counts.
 */
public abstract class WeightedLayer implements Layer {

    private final String name;
    private final String type;
    private final KernelKind kind;
    /** {@code nOut} biases, or null. */
    protected final float[] bias;
    /** Applied to the kernel's output plus bias. */
    protected final Activation activation;
    private final long weights;
    private final long nonZeros;

    /**
     * @param weights  the layer's weight positions
     * @param nonZeros the layer's non-zero weights
     */
    protected WeightedLayer(String name, String type, KernelKind kind, float[] bias, Activation activation,
                            long weights, long nonZeros) {
        this.name = name;
        this.type = type;
        this.kind = kind;
        this.bias = bias;
        this.activation = activation;
        this.weights = weights;
        this.nonZeros = nonZeros;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final Optional<KernelKind> kernel() {
        return Optional.of(kind);
    }

    @Override
    public final long weights() {
        return weights;
    }

    @Override
    public final long nonZeros() {
        return nonZeros;
    }
}
