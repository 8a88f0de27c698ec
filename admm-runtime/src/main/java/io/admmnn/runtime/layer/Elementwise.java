package io.admmnn.runtime.layer;

/**
 * A layer without weights that keeps the shape: an activation ({@code ActivationLayer}), or nothing at inference
 * ({@code DropoutLayer}: identity).
 *
 * @param name       the layer's name
 * @param type       the configuration's layer type
 * @param activation the function applied to every element (softmax: per example)
 */
public record Elementwise(String name, String type, Activation activation) implements Layer {

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input, float[] reuse) {
        float[] y = Layer.output(reuse, batch * input.size());
        System.arraycopy(x, 0, y, 0, batch * input.size());
        activation.apply(y, batch, input.size());
        return y;
    }
}
