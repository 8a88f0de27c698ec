package io.admmnn.format;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Uniform quantization of a layer's activations (the one definition used by training, the model file, the
 * runtime and the BOPs count): values are clipped to {@code [lo, qMax]} and rounded to the nearest multiple of the
 * step {@code d}, so zero is always a level (ReLU zeros and padding stay exact).
 *
 * <p>Math: {@code q(x) = d * rint(clip(x, lo, qMax) / d)} with {@code qMax = d * maxCode} and {@code lo = 0}
 * (unsigned, after ReLU) or {@code lo = -qMax} (signed); the integer code {@code k = rint(clip(x)/d)} lies in
 * {@code [0, maxCode]} (unsigned, {@code maxCode <= 2^b - 1}) or {@code [-maxCode, maxCode]} (signed,
 * {@code maxCode <= 2^(b-1) - 1}). {@code rint} rounds half to even, like numpy and PyTorch. This is the
 * parametrization by step and range of DQ (Uhlich et al. 2020): {@link #fromStepAndRange} turns a learned
 * {@code (d, qMax)} into a record with the smallest sufficient bit width, {@code b = ceil(log2(qMax/d + 1))}
 * unsigned and {@code ceil(log2(qMax/d + 1)) + 1} signed. Gradient (straight-through estimator, clipped):
 * {@code dq/dx = 1} for {@code lo <= x <= qMax}, else 0. Quantization runs in double on float inputs, so every
 * module that calls {@link #quantize(float)} gets bit-identical levels from identical inputs.
 *
 * <p>DJPQ's learned quantizers (admm-core {@code DqBits.freeze}) are frozen to this record too, its signed weight
 * quantizers included: one definition of the levels and the bit width for activations and weights alike.
 *
 * @param bits    bits per activation, 1..16 unsigned, 2..16 signed (the b_a of the BOPs count)
 * @param signed  whether negative values are kept (else clipped at 0)
 * @param step    the level spacing d, &gt; 0 (in the activations' units)
 * @param maxCode the largest integer code, 1..{@link #maxCodeFor(int, boolean)}; {@code qMax = step * maxCode}
 */
public record ActivationQuantization(int bits, boolean signed, double step, int maxCode) {

    /** Largest bit width accepted (a wider one is not quantization any more for 32-bit float activations). */
    public static final int MAX_BITS = 16;

    /** Bits of an activation that is not quantized: 32-bit float. */
    public static final int FLOAT_BITS = 32;

    public ActivationQuantization {
        checkBits(bits, signed);
        if (!(step > 0) || Double.isInfinite(step)) {
            throw new IllegalArgumentException("activation step must be positive and finite, was " + step);
        }
        if (maxCode < 1 || maxCode > maxCodeFor(bits, signed)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "activation max code must be in [1, %d] for %d %s bits, was %d", maxCodeFor(bits, signed), bits,
                    signed ? "signed" : "unsigned", maxCode));
        }
    }

    private static void checkBits(int bits, boolean signed) {
        int minBits = signed ? 2 : 1;
        if (bits < minBits || bits > MAX_BITS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "activation bits must be in [%d, %d] for %s activations, was %d", minBits, MAX_BITS,
                    signed ? "signed" : "unsigned", bits));
        }
    }

    /** The largest code {@code b} bits hold: {@code 2^b - 1} unsigned, {@code 2^(b-1) - 1} signed. */
    public static int maxCodeFor(int bits, boolean signed) {
        return signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
    }

    /** The quantizer that spreads all {@code 2^b} (unsigned) or {@code 2^b - 1} (signed) levels over {@code [lo, qMax]}. */
    public static ActivationQuantization ofRange(int bits, boolean signed, double qMax) {
        checkBits(bits, signed);
        if (!(qMax > 0) || Double.isInfinite(qMax)) {
            throw new IllegalArgumentException("activation range must be positive and finite, was " + qMax);
        }
        int maxCode = maxCodeFor(bits, signed);
        return new ActivationQuantization(bits, signed, qMax / maxCode, maxCode);
    }

    /**
     * A learned DQ quantizer {@code (d, qMax)} as a record: {@code qMax} snapped to the nearest positive multiple of
     * {@code d}, and the smallest bit width that holds its code ({@code maxCode = round(qMax/d)}).
     */
    public static ActivationQuantization fromStepAndRange(double step, double qMax, boolean signed) {
        if (!(step > 0) || Double.isInfinite(step) || !(qMax > 0) || Double.isInfinite(qMax)) {
            throw new IllegalArgumentException("activation step and range must be positive and finite, were "
                    + step + " and " + qMax);
        }
        long code = Math.max(1, Math.round(qMax / step));
        int bits = signed ? 2 : 1;
        while (bits <= MAX_BITS && maxCodeFor(bits, signed) < code) {
            bits++;
        }
        if (bits > MAX_BITS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "activation range %.6g / step %.6g needs more than %d bits", qMax, step, MAX_BITS));
        }
        return new ActivationQuantization(bits, signed, step, (int) code);
    }

    /**
     * The quantizer with all of {@code bits}' levels over the range seen in {@code samples}: signed when any sample
     * is negative, {@code qMax} the {@code percentile} (0 &lt; p &lt;= 100; 100 = the maximum) of the samples'
     * magnitudes, so that a few outliers can be clipped instead of coarsening every level.
     *
     * @throws IllegalArgumentException if no sample is non-zero and finite, or the percentile is out of range
     */
    public static ActivationQuantization fit(float[] samples, int bits, double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("activation range percentile must be in (0, 100], was " + percentile);
        }
        boolean signed = false;
        float[] magnitudes = new float[samples.length];
        int m = 0;
        for (float v : samples) {
            if (Float.isFinite(v)) {
                signed |= v < 0;
                magnitudes[m++] = Math.abs(v);
            }
        }
        if (m == 0) {
            throw new IllegalArgumentException("no finite activation to fit a range to");
        }
        Arrays.sort(magnitudes, 0, m);
        int rank = (int) Math.ceil(percentile / 100.0 * m) - 1; // nearest-rank percentile
        double qMax = magnitudes[Math.max(0, Math.min(m - 1, rank))];
        if (!(qMax > 0)) {
            qMax = magnitudes[m - 1];
        }
        if (!(qMax > 0)) {
            throw new IllegalArgumentException("every activation sample is zero: no range to fit");
        }
        return ofRange(bits, signed, qMax);
    }

    /** The largest level, {@code qMax = step * maxCode}. */
    public double qMax() {
        return step * maxCode;
    }

    /** The smallest level: {@code -qMax} signed, 0 unsigned. */
    public double lo() {
        return signed ? -qMax() : 0;
    }

    /** The integer code of {@code x}: {@code rint(clip(x, lo, qMax) / d)}. */
    public int code(float x) {
        double c = Math.max(lo(), Math.min(qMax(), x));
        return (int) Math.rint(c / step);
    }

    /** The level of {@code x}: {@code d * rint(clip(x, lo, qMax) / d)}, in double. NaN stays NaN. */
    public double quantize(double x) {
        return level(x, lo(), qMax(), step);
    }

    /**
     * The one rounding formula; NaN propagates through max, min and rint unchanged, and {@code + 0.0} turns the -0.0
     * that rint gives small negative inputs into the level 0.
     */
    private static double level(double x, double lo, double hi, double step) {
        return Math.rint(Math.max(lo, Math.min(hi, x)) / step) * step + 0.0;
    }

    /** The level of {@code x}: {@code d * code(x)}, computed in double and rounded to float. NaN stays NaN. */
    public float quantize(float x) {
        return (float) quantize((double) x);
    }

    /** Quantizes {@code values[from, to)} in place. */
    public void quantizeInPlace(float[] values, int from, int to) {
        double lo = lo();
        double hi = qMax();
        for (int i = from; i < to; i++) {
            values[i] = (float) level(values[i], lo, hi, step);
        }
    }

    /** Quantizes {@code values[from, to)} in place, in double (levels as {@link #quantize(double)}). */
    public void quantizeInPlace(double[] values, int from, int to) {
        double lo = lo();
        double hi = qMax();
        for (int i = from; i < to; i++) {
            values[i] = level(values[i], lo, hi, step);
        }
    }

    /** Whether the straight-through gradient passes at {@code x}: {@code lo <= x <= qMax}. */
    public boolean passesGradient(float x) {
        return x >= lo() && x <= qMax();
    }

    /** For reports: "8-bit unsigned [0, 5.1] step 0.02". */
    public String describe() {
        return String.format(Locale.ROOT, "%d-bit %s [%.4g, %.4g] step %.4g", bits, signed ? "signed" : "unsigned",
                lo(), qMax(), step);
    }

    /** The bits of a possibly absent quantizer: {@link #FLOAT_BITS} for {@code null} (not quantized). */
    public static int bitsOf(ActivationQuantization q) {
        return q == null ? FLOAT_BITS : q.bits();
    }

    /** Writes the record (bits, signed, step, max code; big-endian). */
    public void write(DataOutputStream out) throws IOException {
        out.writeByte(bits);
        out.writeBoolean(signed);
        out.writeDouble(step);
        out.writeInt(maxCode);
    }

    /** Reads what {@link #write} wrote; an invalid record is an {@link IOException}. */
    public static ActivationQuantization read(DataInputStream in) throws IOException {
        int bits = in.readUnsignedByte();
        boolean signed = in.readBoolean();
        double step = in.readDouble();
        int maxCode = in.readInt();
        try {
            return new ActivationQuantization(bits, signed, step, maxCode);
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid activation quantization: " + e.getMessage(), e);
        }
    }
}
