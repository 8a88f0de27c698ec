package io.admmnn.core.projection;

/**
 * Exact selection of the k entries of largest magnitude in O(n), without sorting.
 *
 * <p>Method: radix select on the IEEE-754 bit pattern of |x| (which orders non-negative floats the same as
 * their values), 16 bits per digit from the top. One full pass histograms the top digit; a second full pass
 * settles every entry whose top digit differs from the cutoff digit (zeroing or masking it at once) and
 * collects the few entries that share it; the remaining digits (1 for float, 3 for double) are resolved on
 * those candidates only. Ties at the cutoff are broken deterministically: among entries equal to the k-th
 * largest magnitude, those with the lowest index are kept. NaN is rejected.
 */
public final class MagnitudeSelection {

    private static final int DIGIT_BITS = 16;
    private static final int DIGITS = 1 << DIGIT_BITS;

    private MagnitudeSelection() {
    }

    /** Zeroes, in place, every entry of {@code v} except the {@code k} largest in magnitude. */
    public static void keepLargest(float[] v, int k) {
        TopDigit top = topDigit(new FloatKeys(v), k);
        if (top.keepAll()) {
            return;
        }
        int[] candidates = new int[top.candidates()];
        int c = 0;
        for (int i = 0; i < v.length; i++) {
            long digit = FloatKeys.key(v[i]) >>> top.shift();
            if (digit < top.digit()) {
                v[i] = 0f;
            } else if (digit == top.digit()) {
                candidates[c++] = i;
            }
        }
        boolean[] kept = top.resolve(new FloatKeys(v), candidates);
        for (int j = 0; j < candidates.length; j++) {
            if (!kept[j]) {
                v[candidates[j]] = 0f;
            }
        }
    }

    /** Zeroes, in place, every entry of {@code v} except the {@code k} largest in magnitude. */
    public static void keepLargest(double[] v, int k) {
        TopDigit top = topDigit(new DoubleKeys(v), k);
        if (top.keepAll()) {
            return;
        }
        int[] candidates = new int[top.candidates()];
        int c = 0;
        for (int i = 0; i < v.length; i++) {
            long digit = DoubleKeys.key(v[i]) >>> top.shift();
            if (digit < top.digit()) {
                v[i] = 0.0;
            } else if (digit == top.digit()) {
                candidates[c++] = i;
            }
        }
        boolean[] kept = top.resolve(new DoubleKeys(v), candidates);
        for (int j = 0; j < candidates.length; j++) {
            if (!kept[j]) {
                v[candidates[j]] = 0.0;
            }
        }
    }

    /** {@code mask[i]} is true for the {@code k} entries of largest |scores[i]| (lowest index wins ties). */
    public static boolean[] largestMask(double[] scores, int k) {
        return mask(new DoubleKeys(scores), k);
    }

    /** {@code mask[i]} is true for the {@code k} entries of largest |scores[i]| (lowest index wins ties). */
    public static boolean[] largestMask(float[] scores, int k) {
        return mask(new FloatKeys(scores), k);
    }

    private static boolean[] mask(Keys keys, int k) {
        TopDigit top = topDigit(keys, k);
        boolean[] mask = new boolean[keys.length()];
        if (top.keepAll()) {
            java.util.Arrays.fill(mask, true);
            return mask;
        }
        int[] candidates = new int[top.candidates()];
        int c = 0;
        for (int i = 0; i < mask.length; i++) {
            long digit = keys.key(i) >>> top.shift();
            mask[i] = digit > top.digit();
            if (digit == top.digit()) {
                candidates[c++] = i;
            }
        }
        boolean[] kept = top.resolve(keys, candidates);
        for (int j = 0; j < candidates.length; j++) {
            mask[candidates[j]] = kept[j];
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
     * Outcome of the first pass. Entries whose top digit ({@code key >>> shift}) exceeds {@code digit} are
     * kept, those below are dropped, and the {@code candidates} entries equal to it are settled by
     * {@link #resolve}, which keeps {@code remaining} of them.
     */
    private record TopDigit(boolean keepAll, int shift, long digit, int candidates, int remaining) {

        /**
         * Which candidates (flat indices, ascending) are kept: radix select on the lower digits of their keys,
         * then the keys above the cutoff plus the first {@code ties} equal to it, in index order.
         */
        boolean[] resolve(Keys keys, int[] candidateIndex) {
            long prefix = digit << shift;
            int left = remaining;
            int[] histogram = new int[DIGITS];
            for (int low = shift - DIGIT_BITS; low >= 0; low -= DIGIT_BITS) {
                java.util.Arrays.fill(histogram, 0);
                long wantedHigh = prefix >>> (low + DIGIT_BITS);
                for (int i : candidateIndex) {
                    long key = keys.key(i);
                    if ((key >>> (low + DIGIT_BITS)) == wantedHigh) {
                        histogram[(int) ((key >>> low) & (DIGITS - 1))]++;
                    }
                }
                int d = DIGITS - 1;
                while (histogram[d] < left) {
                    left -= histogram[d];
                    d--;
                }
                prefix |= ((long) d) << low;
            }
            boolean[] kept = new boolean[candidateIndex.length];
            for (int j = 0; j < candidateIndex.length; j++) {
                long key = keys.key(candidateIndex[j]);
                kept[j] = key > prefix || (key == prefix && left-- > 0);
            }
            return kept;
        }
    }

    private static TopDigit topDigit(Keys keys, int k) {
        int n = keys.length();
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("k must be in [0, " + n + "], was " + k);
        }
        long nanFloor = keys.bits() == 31 ? 0x7f800000L : 0x7ff0000000000000L;
        if (k == n) {
            for (int i = 0; i < n; i++) {
                rejectNaN(keys.key(i), nanFloor, i);
            }
            return new TopDigit(true, 0, 0, 0, 0);
        }
        if (k == 0) {
            // Every key is below this digit, so everything is dropped and nothing is a candidate.
            return new TopDigit(false, 0, Long.MAX_VALUE, 0, 0);
        }
        int shift = ((keys.bits() - 1) / DIGIT_BITS) * DIGIT_BITS;
        int[] histogram = new int[DIGITS];
        for (int i = 0; i < n; i++) {
            long key = keys.key(i);
            rejectNaN(key, nanFloor, i);
            histogram[(int) (key >>> shift)]++;
        }
        int remaining = k;
        int digit = DIGITS - 1;
        while (histogram[digit] < remaining) {
            remaining -= histogram[digit];
            digit--;
        }
        return new TopDigit(false, shift, digit, histogram[digit], remaining);
    }

    private static void rejectNaN(long key, long nanFloor, int index) {
        if (key > nanFloor) {
            throw new IllegalArgumentException("NaN at flat index " + index + ": cannot rank magnitudes");
        }
    }
}
