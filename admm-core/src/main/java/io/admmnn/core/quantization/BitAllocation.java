package io.admmnn.core.quantization;

import java.util.List;

/**
 * Bits chosen per layer and what they cost.
 *
 * @param layers     one entry per layer, in input order
 * @param error      total weighted squared quantization error, {@code sum_l error_l(bits_l)}
 * @param valueBits  total value bits, {@code sum_l nonZeros_l * bits_l}
 * @param indexBits  total index bits (independent of the choice)
 * @param budgetBits the budget the choice was made under (values + indices)
 */
public record BitAllocation(List<Layer> layers, double error, long valueBits, double indexBits, double budgetBits) {

    public BitAllocation {
        layers = List.copyOf(layers);
    }

    /**
     * One layer's choice.
     *
     * @param layer     layer name
     * @param bits      bits per stored non-zero value
     * @param nonZeros  stored non-zeros
     * @param valueBits {@code nonZeros * bits}
     * @param error     weighted squared error at this width
     */
    public record Layer(String layer, int bits, long nonZeros, long valueBits, double error) {
    }

    /** Total stored bits, values plus indices. */
    public double totalBits() {
        return valueBits + indexBits;
    }

    /** 32-bit dense size of the layers over {@link #totalBits()}, given their dense weight count. */
    public double compressionRatio(long denseWeights) {
        return 32.0 * denseWeights / totalBits();
    }
}
