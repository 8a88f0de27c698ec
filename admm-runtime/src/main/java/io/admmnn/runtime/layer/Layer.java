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

    /** The outputs for {@code batch} examples {@code x} of shape {@code input}, in a new array (or {@code x}). */
    default float[] forward(float[] x, int batch, Shape input) {
        return forward(x, batch, input, null);
    }

    /**
     * The outputs for {@code batch} examples {@code x} of shape {@code input}, written into {@code reuse} when it
     * holds at least {@code batch * outputShape(input).size()} floats (only those are written), else into a new
     * array; {@code x} is never written. A layer that leaves the data as it is returns {@code x} itself.
     *
     * @param reuse an array the caller no longer needs (not {@code x}), or null
     * @return the array holding the outputs in its first {@code batch * outputShape(input).size()} floats
     */
    float[] forward(float[] x, int batch, Shape input, float[] reuse);

    /** {@code reuse} if it holds at least {@code size} floats, else a new array of {@code size}. */
    static float[] output(float[] reuse, int size) {
        return reuse != null && reuse.length >= size ? reuse : new float[size];
    }
}
