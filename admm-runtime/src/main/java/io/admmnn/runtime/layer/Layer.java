package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.KernelKind;
import java.util.Optional;

/**
 * One step of a network at inference: maps a batch of examples {@code [batch, in.size()]} to
 * {@code [batch, outputShape(in).size()]}, both flat row-major float arrays.
 */
public interface Layer {

    /** The layer's name in the network (its index when it has none). */
    String name();

    /** The configuration's layer type, e.g. {@code ConvolutionLayer}. */
    String type();

    /** The kernel this layer runs, for layers with weights; empty for the others. */
    default Optional<KernelKind> kernel() {
        return Optional.empty();
    }

    /** Weight positions (0 for layers without weights). */
    default long weights() {
        return 0;
    }

    /** Non-zero weights (0 for layers without weights). */
    default long nonZeros() {
        return 0;
    }

    /**
     * The output shape for {@code input}.
     *
     * @throws IllegalArgumentException naming the layer if it cannot take that input
     */
    Shape outputShape(Shape input);

    /** The outputs for {@code batch} examples {@code x} of shape {@code input}. */
    float[] forward(float[] x, int batch, Shape input);
}
