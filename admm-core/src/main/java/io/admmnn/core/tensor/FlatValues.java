package io.admmnn.core.tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes the elements of an ND4J array as a Java array in the array's <em>own</em> ordering
 * ('c': row-major, 'f': column-major), so that "flat index i" means the same element everywhere in the
 * framework, including DL4J's flat gradient views of the same parameter.
 */
public final class FlatValues {

    private FlatValues() {
    }

    /** The elements of {@code v} as floats, in {@code v.ordering()} order (a copy). */
    public static float[] readFloats(INDArray v) {
        return flatView(v).toFloatVector();
    }

    /** The elements of {@code v} as doubles, in {@code v.ordering()} order (a copy). */
    public static double[] readDoubles(INDArray v) {
        return flatView(v).toDoubleVector();
    }

    /** Overwrites {@code v}'s elements with {@code values} given in {@code v.ordering()} order. */
    public static void write(INDArray v, float[] values) {
        checkLength(v, values.length);
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            v.assign(Nd4j.createFromArray(values).reshape(v.ordering(), v.shape()).castTo(v.dataType()));
        }
    }

    /** Overwrites {@code v}'s elements with {@code values} given in {@code v.ordering()} order. */
    public static void write(INDArray v, double[] values) {
        checkLength(v, values.length);
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            v.assign(Nd4j.createFromArray(values).reshape(v.ordering(), v.shape()).castTo(v.dataType()));
        }
    }

    /** A copy of {@code v} with the same shape, ordering and type, allocated outside any workspace. */
    public static INDArray detachedCopy(INDArray v) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return v.dup(v.ordering());
        }
    }

    /** A zero array shaped and ordered like {@code v}, allocated outside any workspace. */
    public static INDArray detachedZerosLike(INDArray v) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(v.dataType(), v.shape(), v.ordering());
        }
    }

    /** Whether {@code v} holds double-precision values (projections then work in double). */
    public static boolean isDouble(INDArray v) {
        return v.dataType() == DataType.DOUBLE;
    }

    /** A rank-1 view (or copy, for non-contiguous views) of {@code v} in its own ordering. */
    public static INDArray flatView(INDArray v) {
        return v.reshape(v.ordering(), new long[]{v.length()});
    }

    private static void checkLength(INDArray v, int length) {
        if (v.length() != length) {
            throw new IllegalArgumentException("expected " + v.length() + " values, got " + length);
        }
    }
}
