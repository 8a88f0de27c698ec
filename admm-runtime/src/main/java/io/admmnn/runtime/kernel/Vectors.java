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

    /**
     * {@code dst[dstOff + i] = max(a[aOff + i], b[bOff + i])} (or their sum when {@code !max}) for {@code i < n},
     * in whole vectors: the last one may read {@code a} and {@code b} and write {@code dst} past {@code n}, up to
     * {@code n} rounded up to a whole vector, so callers give arrays that long (the extra lanes are garbage). A
     * masked or narrower tail would be cleaner, but JDK 17 compiles code that mixes vector species (or masks)
     * poorly everywhere in the JVM, so every kernel sticks to {@link #SPECIES}.
     */
    static void maxOrAdd(boolean max, float[] a, int aOff, float[] b, int bOff, float[] dst, int dstOff, int n) {
        // Two loops, not one choosing per vector: a vector that may come from either operation is boxed.
        if (max) {
            for (int i = 0; i < n; i += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, a, aOff + i).max(FloatVector.fromArray(SPECIES, b, bOff + i))
                        .intoArray(dst, dstOff + i);
            }
        } else {
            for (int i = 0; i < n; i += SPECIES.length()) {
                FloatVector.fromArray(SPECIES, a, aOff + i).add(FloatVector.fromArray(SPECIES, b, bOff + i))
                        .intoArray(dst, dstOff + i);
            }
        }
    }

    /** {@code n} rounded up to whole vectors of {@link #SPECIES}. */
    static int roundUp(int n) {
        return (n + SPECIES.length() - 1) / SPECIES.length() * SPECIES.length();
    }
}
