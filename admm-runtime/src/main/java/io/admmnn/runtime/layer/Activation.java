package io.admmnn.runtime.layer;

import java.util.Locale;

/**
 * An element-wise activation, or softmax over each example's features.
 *
 * @param kind  which function
 * @param alpha the negative slope of leaky ReLU (unused otherwise)
 */
public record Activation(Kind kind, float alpha) {

    /** The functions the runtime runs. */
    public enum Kind {
        /** {@code f(x) = x}. */
        IDENTITY,
        /** {@code f(x) = max(0, x)}. */
        RELU,
        /** {@code f(x) = x > 0 ? x : alpha * x}. */
        LEAKY_RELU,
        /** {@code f(x) = 1 / (1 + e^-x)}. */
        SIGMOID,
        /** {@code f(x) = tanh(x)}. */
        TANH,
        /** {@code f(x)_j = e^(x_j - max x) / sum_i e^(x_i - max x)} over one example's features. */
        SOFTMAX
    }

    /** An activation without parameters. */
    public static Activation of(Kind kind) {
        return new Activation(kind, 0f);
    }

    /** Applies the activation in place to {@code batch} rows of {@code features} values each. */
    public void apply(float[] y, int batch, int features) {
        int n = batch * features;
        switch (kind) {
            case IDENTITY -> {
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    y[i] = Math.max(0f, y[i]);
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < n; i++) {
                    y[i] = y[i] > 0f ? y[i] : alpha * y[i];
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < n; i++) {
                    y[i] = (float) (1.0 / (1.0 + Math.exp(-y[i])));
                }
            }
            case TANH -> {
                for (int i = 0; i < n; i++) {
                    y[i] = (float) Math.tanh(y[i]);
                }
            }
            case SOFTMAX -> {
                for (int b = 0; b < batch; b++) {
                    int off = b * features;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < features; j++) {
                        max = Math.max(max, y[off + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < features; j++) {
                        float e = (float) Math.exp(y[off + j] - max);
                        y[off + j] = e;
                        sum += e;
                    }
                    for (int j = 0; j < features; j++) {
                        y[off + j] = (float) (y[off + j] / sum);
                    }
                }
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + (kind == Kind.LEAKY_RELU ? "(" + alpha + ")" : "");
    }
}
