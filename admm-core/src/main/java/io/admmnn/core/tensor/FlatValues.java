package io.admmnn.core.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes the elements of an ND4J array as a Java array in the array's <em>own</em> ordering
 * ('c': row-major, 'f': column-major), so that "flat index i" means the same element everywhere in the
 * framework, including DL4J's flat gradient views of the same parameter.
 *
 * <p><b>Speed.</b> When the array's elements are contiguous in its own ordering (default strides; views with
 * an offset included) and the backend keeps arrays in host memory (the CPU backend), FLOAT and DOUBLE
 * elements are copied in bulk straight between the native buffer and the Java array: one copy instead of
 * ND4J's dup-then-copy on reading and create-cast-assign on writing (3 to 4x faster on AlexNet-sized
 * arrays). Any other array (strided views, other types, other backends) takes the general path.
 */
public final class FlatValues {

    private FlatValues() {
    }

    /** The elements of {@code v} as floats, in {@code v.ordering()} order (a copy). */
    public static float[] readFloats(INDArray v) {
        if (isHostContiguous(v, DataType.FLOAT)) {
            float[] out = new float[Math.toIntExact(v.length())];
            new FloatPointer(v.data().addressPointer()).get(out);
            return out;
        }
        return flatView(v).toFloatVector();
    }

    /** The elements of {@code v} as doubles, in {@code v.ordering()} order (a copy). */
    public static double[] readDoubles(INDArray v) {
        if (isHostContiguous(v, DataType.DOUBLE)) {
            double[] out = new double[Math.toIntExact(v.length())];
            new DoublePointer(v.data().addressPointer()).get(out);
            return out;
        }
        if (isHostContiguous(v, DataType.FLOAT)) {
            float[] floats = readFloats(v);
            double[] out = new double[floats.length];
            for (int i = 0; i < floats.length; i++) {
                out[i] = floats[i];
            }
            return out;
        }
        return flatView(v).toDoubleVector();
    }

    /** Overwrites {@code v}'s elements with {@code values} given in {@code v.ordering()} order. */
    public static void write(INDArray v, float[] values) {
        checkLength(v, values.length);
        if (isHostContiguous(v, DataType.FLOAT)) {
            new FloatPointer(v.data().addressPointer()).put(values);
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            v.assign(Nd4j.create(values, v.shape(), v.ordering()).castTo(v.dataType()));
        }
    }

    /** Overwrites {@code v}'s elements with {@code values} given in {@code v.ordering()} order. */
    public static void write(INDArray v, double[] values) {
        checkLength(v, values.length);
        if (isHostContiguous(v, DataType.DOUBLE)) {
            new DoublePointer(v.data().addressPointer()).put(values);
            return;
        }
        if (isHostContiguous(v, DataType.FLOAT)) {
            // Java's double-to-float conversion rounds to nearest, as ND4J's cast does.
            float[] floats = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                floats[i] = (float) values[i];
            }
            new FloatPointer(v.data().addressPointer()).put(floats);
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            v.assign(Nd4j.create(values, v.shape(), v.ordering()).castTo(v.dataType()));
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
        // The explicit long[] matters: (char, long) arguments would bind to reshape(long rows, long cols),
        // widening the ordering character to a dimension (e.g. 'c' -> 99).
        return v.reshape(v.ordering(), new long[] {v.length()});
    }

    /** Whether the CPU backend is in use, whose buffers live in host memory (CUDA buffers may not). */
    private static final boolean HOST_BACKEND = Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");

    /**
     * Whether {@code v} holds {@code type} elements contiguously, in its own ordering, in host memory, so that
     * its buffer's address pointer (which includes the view offset) starts at flat index 0.
     */
    private static boolean isHostContiguous(INDArray v, DataType type) {
        return HOST_BACKEND && v.dataType() == type && !v.isEmpty() && v.length() > 0
                && Shape.hasDefaultStridesForShape(v) && v.data().length() >= v.length();
    }

    private static void checkLength(INDArray v, int length) {
        if (v.length() != length) {
            throw new IllegalArgumentException("expected " + v.length() + " values, got " + length);
        }
    }
}
