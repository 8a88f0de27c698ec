package io.admmnn.hardware.cost;

import io.admmnn.hardware.layer.LayerShape;

/**
 * Deep Compression's relative index: each stored entry holds the number of zeros since the previous entry in
 * {@code bits} bits; a gap of {@code M = 2^bits - 1} or more is bridged by filler entries, each skipping M
 * positions (and costing an index and a value, like admm-dl4j's model file).
 *
 * <p>Expected fillers for density d at random positions: each gap G has {@code P(G >= g) = (1-d)^g}, so
 * {@code E[floor(G/M)] = q / (1 - q)} with {@code q = (1-d)^M}, per kept weight.
 */
public record RelativeIndex(int bits) implements IndexFormat {

    public RelativeIndex {
        if (bits < 1 || bits > 16) {
            throw new IllegalArgumentException("relative index bits must be in [1, 16], was " + bits);
        }
    }

    int maxGap() {
        return (1 << bits) - 1;
    }

    @Override
    public String name() {
        return "relative:" + bits;
    }

    @Override
    public IndexCost expected(LayerShape layer, long kept) {
        if (kept == 0) {
            return new IndexCost(0, 0);
        }
        double density = (double) kept / layer.weights();
        double q = Math.pow(1 - density, maxGap());
        double fillers = density >= 1 ? 0 : kept * q / (1 - q);
        return new IndexCost((kept + fillers) * bits, fillers);
    }

    @Override
    public IndexCost exact(LayerShape layer, boolean[] keptMask) {
        long entries = 0;
        long fillers = 0;
        long previous = -1;
        for (int i = 0; i < keptMask.length; i++) {
            if (keptMask[i]) {
                fillers += (i - previous - 1) / maxGap();
                entries++;
                previous = i;
            }
        }
        return new IndexCost((double) (entries + fillers) * bits, fillers);
    }
}
