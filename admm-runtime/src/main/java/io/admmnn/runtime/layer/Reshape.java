package io.admmnn.runtime.layer;

/**
 * DL4J's input preprocessors between feature vectors and NCHW images ({@code FeedForwardToCnnPreProcessor},
 * {@code CnnToFeedForwardPreProcessor}): the data is the same flat row, only its shape changes.
 *
 * @param name   a name for listings (the preprocessor's type and the layer it feeds)
 * @param target the shape after it, or null to flatten
 */
public record Reshape(String name, Shape target) implements Layer {

    @Override
    public String type() {
        return target == null ? "CnnToFeedForwardPreProcessor" : "FeedForwardToCnnPreProcessor";
    }

    @Override
    public Shape outputShape(Shape input) {
        Shape out = target == null ? Shape.flat(input.size()) : target;
        if (out.size() != input.size()) {
            throw new IllegalArgumentException(name + ": expects " + out.size() + " values per example, was given "
                    + input);
        }
        return out;
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input, float[] reuse) {
        outputShape(input);
        return x;
    }
}
