package io.admmnn.core.projection;

/**
 * Exact selection of the k entries of largest magnitude in O(n), without sorting.
 *
 * <p>Method: radix select on the IEEE-754 bit pattern of |x| (which orders non-negative floats the same as
 * their values), 16 bits per pass from the top: 2 histogram passes for float, 4 for double, then one pass
 * that applies the cutoff. Ties at the cutoff are broken deterministically: among entries equal to the k-th
 * largest magnitude, those with the lowest index are kept. NaN is rejected.
 */
public final class MagnitudeSelection {

    private static final int DIGIT_BITS = 16;
    private static final int DIGITS = 1 << DIGIT_BITS;

    private MagnitudeSelection() {
    }

    /** Zeroes, in place, every entry of {@code v} except the {@code k} largest in magnitude. */
    public static void keepLargest(float[] v, int k) {
        Cutoff c = cutoff(new FloatKeys(v), k);
        for (int i = 0; i < v.length; i++) {
            if (!c.keeps(FloatKeys.key(v[i]))) {
                v[i] = 0f;
            }
        }
    }

    /** Zeroes, in place, every entry of {@code v} except the {@code k} largest in magnitude. */
    public static void keepLargest(double[] v, int k) {
        Cutoff c = cutoff(new DoubleKeys(v), k);
        for (int i = 0; i < v.length; i++) {
            if (!c.keeps(DoubleKeys.key(v[i]))) {
                v[i] = 0.0;
            }
        }
    }

    /** {@code mask[i]} is true for the {@code k} entries of largest |scores[i]| (lowest index wins ties). */
    public static boolean[] largestMask(double[] scores, int k) {
        Cutoff c = cutoff(new DoubleKeys(scores), k);
        boolean[] mask = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            mask[i] = c.keeps(DoubleKeys.key(scores[i]));
        }
        return mask;
    }

    /** {@code mask[i]} is true for the {@code k} entries of largest |scores[i]| (lowest index wins ties). */
    public static boolean[] largestMask(float[] scores, int k) {
        Cutoff c = cutoff(new FloatKeys(scores), k);
        boolean[] mask = new boolean[scores.length];
        for (int i = 0; i < scores.length; i++) {
            mask[i] = c.keeps(FloatKeys.key(scores[i]));
        }
        return mask;
    }

    /** Non-negative sort keys: the magnitude's bit pattern, monotone in |x|. */
    private interface Keys {
        int length();

        long key(int i);

        /** Bits in a key (31 for float, 63 for double). */
        int bits();
    }

    private record FloatKeys(float[] v) implements Keys {
        static long key(float x) {
            return Float.floatToRawIntBits(x) & 0x7fffffffL;
        }

        public int length() {
            return v.length;
        }

        public long key(int i) {
            return key(v[i]);
        }

        public int bits() {
            return 31;
        }
    }

    private record DoubleKeys(double[] v) implements Keys {
        static long key(double x) {
            return Double.doubleToRawLongBits(x) & 0x7fffffffffffffffL;
        }

        public int length() {
            return v.length;
        }

        public long key(int i) {
            return key(v[i]);
        }

        public int bits() {
            return 63;
        }
    }

    /**
     * Keeps keys above {@code threshold}, and the first {@code ties} keys equal to it. Stateful: call
     * {@link #keeps} once per element, in index order.
     */
    private static final class Cutoff {
        private final long threshold;
        private int tiesLeft;
        private final boolean keepAll;

        Cutoff(long threshold, int ties, boolean keepAll) {
            this.threshold = threshold;
            this.tiesLeft = ties;
            this.keepAll = keepAll;
        }

        boolean keeps(long key) {
            if (keepAll || key > threshold) {
                return true;
            }
            if (key == threshold && tiesLeft > 0) {
                tiesLeft--;
                return true;
            }
            return false;
        }
    }

    private static Cutoff cutoff(Keys keys, int k) {
        int n = keys.length();
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("k must be in [0, " + n + "], was " + k);
        }
        long nanFloor = keys.bits() == 31 ? 0x7f800000L : 0x7ff0000000000000L;
        if (k == n) {
            for (int i = 0; i < n; i++) {
                rejectNaN(keys.key(i), nanFloor, i);
            }
            return new Cutoff(0, 0, true);
        }
        if (k == 0) {
            return new Cutoff(Long.MAX_VALUE, 0, false);
        }
        int[] histogram = new int[DIGITS];
        long prefix = 0;
        int remaining = k;
        int firstShift = ((keys.bits() - 1) / DIGIT_BITS) * DIGIT_BITS;
        for (int shift = firstShift; shift >= 0; shift -= DIGIT_BITS) {
            java.util.Arrays.fill(histogram, 0);
            int highShift = shift + DIGIT_BITS;
            boolean firstPass = shift == firstShift;
            long wantedHigh = firstPass ? 0 : prefix >>> highShift;
            for (int i = 0; i < n; i++) {
                long key = keys.key(i);
                if (firstPass) {
                    rejectNaN(key, nanFloor, i);
                    histogram[(int) (key >>> shift)]++;
                } else if ((key >>> highShift) == wantedHigh) {
                    histogram[(int) ((key >>> shift) & (DIGITS - 1))]++;
                }
            }
            int digit = DIGITS - 1;
            while (histogram[digit] < remaining) {
                remaining -= histogram[digit];
                digit--;
            }
            prefix |= ((long) digit) << shift;
        }
        return new Cutoff(prefix, remaining, false);
    }

    private static void rejectNaN(long key, long nanFloor, int index) {
        if (key > nanFloor) {
            throw new IllegalArgumentException("NaN at flat index " + index + ": cannot rank magnitudes");
        }
    }
}
