package io.admmnn.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SubnormalsTest {

    @Test
    void floatValuesBelowTheThresholdBecomeZeroAndAllOthersAreKept() {
        float[] values = {Float.MIN_VALUE, -1e-39f, 1e-31f, -9.9e-31f, 1.1e-30f, -1e-29f, 0.5f, Float.NaN,
                Float.NEGATIVE_INFINITY, 0f};
        float[] flushed = Subnormals.flushToZero(Nd4j.createFromArray(values)).toFloatVector();
        assertThat(flushed).containsExactly(0f, 0f, 0f, 0f, 1.1e-30f, -1e-29f, 0.5f, Float.NaN,
                Float.NEGATIVE_INFINITY, 0f);
    }

    @Test
    void doubleArraysToo() {
        double[] flushed = Subnormals.flushToZero(Nd4j.createFromArray(Double.MIN_VALUE, -3e-31, 2e-30, 1.0))
                .toDoubleVector();
        assertThat(flushed).containsExactly(0.0, 0.0, 2e-30, 1.0);
    }

    @Test
    void aStridedViewIsFlushedInPlaceAndTheRestOfItsArrayIsUntouched() {
        INDArray m = Nd4j.createFromArray(new float[][] {{1e-35f, 1e-35f}, {2f, 1e-35f}});
        Subnormals.flushToZero(m.getColumn(0));
        assertThat(m.toFloatMatrix()).isEqualTo(new float[][] {{0f, 1e-35f}, {2f, 1e-35f}});
    }
}
