package io.admmnn.core.djpq;

/**
 * A learned quantizer frozen for export: its bit width and its range, with the step the two imply.
 *
 * <p>Math: {@code range} is {@code qMax} snapped to a multiple of {@code d} ({@code d * round(qMax/d)}), {@code bits}
 * the inferred width of {@link DqBits#bits} (or its power-of-two rounding), {@code step = range / (2^(bits-s) - 1)}
 * when the width was rounded up, else {@code d}. Units: bits; range and step in the tensor's units.
 *
 * @param bits   bit width
 * @param range  largest magnitude represented ({@code qMax})
 * @param step   quantization step
 * @param signed whether the tensor is signed (weights) or non-negative (activations after a ReLU)
 */
public record FixedQuantizer(int bits, double range, double step, boolean signed) {

    public FixedQuantizer {
        if (bits < 1 || !(range > 0) || !(step > 0) || step > range) {
            throw new IllegalArgumentException("need bits >= 1 and 0 < step <= range, got bits=" + bits + ", range="
                    + range + ", step=" + step);
        }
    }

    /**
     * Freezes learned {@code (d, qMax)}: snaps the range to a multiple of the step, infers the width and, with
     * {@code powerOfTwo}, rounds the width up to 2, 4, 8, ... and recomputes the step from the range.
     */
    public static FixedQuantizer freeze(double d, double qMax, boolean signed, boolean powerOfTwo) {
        double range = Math.max(d, d * Math.rint(qMax / d));
        int bits = DqBits.bits(d, range, signed);
        if (!powerOfTwo) {
            return new FixedQuantizer(bits, range, d, signed);
        }
        int b2 = DqBits.powerOfTwoBits(bits);
        return new FixedQuantizer(b2, range, b2 == bits ? d : DqBits.stepForBits(range, b2, signed), signed);
    }

    /** {@code step * round(clip(x, lo, range) / step)}. */
    public double quantize(double x) {
        double lo = signed ? -range : 0.0;
        return step * Math.rint(Math.min(range, Math.max(lo, x)) / step);
    }
}
