package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Counts the groups of a weight tensor that are entirely zero, with the groups the structured projections use:
 * {@link FilterSparsity} (output units), {@link ChannelSparsity} (input channels / dense rows) and
 * {@link ColumnSparsity} (im2col columns, i.e. kernel positions across all filters). Reports use it to say how
 * much structure an unstructured pruning happened to leave, in the same terms the projections prune by.
 *
 * <p>Math: {@code zeroGroups = #{ g : w_i = 0 for all i in g }}; fractions are {@code zeroGroups / groups}.
 */
public final class ZeroGroups {

    private ZeroGroups() {
    }

    /**
     * Number of groups and how many are all zero.
     *
     * @param groups     groups of the partition
     * @param zeroGroups groups whose elements are all exactly 0
     */
    public record Count(int groups, int zeroGroups) {
        /** {@code zeroGroups / groups} (0 for no groups). */
        public double fraction() {
            return groups == 0 ? 0 : (double) zeroGroups / groups;
        }
    }

    /**
     * Counts the all-zero groups of {@code w} ({@code [nIn, nOut]} or {@code [nOut, nIn, kH, kW]}) under the
     * partition of {@code structure}; its ratio is irrelevant here.
     *
     * @param structure a {@link FilterSparsity}, {@link ChannelSparsity} or {@link ColumnSparsity} (any ratio)
     */
    public static Count count(INDArray w, Projection structure) {
        if (!(structure instanceof GroupSparsity g)) {
            throw new IllegalArgumentException("not a group-structured projection: " + structure.describe());
        }
        int[] shape = TensorGroups.weightShape(w);
        TensorGroups.Partition p = g.partition(shape);
        int[] ids = TensorGroups.groupIds(shape, w.ordering(), p.grouping());
        double[] x = FlatValues.readDoubles(w);
        boolean[] nonZero = new boolean[p.count()];
        for (int i = 0; i < x.length; i++) {
            nonZero[ids[i]] |= x[i] != 0;
        }
        int zero = 0;
        for (boolean nz : nonZero) {
            zero += nz ? 0 : 1;
        }
        return new Count(p.count(), zero);
    }
}
