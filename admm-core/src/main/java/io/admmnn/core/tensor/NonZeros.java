package io.admmnn.core.tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The number of non-zero entries of an array: the kept weights of a pruned layer. */
public final class NonZeros {

    private NonZeros() {
    }

    /** Entries of {@code w} that are not exactly 0 (NaN counts as non-zero). */
    public static long count(INDArray w) {
        return w.neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
    }
}
