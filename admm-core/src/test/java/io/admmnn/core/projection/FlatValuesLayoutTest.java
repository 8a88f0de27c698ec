package io.admmnn.core.projection;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.core.tensor.FlatValues;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** FlatValues, which every projection goes through, on views: own-order reads and writes that stay inside. */
class FlatValuesLayoutTest {

    @Test
    void readsAndWritesContiguousAndStridedViewsWithoutTouchingTheParent() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (char order : new char[] {'c', 'f'}) {
                // Rows 1..2 (contiguous at an offset in 'c' order), and columns 1..3 of them (strided).
                for (boolean strided : new boolean[] {false, true}) {
                    INDArray parent = Nd4j.linspace(1, 20, 20, type).reshape(order, 4, 5).dup(order);
                    INDArray before = parent.dup();
                    INDArray view = parent.get(NDArrayIndex.interval(1, 3),
                            strided ? NDArrayIndex.interval(1, 4) : NDArrayIndex.all());
                    double[] expected = view.castTo(DataType.DOUBLE).dup(view.ordering()).data().asDouble();
                    assertThat(FlatValues.readDoubles(view)).containsExactly(expected);
                    float[] floats = FlatValues.readFloats(view);
                    for (int i = 0; i < floats.length; i++) {
                        assertThat(floats[i]).isEqualTo((float) expected[i]);
                    }
                    double[] negated = java.util.Arrays.stream(expected).map(x -> -x).toArray();
                    FlatValues.write(view, negated);
                    assertThat(FlatValues.readDoubles(view)).containsExactly(negated);
                    // Exactly the view's elements changed.
                    INDArray changed = parent.neq(before).castTo(DataType.INT32);
                    assertThat(changed.sumNumber().intValue()).isEqualTo((int) view.length());
                }
            }
        }
    }
}
