package io.admmnn.core.djpq;

import io.admmnn.format.ActivationQuantization;

/**
 * Bit-width arithmetic of a DQ quantizer parametrized by step {@code d} and range {@code qMax} (Uhlich et al.,
 * ICLR 2020): {@code q(x) = d * round(clip(x, lo, qMax) / d)}, {@code lo = -qMax} for signed tensors, 0 for
 * unsigned ones.
 *
 * <p>Math: continuous bits {@code b(d, qMax) = log2(qMax/d + 1) + s}, {@code s = 1} signed, 0 unsigned; the integer
 * bit width is {@code ceil(b)}; the power-of-two-restricted width is the smallest of {2, 4, 8, 16, 32} that is
 * {@code >= ceil(b)}. Units: bits; {@code d} and {@code qMax} in the tensor's units.
 */
public final class DqBits {

    /** Bit widths allowed by the power-of-two-restricted variant. */
    private static final int[] POWER_OF_TWO_BITS = {2, 4, 8, 16, 32};
    private static final double LN2 = Math.log(2.0);
    /** Slack so that an exact {@code qMax/d = 2^k - 1} does not round up through floating-point noise. */
    private static final double CEIL_SLACK = 1e-9;

    private DqBits() {
    }

    /** The continuous (differentiable) bit width {@code log2(qMax/d + 1) + s}. */
    public static double continuousBits(double d, double qMax, boolean signed) {
        check(d, qMax);
        return Math.log(qMax / d + 1.0) / LN2 + (signed ? 1.0 : 0.0);
    }

    /** {@code d b / d d = -qMax / (d (qMax + d) ln 2)}. */
    public static double continuousBitsByStep(double d, double qMax) {
        check(d, qMax);
        return -qMax / (d * (qMax + d) * LN2);
    }

    /** {@code d b / d qMax = 1 / ((qMax + d) ln 2)}. */
    public static double continuousBitsByRange(double d, double qMax) {
        check(d, qMax);
        return 1.0 / ((qMax + d) * LN2);
    }

    /** The inferred integer bit width {@code ceil(log2(qMax/d + 1) + s)}, at least 1. */
    public static int bits(double d, double qMax, boolean signed) {
        return Math.max(1, (int) Math.ceil(continuousBits(d, qMax, signed) - CEIL_SLACK));
    }

    /** The smallest allowed power-of-two width (2, 4, 8, 16 or 32) that holds {@code bits}. */
    public static int powerOfTwoBits(int bits) {
        for (int b : POWER_OF_TWO_BITS) {
            if (b >= bits) {
                return b;
            }
        }
        throw new IllegalArgumentException("bit width " + bits + " exceeds 32");
    }

    /**
     * The step that spends exactly {@code bits} on the range {@code qMax}: {@code d = qMax / (2^(bits - s) - 1)}
     * (used to recompute the step after the bit width was rounded up to a power of two).
     */
    public static double stepForBits(double qMax, int bits, boolean signed) {
        int levels = bits - (signed ? 1 : 0);
        if (levels < 1 || !(qMax > 0)) {
            throw new IllegalArgumentException("need qMax > 0 and enough bits for one level, got qMax=" + qMax
                    + ", bits=" + bits + (signed ? " (signed)" : " (unsigned)"));
        }
        return qMax / (Math.pow(2.0, levels) - 1.0);
    }

    /**
     * Freezes a learned quantizer {@code (d, qMax)} for fine-tuning and export, as the framework's one quantizer
     * record: {@code qMax} snapped to the nearest positive multiple of {@code d}, the width {@link #bits} of the
     * snapped range ({@link ActivationQuantization#fromStepAndRange}); with {@code powerOfTwo} the width rounded up to
     * {@link #powerOfTwoBits} and the step recomputed so that all its levels span the range
     * ({@link ActivationQuantization#ofRange}, the step of {@link #stepForBits}). A width above
     * {@link ActivationQuantization#MAX_BITS} (a quantizer that learned to be practically float) is capped there,
     * the step widened to span the range.
     */
    public static ActivationQuantization freeze(double d, double qMax, boolean signed, boolean powerOfTwo) {
        check(d, qMax);
        double range = d * Math.max(1, Math.round(qMax / d));
        int bits = bits(d, range, signed);
        int frozen = Math.min(ActivationQuantization.MAX_BITS, powerOfTwo ? powerOfTwoBits(bits) : bits);
        return frozen == bits ? ActivationQuantization.fromStepAndRange(d, range, signed)
                : ActivationQuantization.ofRange(frozen, signed, range);
    }

    private static void check(double d, double qMax) {
        if (!(d > 0) || !(qMax > 0)) {
            throw new IllegalArgumentException("quantizer step and range must be > 0, got d=" + d + ", qMax=" + qMax);
        }
    }
}
