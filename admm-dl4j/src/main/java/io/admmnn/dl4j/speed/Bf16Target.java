package io.admmnn.dl4j.speed;

import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * An ADMM penalty target {@code T = Z - U} held in bfloat16 (the upper 16 bits of a float, rounded to nearest, ties
 * to even), for {@link FloatAdam#step}: half the memory traffic of the float target, which a W-step reads in full
 * on every training step (LeNet-300-100's fc1 target is 0.94 MB as floats, more than stays in cache between steps,
 * and reading it was two thirds of the ADMM cost of a step). The target changes once per ADMM round, so it is
 * rounded once per round; the penalty gradient {@code rho (W - T)} uses the rounded {@code T'}, with
 * {@code |T' - T| <= 2^-8 |T|} element by element (8 significant bits), so its error is at most
 * {@code rho 2^-8 |T|}; zeros of T (the pruned entries of Z where U is zero) stay exact zeros.
 *
 * <p>Layout, so that expanding needs no lane shuffles: in each block of {@code 2L} values ({@code L} the int lanes
 * of the preferred vector), int {@code k} of the block holds value {@code k} in its lower and value {@code L + k} in
 * its upper 16 bits; a vector of those ints shifted left by 16 is the block's first {@code L} floats, masked to the
 * upper 16 bits its last {@code L}. Values after the last whole block take an int each (bfloat16 in the upper
 * bits). Uses the Vector API (incubator module {@code jdk.incubator.vector}); touch this class only where
 * {@link #AVAILABLE} says the module is there.
 */
final class Bf16Target {

    /** Whether the JVM runs with {@code --add-modules jdk.incubator.vector}, which this class needs. */
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private Bf16Target() {
    }

    /** Holder: loading these classes fails without the incubator module. */
    private static final class Species {
        static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
        static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
        static final int L = INTS.length();
    }

    /** Values per block of the layout: a multiple of it starts every chunk of {@link FloatAdam#step}. */
    static int blockValues() {
        return 2 * Species.L;
    }

    /** The bfloat16 nearest to {@code x} (ties to even), as the upper 16 bits of a float in the low 16 bits of an int. */
    static int round(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) {
            return (bits >>> 16) | 0x40; // a NaN stays a (quiet) NaN rather than rounding to infinity
        }
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    }

    /** Ints {@link #pack} writes for {@code n} values. */
    static int packedLength(int n) {
        int head = n / blockValues() * blockValues();
        return head / 2 + (n - head);
    }

    /** The {@code n} values of {@code t} from its first, rounded to bfloat16, into {@code packed} in the layout above. */
    static void pack(FloatBuffer t, int n, int[] packed) {
        int block = blockValues();
        int l = Species.L;
        int head = n / block * block;
        for (int b = 0; b < head; b += block) {
            for (int k = 0; k < l; k++) {
                packed[b / 2 + k] = round(t.get(b + k)) | (round(t.get(b + l + k)) << 16);
            }
        }
        for (int j = head; j < n; j++) {
            packed[head / 2 + (j - head)] = round(t.get(j)) << 16;
        }
    }

    /** Value {@code j} of the {@code n} that {@code packed} holds, as a float. */
    static float value(int[] packed, int n, int j) {
        int block = blockValues();
        int head = n / block * block;
        if (j >= head) {
            return Float.intBitsToFloat(packed[head / 2 + (j - head)]);
        }
        int r = j % block;
        int p = packed[j / block * Species.L + r % Species.L];
        return Float.intBitsToFloat(r < Species.L ? p << 16 : p & 0xFFFF0000);
    }

    /**
     * {@code g[i] += rho (w[i] - T[start + i])} for {@code i < len}, with {@code T} the {@code n} values {@code packed}
     * holds, as {@code FloatAdam}'s float path computes it (two fused multiply-adds, {@code rho w} first); {@code start}
     * a multiple of {@link #blockValues}.
     */
    static void addPenalty(int[] packed, int n, int start, float[] g, float[] w, int len, float rho) {
        VectorSpecies<Float> fs = Species.FLOATS;
        int l = Species.L;
        int block = 2 * l;
        int head = n / block * block;
        FloatVector rhoV = FloatVector.broadcast(fs, rho);
        FloatVector minusRhoV = FloatVector.broadcast(fs, -rho);
        int i = 0;
        for (; i + block <= len && start + i + block <= head; i += block) {
            IntVector p = IntVector.fromArray(Species.INTS, packed, (start + i) / 2);
            FloatVector lo = p.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector hi = p.and(0xFFFF0000).reinterpretAsFloats();
            FloatVector w0 = FloatVector.fromArray(fs, w, i);
            FloatVector g0 = FloatVector.fromArray(fs, g, i);
            lo.fma(minusRhoV, w0.fma(rhoV, g0)).intoArray(g, i);
            FloatVector w1 = FloatVector.fromArray(fs, w, i + l);
            FloatVector g1 = FloatVector.fromArray(fs, g, i + l);
            hi.fma(minusRhoV, w1.fma(rhoV, g1)).intoArray(g, i + l);
        }
        for (; i < len; i++) {
            g[i] = Math.fma(-rho, value(packed, n, start + i), Math.fma(rho, w[i], g[i]));
        }
    }
}
