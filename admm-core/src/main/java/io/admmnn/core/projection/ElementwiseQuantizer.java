package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A constraint set that is a product of per-weight sets (fixed levels), so the projection is the nearest level of
 * each weight on its own: {@code Proj(v)_i = quantize(v_i)}. Progressive snap-and-freeze needs this property.
 */
public interface ElementwiseQuantizer extends Projection {

    /** The nearest admissible value of one weight. */
    double quantize(double x);

    @Override
    default void projectInPlace(INDArray v) {
        if (FlatValues.isDouble(v)) {
            double[] a = FlatValues.readDoubles(v);
            for (int i = 0; i < a.length; i++) {
                a[i] = quantize(a[i]);
            }
            FlatValues.write(v, a);
        } else {
            float[] a = FlatValues.readFloats(v);
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) quantize(a[i]);
            }
            FlatValues.write(v, a);
        }
    }

    /** Whether every weight is within {@code tolerance} of its nearest level. */
    @Override
    default boolean isFeasible(INDArray v, double tolerance) {
        for (double x : FlatValues.readDoubles(v)) {
            if (Math.abs(x - quantize(x)) > tolerance) {
                return false;
            }
        }
        return true;
    }
}
