package io.admmnn.runtime.layer;

import io.admmnn.format.ActivationQuantization;

/**
 * The quantization of a layer's input activations, as a step before that layer: every value replaced by its
 * level {@code d * rint(clip(x, lo, qMax) / d)} ({@link ActivationQuantization}); the shape is unchanged. The
 * values are computed by the same code as in training, so they equal DL4J's fake-quantized inputs bit for bit
 * whenever the inputs are equal.
 *
 * @param name         a name for listings ("quantize input of" the layer)
 * @param quantization the quantizer
 */
public record QuantizeActivations(String name, ActivationQuantization quantization) implements Layer {

    @Override
    public String type() {
        return "ActivationQuantization(" + quantization.bits() + " bits)";
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input, float[] reuse) {
        int n = batch * input.size();
        float[] y = Layer.output(reuse, n);
        System.arraycopy(x, 0, y, 0, n);
        quantization.quantizeInPlace(y, 0, n);
        return y;
    }
}
