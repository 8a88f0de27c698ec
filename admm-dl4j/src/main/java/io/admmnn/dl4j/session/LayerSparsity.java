package io.admmnn.dl4j.session;

/**
 * Non-zero count of one layer's weights.
 *
 * @param layer  layer name
 * @param total  number of weights
 * @param kept   number of non-zero weights
 */
public record LayerSparsity(String layer, long total, long kept) {

    /** Fraction of weights removed, in [0, 1]. */
    public double pruningRatio() {
        return total == 0 ? 0 : 1.0 - (double) kept / total;
    }

    /** {@code total / kept} (infinite when nothing is kept). */
    public double compression() {
        return kept == 0 ? Double.POSITIVE_INFINITY : (double) total / kept;
    }
}
