package io.admmnn.hardware.cost;

import io.admmnn.hardware.layer.LayerShape;

/**
 * How a sparse layer stores the positions of its kept weights. A new format is one class implementing this.
 */
public interface IndexFormat {

    /** Short name for reports, e.g. {@code relative:4}. */
    String name();

    /**
     * Index bits and filler entries when {@code kept} of the layer's weights are kept at uniformly random
     * positions (expected values).
     */
    IndexCost expected(LayerShape layer, long kept);

    /** Index bits and filler entries for an actual mask of kept positions (flat, in storage order). */
    IndexCost exact(LayerShape layer, boolean[] keptMask);

    /**
     * Bits spent on positions and filler entries (which also cost one value each).
     *
     * @param indexBits     bits of indices, pointers or masks
     * @param fillerEntries extra stored entries that carry no weight
     */
    record IndexCost(double indexBits, double fillerEntries) {
    }

    /** Parses {@code relative:<bits>}, {@code csr}, {@code bitmask} or {@code nm:<n>:<m>}. */
    static IndexFormat parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.startsWith("relative")) {
                return new RelativeIndex(Integer.parseInt(t.substring("relative".length()).replace(":", "")));
            }
            if (t.equals("csr")) {
                return new CsrIndex();
            }
            if (t.equals("bitmask")) {
                return new BitmaskIndex();
            }
            if (t.startsWith("nm:")) {
                String[] p = t.split(":");
                return new NmIndex(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read index format '" + text + "': " + e.getMessage());
        }
        throw new IllegalArgumentException("unknown index format '" + text
                + "'; expected relative:<bits>, csr, bitmask or nm:<n>:<m>");
    }
}
