package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Shared machinery of the structured projections: a partition of a weight tensor's elements into groups
 * (given as one group id per flat index, computed from each element's coordinates), and the exact
 * projection onto "at most k groups nonzero", which keeps the k groups of largest L2 norm.
 *
 * <p>Only the two weight layouts of {@link Projection} are accepted: dense {@code [nIn, nOut]} (rank 2) and
 * convolution {@code [nOut, nIn, kH, kW]} (rank 4).
 */
final class TensorGroups {

    private TensorGroups() {
    }

    /** Maps an element's coordinates (in the array's own dimension order) to its group id. */
    @FunctionalInterface
    interface Grouping {
        int group(int[] coordinates);
    }

    /** A partition of a weight tensor: {@code count} groups, element to group by {@code grouping}. */
    record Partition(int count, Grouping grouping) {
    }

    /** The shape of a dense or convolution weight as ints; rejects other ranks. */
    static int[] weightShape(INDArray v) {
        if (v.rank() != 2 && v.rank() != 4) {
            throw new IllegalArgumentException("expected a dense [nIn, nOut] or conv [nOut, nIn, kH, kW] weight, "
                    + "got shape " + java.util.Arrays.toString(v.shape()));
        }
        long[] shape = v.shape();
        int[] dims = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            dims[d] = Math.toIntExact(shape[d]);
        }
        return dims;
    }

    /**
     * Group id of every element, indexed by flat index in {@code ordering} ('c': last dimension fastest,
     * 'f': first dimension fastest), matching {@link FlatValues}.
     */
    static int[] groupIds(int[] shape, char ordering, Grouping grouping) {
        long total = 1;
        for (int d : shape) {
            total *= d;
        }
        int[] ids = new int[Math.toIntExact(total)];
        int[] coords = new int[shape.length];
        boolean cOrder = ordering != 'f';
        for (int flat = 0; flat < ids.length; flat++) {
            ids[flat] = grouping.group(coords);
            // Odometer step to the next flat index.
            for (int step = 0; step < shape.length; step++) {
                int d = cOrder ? shape.length - 1 - step : step;
                if (++coords[d] < shape[d]) {
                    break;
                }
                coords[d] = 0;
            }
        }
        return ids;
    }

    /** Sum of squares of each group's elements (NaN rejected). */
    static double[] squaredNorms(double[] x, int[] ids, int groupCount) {
        double[] norms = new double[groupCount];
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(x[i])) {
                throw new IllegalArgumentException("NaN at flat index " + i + ": cannot rank groups");
            }
            norms[ids[i]] += x[i] * x[i];
        }
        return norms;
    }

    /**
     * Exact projection onto "at most {@code kept} groups nonzero": keeps the groups of largest squared norm
     * (ties: lowest group id) and zeroes every element of the others, in place on {@code v}.
     */
    static void keepLargestGroups(INDArray v, Grouping grouping, int groupCount, int kept) {
        int[] ids = groupIds(weightShape(v), v.ordering(), grouping);
        double[] x = FlatValues.readDoubles(v);
        boolean[] keep = MagnitudeSelection.largestMask(squaredNorms(x, ids, groupCount), kept);
        for (int i = 0; i < x.length; i++) {
            if (!keep[ids[i]]) {
                x[i] = 0.0;
            }
        }
        FlatValues.write(v, x);
    }

    /** Whether at most {@code kept} groups have an element with magnitude above {@code tolerance}. */
    static boolean atMostGroupsNonZero(INDArray v, Grouping grouping, int groupCount, int kept, double tolerance) {
        int[] ids = groupIds(weightShape(v), v.ordering(), grouping);
        double[] x = FlatValues.readDoubles(v);
        boolean[] nonZero = new boolean[groupCount];
        int count = 0;
        for (int i = 0; i < x.length; i++) {
            if (!(Math.abs(x[i]) <= tolerance) && !nonZero[ids[i]]) {
                nonZero[ids[i]] = true;
                count++;
            }
        }
        return count <= kept;
    }

    /** Groups kept for a pruning ratio, rounded as {@link TopKSparsity#keptCount} (which also validates it). */
    static int keptGroups(double ratio, int groupCount) {
        return Math.toIntExact(new TopKSparsity(ratio).keptCount(groupCount));
    }

    /** Number of columns of the 2-D matrix view: nOut for dense, {@code nIn * kH * kW} for conv. */
    static int matrixColumns(int[] shape) {
        return shape.length == 2 ? shape[1] : shape[1] * shape[2] * shape[3];
    }

    /** Column of an element in the 2-D matrix view ({@code (c, kh, kw)} flattened row-major for conv). */
    static int matrixColumn(int[] coords, int[] shape) {
        return coords.length == 2 ? coords[1] : (coords[1] * shape[2] + coords[2]) * shape[3] + coords[3];
    }
}
