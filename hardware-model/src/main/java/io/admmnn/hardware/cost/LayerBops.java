package io.admmnn.hardware.cost;

/**
 * Bit operations of one layer for one input (DJPQ's BOPs): {@code BOPs = MACs x b_w x b_a}, with a 32-bit float
 * operand counted as 32 bits, so an unquantized layer costs {@code MACs x 32 x 32}.
 *
 * @param layer          layer name
 * @param macsDense      multiply-accumulates when every weight is executed (dense execution; structured pruning
 *                       that removed whole channels is already out of the layer's shape)
 * @param macsNonZero    multiply-accumulates on non-zero weights only (zero-skipping hardware)
 * @param weightBits     b_w, bits per weight (32 when not quantized)
 * @param activationBits b_a, bits per input activation (32 when not quantized)
 */
public record LayerBops(String layer, long macsDense, long macsNonZero, int weightBits, int activationBits) {

    /** Bits of an operand that is not quantized. */
    public static final int FLOAT_BITS = 32;

    public LayerBops {
        if (macsDense < 0 || macsNonZero < 0 || macsNonZero > macsDense) {
            throw new IllegalArgumentException("layer " + layer + ": need 0 <= non-zero MACs <= dense MACs, were "
                    + macsNonZero + " and " + macsDense);
        }
        if (weightBits < 1 || weightBits > FLOAT_BITS || activationBits < 1 || activationBits > FLOAT_BITS) {
            throw new IllegalArgumentException("layer " + layer + ": bits must be in [1, 32], were b_w = " + weightBits
                    + ", b_a = " + activationBits);
        }
    }

    /** {@code macsDense x b_w x b_a}. */
    public long bopsDense() {
        return macsDense * weightBits * activationBits;
    }

    /** {@code macsNonZero x b_w x b_a}. */
    public long bopsNonZero() {
        return macsNonZero * weightBits * activationBits;
    }

    /** The 32 x 32-bit dense reference: {@code macsDense x 1024}. */
    public long bopsReference() {
        return macsDense * FLOAT_BITS * FLOAT_BITS;
    }
}
