package io.admmnn.format;

import java.util.Locale;

/**
 * How the positions of the non-zero weights of a layer are stored.
 *
 * <ul>
 *   <li>{@link #relative(int)}: Deep Compression's relative index: each stored entry carries the number of
 *   zeros since the previous entry in {@code bits} bits; a gap of {@code 2^bits - 1} or more is bridged by
 *   filler entries, each skipping {@code 2^bits - 1} positions and costing an index and a value field.</li>
 *   <li>{@link #bitmask()}: one bit per weight position.</li>
 * </ul>
 *
 * @param kind        "relative" or "bitmask"
 * @param indexBits   bits per relative index (relative only)
 */
public record SparseIndexFormat(String kind, int indexBits) {

    public SparseIndexFormat {
        if (!kind.equals("relative") && !kind.equals("bitmask")) {
            throw new IllegalArgumentException("index format must be relative:<bits> or bitmask, was " + kind);
        }
        if (kind.equals("relative") && (indexBits < 1 || indexBits > 16)) {
            throw new IllegalArgumentException("relative index bits must be in [1, 16], was " + indexBits);
        }
    }

    /** Relative indices of {@code bits} bits (Deep Compression used 8 for conv and 5 for FC layers). */
    public static SparseIndexFormat relative(int bits) {
        return new SparseIndexFormat("relative", bits);
    }

    /** A bitmask over all weight positions. */
    public static SparseIndexFormat bitmask() {
        return new SparseIndexFormat("bitmask", 0);
    }

    /** Parses {@code relative:4}, {@code relative4} or {@code bitmask}. */
    public static SparseIndexFormat parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("bitmask")) {
            return bitmask();
        }
        if (t.startsWith("relative")) {
            String digits = t.substring("relative".length()).replace(":", "");
            try {
                return relative(Integer.parseInt(digits));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("index format '" + text + "': expected relative:<bits>, e.g. relative:4");
            }
        }
        throw new IllegalArgumentException("unknown index format '" + text + "': expected relative:<bits> or bitmask");
    }

    /** Largest gap one relative entry can express; larger gaps need fillers. */
    public int maxGap() {
        return (1 << indexBits) - 1;
    }

    @Override
    public String toString() {
        return kind.equals("bitmask") ? "bitmask" : "relative:" + indexBits;
    }
}
