package io.admmnn.hardware.cost;

/**
 * Cost of one layer for one input image.
 *
 * @param layer          layer name
 * @param convolution    whether it is a convolution
 * @param weights        weights of the dense layer
 * @param kept           weights kept
 * @param macsDense      multiply-accumulates when run dense
 * @param macsPruned     multiply-accumulates on kept weights only (zero-skipping hardware)
 * @param valueBits      bits of stored values, filler entries included
 * @param indexBits      bits of stored positions (0 for a dense layer)
 * @param fillers        filler entries (relative index gaps too long for the index)
 * @param bopsDense      bit-operations when run dense: macsDense * weight bits * activation bits (DJPQ)
 * @param bopsPruned     bit-operations on kept weights: macsPruned * weight bits * activation bits
 * @param energyPj       energy per image in pJ: executed MACs * (mult + add) + stored bits / 32 * DRAM read
 * @param breakEvenCompute smallest pruning ratio (dense/kept) at which the sparse layer is no slower, or NaN
 * @param breakEvenStorage smallest pruning ratio at which the sparse layer is no larger, or NaN
 */
public record LayerCost(String layer, boolean convolution, long weights, long kept, long macsDense, double macsPruned,
                        double valueBits, double indexBits, double fillers, double bopsDense, double bopsPruned,
                        double energyPj, double breakEvenCompute, double breakEvenStorage) {

    /** {@code weights / kept}. */
    public double ratio() {
        return (double) weights / kept;
    }

    public double storageBits() {
        return valueBits + indexBits;
    }

    /** Whether the layer is pruned at least to its compute break-even ratio (true for a dense layer). */
    public boolean aboveComputeBreakEven() {
        return kept == weights || Double.isNaN(breakEvenCompute) ? kept == weights : ratio() >= breakEvenCompute;
    }
}
