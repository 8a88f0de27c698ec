package io.admmnn.core.projection;

import java.util.Locale;

/**
 * Power-of-two weight <em>levels</em> for shift-only arithmetic: each non-zero weight goes to the nearest of
 * {@code +-scale * 2^-j, j = 0..count-1} (nearest in value, not in log), zeros stay zero and a non-zero weight never
 * becomes zero. Not to be confused with DJPQ's "power-of-two" quantization, which restricts the bit widths.
 * Bits per non-zero weight: {@code 1 + ceil(log2(count))}.
 *
 * @param scale the largest level, &gt; 0
 * @param count number of magnitudes, 1..32
 */
public record PowerOfTwoLevels(double scale, int count) implements ElementwiseQuantizer {

    public PowerOfTwoLevels {
        if (!(scale > 0) || count < 1 || count > 32) {
            throw new IllegalArgumentException("power-of-two levels need scale > 0 and 1 <= count <= 32");
        }
    }

    /** The nearest level of {@code x} (0 for 0). */
    @Override
    public double quantize(double x) {
        if (x == 0) {
            return 0;
        }
        double m = Math.abs(x);
        double best = scale;
        for (int j = 1; j < count; j++) {
            double level = scale / (1L << j);
            if (Math.abs(m - level) < Math.abs(m - best)) {
                best = level;
            }
        }
        return Math.copySign(best, x);
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "power-of-two levels: +-%.4g * 2^-j, j = 0..%d", scale, count - 1);
    }
}
