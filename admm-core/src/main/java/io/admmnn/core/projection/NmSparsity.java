package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * N:M semi-structured sparsity (e.g. 2:4 for sparse tensor cores): in every group of M consecutive weights
 * along the INPUT dimension of one output unit, at most N are nonzero.
 *
 * <p>Groups: dense {@code [nIn, nOut]}: for each output j, inputs {@code i = gM .. gM+M-1} of column j.
 * Conv {@code [nOut, nIn, kH, kW]}: for each filter o and kernel position (kh, kw), input channels
 * {@code c = gM .. gM+M-1} (the channel-last grouping sparse tensor cores use for convolutions). When nIn is
 * not divisible by M the last group of each run is shorter, L &lt; M, and keeps at most N (all of it if L &lt;= N),
 * as if it were zero-padded to M.
 *
 * <p>Math: {@code Proj(v)} keeps, in each group, the N entries of largest |v| (ties: lowest input index) and
 * zeroes the rest; the constraint is separable over groups, so this is the exact Euclidean projection.
 *
 * @param n weights kept per group, {@code 1 <= n <= m}
 * @param m group length along the input dimension, {@code >= 1}
 */
public record NmSparsity(int n, int m) implements Projection {

    public NmSparsity {
        if (m < 1 || n < 1 || n > m) {
            throw new IllegalArgumentException("need 1 <= N <= M, was " + n + ":" + m);
        }
    }

    /** The groups of a weight of this shape; members of a group are in increasing input index. */
    TensorGroups.Partition partition(int[] shape) {
        if (shape.length == 2) {
            int perColumn = BlockSparsity.ceilDiv(shape[0], m);
            return new TensorGroups.Partition(Math.multiplyExact(perColumn, shape[1]),
                    c -> c[1] * perColumn + c[0] / m);
        }
        int perRun = BlockSparsity.ceilDiv(shape[1], m);
        int runs = Math.multiplyExact(shape[0], Math.multiplyExact(shape[2], shape[3]));
        return new TensorGroups.Partition(Math.multiplyExact(runs, perRun),
                c -> ((c[0] * shape[2] + c[2]) * shape[3] + c[3]) * perRun + c[1] / m);
    }

    @Override
    public void projectInPlace(INDArray v) {
        double[] x = FlatValues.readDoubles(v);
        int[][] groups = members(v);
        for (int[] group : groups) {
            keepLargestInGroup(x, group);
        }
        FlatValues.write(v, x);
    }

    /**
     * Flat indices of each group's members. Within a group they are ascending in flat index, which is
     * ascending input index for both orderings (all strides are positive), so "lowest index wins" ties agree.
     */
    private int[][] members(INDArray v) {
        TensorGroups.Partition p = partition(TensorGroups.weightShape(v));
        int[] ids = TensorGroups.groupIds(TensorGroups.weightShape(v), v.ordering(), p.grouping());
        int[] sizes = new int[p.count()];
        for (int id : ids) {
            sizes[id]++;
        }
        int[][] groups = new int[p.count()][];
        for (int g = 0; g < groups.length; g++) {
            groups[g] = new int[sizes[g]];
            sizes[g] = 0;
        }
        for (int flat = 0; flat < ids.length; flat++) {
            groups[ids[flat]][sizes[ids[flat]]++] = flat;
        }
        return groups;
    }

    /** Zeroes all but the N largest |x| of one (short) group; rank counts larger, and equal earlier, members. */
    private void keepLargestInGroup(double[] x, int[] group) {
        if (group.length <= n) {
            return;
        }
        double[] mags = new double[group.length];
        for (int a = 0; a < group.length; a++) {
            if (Double.isNaN(x[group[a]])) {
                throw new IllegalArgumentException("NaN at flat index " + group[a] + ": cannot rank magnitudes");
            }
            mags[a] = Math.abs(x[group[a]]);
        }
        for (int a = 0; a < group.length; a++) {
            int rank = 0;
            for (int b = 0; b < group.length; b++) {
                if (mags[b] > mags[a] || (mags[b] == mags[a] && b < a)) {
                    rank++;
                }
            }
            if (rank >= n) {
                x[group[a]] = 0.0;
            }
        }
    }

    @Override
    public boolean isSparsityPattern() {
        return true;
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        double[] x = FlatValues.readDoubles(v);
        for (int[] group : members(v)) {
            int nonZero = 0;
            for (int flat : group) {
                if (!(Math.abs(x[flat]) <= tolerance)) {
                    nonZero++;
                }
            }
            if (nonZero > n) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "N:M sparsity: at most %d of every %d consecutive inputs per output", n, m);
    }
}
