package io.admmnn.dl4j.djpq;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Explicit release of ND4J arrays the DJPQ layers create outside DL4J's workspaces (issue 15): such an array's native
 * buffer is otherwise freed only when the garbage collector collects its Java wrapper, which with a large heap may
 * take gigabytes of off-heap memory.
 */
final class OffHeap {

    private OffHeap() {
    }

    /** Frees {@code a}'s buffer now if it owns one outside any workspace (no-op for views, attached arrays, null). */
    static void release(INDArray a) {
        if (a != null && a.closeable()) {
            a.close();
        }
    }

    /**
     * {@code buffer} if it already has {@code type}, {@code shape} and {@code order}, else a new uninitialized array
     * of them outside any workspace, {@code buffer} released: a buffer kept across forward passes, reallocated only
     * when what it must hold changes.
     */
    static INDArray reuse(INDArray buffer, DataType type, long[] shape, char order) {
        if (buffer != null && buffer.dataType() == type && Arrays.equals(buffer.shape(), shape)
                && buffer.ordering() == order) {
            return buffer;
        }
        release(buffer);
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return Nd4j.createUninitialized(type, shape, order);
        }
    }

    /** {@code view += values}, the values cast to the view's type, leaving no temporary array behind. */
    static void add(INDArray view, double[] values) {
        INDArray d = Nd4j.createFromArray(values);
        INDArray c = d.castTo(view.dataType());
        view.addi(c);
        if (c != d) {
            release(c);
        }
        release(d);
    }
}
