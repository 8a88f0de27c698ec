package io.admmnn.dl4j.session;

import io.admmnn.core.tensor.FlatValues;
import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A plain-Java copy of an ND4J array (shape, ordering, float or double values) for Java serialization
 * inside a model zip; independent of ND4J's own array serialization format.
 */
record ArrayData(long[] shape, char ordering, float[] floats, double[] doubles) implements Serializable {

    static ArrayData of(INDArray a) {
        if (a == null) {
            return null;
        }
        boolean isDouble = a.dataType() == DataType.DOUBLE;
        return new ArrayData(a.shape(), a.ordering(), isDouble ? null : FlatValues.readFloats(a),
                isDouble ? FlatValues.readDoubles(a) : null);
    }

    INDArray toArray() {
        INDArray a = doubles != null ? Nd4j.create(DataType.DOUBLE, shape, ordering)
                : Nd4j.create(DataType.FLOAT, shape, ordering);
        if (doubles != null) {
            FlatValues.write(a, doubles);
        } else {
            FlatValues.write(a, floats);
        }
        return a;
    }
}
