package io.admmnn.runtime.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The vectorised inner loops every kernel shares (JDK Vector API, the CPU's preferred vector width). */
final class Vectors {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private Vectors() {
    }

    /** {@code y[yOff + i] += a * x[xOff + i]} for {@code i < n}. */
    static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        if (bound > 0) {
            FloatVector va = FloatVector.broadcast(SPECIES, a);
            for (; i < bound; i += SPECIES.length()) {
                FloatVector vy = FloatVector.fromArray(SPECIES, y, yOff + i);
                va.fma(FloatVector.fromArray(SPECIES, x, xOff + i), vy).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** {@code sum_k values[k] * x[index[k]]} for {@code k} in {@code [from, to)}: a sparse dot product (gathers). */
    static float sparseDot(float[] values, int[] index, int from, int to, float[] x) {
        int k = from;
        float sum = 0f;
        int n = to - from;
        int bound = from + SPECIES.loopBound(n);
        if (bound > from) {
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; k < bound; k += SPECIES.length()) {
                FloatVector vx = FloatVector.fromArray(SPECIES, x, 0, index, k);
                acc = FloatVector.fromArray(SPECIES, values, k).fma(vx, acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; k < to; k++) {
            sum += values[k] * x[index[k]];
        }
        return sum;
    }
}
