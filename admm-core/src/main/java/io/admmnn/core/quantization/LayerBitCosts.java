package io.admmnn.core.quantization;

import io.admmnn.core.projection.UniformQuantization;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What choosing a bit width costs one layer: its stored non-zeros, the index bits each of them needs regardless of
 * the value width, and the (weighted) squared quantization error for each candidate bit width.
 *
 * <p>Math: {@code valueBits(b) = nonZeros * b}; {@code error(b) = weight * sum_j (w_j - Q_b(w_j))^2} over the
 * non-zeros, {@code Q_b} the {@link UniformQuantization} with {@code b} bits and its scale fitted by
 * {@link UniformQuantization#fit}. Units: bits, and squared weight units for the error.
 *
 * @param layer            layer name
 * @param denseWeights     weights of the dense layer (for compression ratios against 32-bit dense)
 * @param nonZeros         stored non-zero values
 * @param indexBitsPerNonZero bits of position information per non-zero (0 to budget values only)
 * @param errors           candidate bit width to its weighted squared error (sorted by bits)
 */
public record LayerBitCosts(String layer, long denseWeights, long nonZeros, double indexBitsPerNonZero,
                            Map<Integer, Double> errors) {

    public LayerBitCosts {
        if (nonZeros < 0 || denseWeights < nonZeros) {
            throw new IllegalArgumentException(layer + ": need 0 <= non-zeros <= dense weights, was " + nonZeros
                    + " of " + denseWeights);
        }
        if (!(indexBitsPerNonZero >= 0)) {
            throw new IllegalArgumentException(layer + ": index bits per non-zero must be >= 0, was " + indexBitsPerNonZero);
        }
        if (errors.isEmpty()) {
            throw new IllegalArgumentException(layer + ": no candidate bit widths");
        }
        errors.forEach((b, e) -> {
            if (b < 1 || !(e >= 0)) {
                throw new IllegalArgumentException(layer + ": bits must be >= 1 and errors >= 0, got " + b + " -> " + e);
            }
        });
        errors = java.util.Collections.unmodifiableMap(new TreeMap<>(errors));
    }

    /**
     * Fits a quantizer for every candidate width to the non-zero entries of {@code weights} and records its error.
     *
     * @param weights      all weights of the layer (zeros are pruned positions and are not quantized)
     * @param candidates   bit widths to consider, each in [1, 16]
     * @param errorWeight  importance factor multiplying the layer's error (1 = plain squared error)
     */
    public static LayerBitCosts measure(String layer, double[] weights, double indexBitsPerNonZero, int[] candidates,
                                        double errorWeight) {
        double[] nonZero = Arrays.stream(weights).filter(w -> w != 0).toArray();
        if (nonZero.length == 0) {
            throw new IllegalArgumentException(layer + ": all weights are zero, nothing to quantize");
        }
        Map<Integer, Double> errors = new TreeMap<>();
        var array = Nd4j.createFromArray(nonZero);
        for (int bits : candidates) {
            errors.put(bits, errorWeight * squaredError(nonZero, UniformQuantization.fit(array, bits)));
        }
        return new LayerBitCosts(layer, weights.length, nonZero.length, indexBitsPerNonZero, errors);
    }

    /** {@code sum (w - Q(w))^2}. */
    static double squaredError(double[] values, UniformQuantization q) {
        double e = 0;
        for (double v : values) {
            double d = v - q.quantize(v);
            e += d * d;
        }
        return e;
    }

    /** Bits of the values at width {@code bits}: {@code nonZeros * bits}. */
    public long valueBits(int bits) {
        return nonZeros * (long) bits;
    }

    /** Index bits of the layer, independent of the value width. */
    public double indexBits() {
        return nonZeros * indexBitsPerNonZero;
    }
}
