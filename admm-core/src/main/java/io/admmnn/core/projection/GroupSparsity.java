package io.admmnn.core.projection;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Common behaviour of the structured projections that keep whole groups (filters, channels, columns, blocks):
 * {@code S = { w : at most k groups of the partition are nonzero }}, {@code k = round((1 - ratio) * groups)}.
 * The exact projection keeps the k groups of largest L2 norm (ties: lowest group index) and zeroes the rest,
 * since dropping a group costs exactly its squared norm. Implementations only say how a tensor is partitioned.
 */
interface GroupSparsity extends Projection {

    /** Fraction of groups removed, in [0, 1). */
    double ratio();

    /** The partition of a weight of this shape ({@code [nIn, nOut]} or {@code [nOut, nIn, kH, kW]}). */
    TensorGroups.Partition partition(int[] shape);

    @Override
    default boolean isSparsityPattern() {
        return true;
    }

    @Override
    default void projectInPlace(INDArray v) {
        TensorGroups.Partition p = partition(TensorGroups.weightShape(v));
        TensorGroups.keepLargestGroups(v, p.grouping(), p.count(), TensorGroups.keptGroups(ratio(), p.count()));
    }

    @Override
    default boolean isFeasible(INDArray v, double tolerance) {
        TensorGroups.Partition p = partition(TensorGroups.weightShape(v));
        return TensorGroups.atMostGroupsNonZero(v, p.grouping(), p.count(),
                TensorGroups.keptGroups(ratio(), p.count()), tolerance);
    }
}
