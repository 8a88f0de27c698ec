package io.admmnn.core.quantization;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What choosing a weight and an activation bit width costs one layer in bit operations: its MACs per input, and
 * the (weighted) error of each candidate weight width and each candidate input-activation width.
 *
 * <p>Math: {@code bops(b_w, b_a) = macs * b_w * b_a}; {@code error(b_w, b_a) = weightErrors(b_w) +
 * activationErrors(b_a)} (the two errors taken as additive). A layer whose activations stay float has
 * {@code activationErrors = {32: 0}}. Units: BOPs per input, and the errors' own units.
 *
 * @param layer            layer name
 * @param macs             multiply-accumulates per input that are executed (dense, or on kept weights)
 * @param weightErrors     candidate weight width to its error (1..32)
 * @param activationErrors candidate activation width to its error (1..32)
 */
public record LayerBopsCosts(String layer, long macs, Map<Integer, Double> weightErrors,
                             Map<Integer, Double> activationErrors) {

    public LayerBopsCosts {
        if (macs < 0) {
            throw new IllegalArgumentException(layer + ": MACs must be >= 0, was " + macs);
        }
        weightErrors = checked(layer, "weight", weightErrors);
        activationErrors = checked(layer, "activation", activationErrors);
    }

    /** A layer whose activations stay 32-bit float. */
    public static LayerBopsCosts floatActivations(String layer, long macs, Map<Integer, Double> weightErrors) {
        return new LayerBopsCosts(layer, macs, weightErrors, Map.of(32, 0.0));
    }

    private static Map<Integer, Double> checked(String layer, String what, Map<Integer, Double> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException(layer + ": no candidate " + what + " bit widths");
        }
        errors.forEach((b, e) -> {
            if (b < 1 || b > 32 || !(e >= 0)) {
                throw new IllegalArgumentException(layer + ": " + what + " bits must be in [1, 32] and errors >= 0, got "
                        + b + " -> " + e);
            }
        });
        return Collections.unmodifiableMap(new TreeMap<>(errors));
    }

    /** {@code macs * b_w * b_a}. */
    public long bops(int weightBits, int activationBits) {
        return macs * weightBits * activationBits;
    }

    /** The 32 x 32-bit reference, {@code macs * 1024}. */
    public long referenceBops() {
        return bops(32, 32);
    }
}
