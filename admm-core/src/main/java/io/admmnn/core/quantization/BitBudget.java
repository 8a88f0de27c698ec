package io.admmnn.core.quantization;

import java.util.List;

/**
 * A model-size budget for the constrained layers, in bits: value bits plus index bits must not exceed
 * {@code totalBits}. Index bits do not depend on the value width, so the budget left for values is
 * {@code totalBits - sum_l nonZeros_l * indexBitsPerNonZero_l}.
 *
 * @param totalBits bits allowed for values and indices of all layers together
 */
public record BitBudget(double totalBits) {

    public BitBudget {
        if (!(totalBits > 0) || Double.isInfinite(totalBits)) {
            throw new IllegalArgumentException("budget must be positive and finite, was " + totalBits + " bits");
        }
    }

    /** A budget of {@code bytes} bytes. */
    public static BitBudget bytes(long bytes) {
        return new BitBudget(8.0 * bytes);
    }

    /**
     * The budget at which the layers are {@code ratio} times smaller than stored 32-bit dense:
     * {@code totalBits = 32 * sum_l denseWeights_l / ratio}.
     */
    public static BitBudget compressionRatio(double ratio, List<LayerBitCosts> layers) {
        if (!(ratio >= 1) || Double.isInfinite(ratio)) {
            throw new IllegalArgumentException("compression ratio must be >= 1, was " + ratio);
        }
        long dense = layers.stream().mapToLong(LayerBitCosts::denseWeights).sum();
        return new BitBudget(32.0 * dense / ratio);
    }

    /** Bits left for values once every layer's index bits are paid; may be negative (then nothing fits). */
    public double valueBitLimit(List<LayerBitCosts> layers) {
        return totalBits - layers.stream().mapToDouble(LayerBitCosts::indexBits).sum();
    }
}
