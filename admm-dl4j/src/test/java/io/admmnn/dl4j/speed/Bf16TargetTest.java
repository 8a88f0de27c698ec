package io.admmnn.dl4j.speed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

class Bf16TargetTest {

    @BeforeAll
    static void vectorApi() {
        // The surefire argLine adds the incubator module; without it the lean step keeps float targets.
        assertThat(Bf16Target.AVAILABLE).isTrue();
    }

    /** The nearest bfloat16 by brute force: of the two candidates around {@code x}, the closer, ties to the even one. */
    private static float nearest(float x) {
        int bits = Float.floatToRawIntBits(x);
        float down = Float.intBitsToFloat(bits & 0xFFFF0000);
        float up = Float.intBitsToFloat((bits & 0xFFFF0000) + 0x10000);
        double dDown = Math.abs((double) x - down);
        double dUp = Math.abs((double) up - x);
        if (dDown != dUp) {
            return dDown < dUp ? down : up;
        }
        return ((Float.floatToRawIntBits(down) >>> 16) & 1) == 0 ? down : up;
    }

    private static float rounded(float x) {
        return Float.intBitsToFloat(Bf16Target.round(x) << 16);
    }

    @Test
    void roundsToTheNearestBfloat16TiesToEven() {
        Random random = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            // every exponent, and many exact ties (low 16 bits 0x8000)
            int bits = random.nextInt(0x7F7F0000) | (random.nextBoolean() ? 0x80000000 : 0);
            if (i % 4 == 0) {
                bits = (bits & 0xFFFF0000) | 0x8000;
            }
            float x = Float.intBitsToFloat(bits);
            assertThat(rounded(x)).as("%s (%08x)", x, bits).isEqualTo(nearest(x));
            if (Math.abs(x) >= Float.MIN_NORMAL) { // 8 significant bits: half a unit in the last place
                assertThat(Math.abs(rounded(x) - (double) x)).isLessThanOrEqualTo(Math.abs((double) x) / 256);
            }
        }
        assertThat(rounded(1f + 0x1p-8f)).isEqualTo(1f); // tie, to the even 1.0
        assertThat(rounded(1f + 0x3p-8f)).isEqualTo(1f + 0x1p-6f); // tie, to the even neighbour above
        assertThat(rounded(0f)).isEqualTo(0f);
        assertThat(Float.floatToRawIntBits(rounded(-0f))).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(rounded(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(rounded(Float.NaN)).isNaN();
        assertThat(rounded(Float.intBitsToFloat(0x7F800001))).isNaN(); // a NaN whose payload would round to infinity
    }

    /** {@code n} values around 0.05 in size with a few exact zeros, as an ADMM target. */
    private static FloatBuffer target(int n, long seed) {
        Random random = new Random(seed);
        FloatBuffer t = FloatBuffer.allocate(n);
        for (int j = 0; j < n; j++) {
            t.put(j, random.nextInt(5) == 0 ? 0f : (float) (0.05 * random.nextGaussian()));
        }
        return t;
    }

    @Test
    void packedValuesAreTheRoundedTargetInAnyLength() {
        int block = Bf16Target.blockValues();
        for (int n : new int[]{1, block - 1, block, block + 1, 3 * block + 5, 2048 + 37, 5000}) {
            FloatBuffer t = target(n, n);
            int[] packed = new int[Bf16Target.packedLength(n)];
            Bf16Target.pack(t, n, packed);
            assertThat(packed.length).isLessThanOrEqualTo(n / 2 + block);
            for (int j = 0; j < n; j++) {
                assertThat(Bf16Target.value(packed, n, j)).as("n %d, value %d", n, j).isEqualTo(rounded(t.get(j)));
            }
        }
    }

    @Test
    void fusedStepOnTheBfloat16TargetEqualsTheFloatStepOnTheRoundedTarget() {
        // two segments, the second with a tail after its last whole block; several chunks each
        int n1 = 5000;
        int n2 = 2048 + 3 * Bf16Target.blockValues() + 7;
        int total = n1 + n2;
        Random random = new Random(9);
        FloatBuffer params = FloatBuffer.allocate(total);
        FloatBuffer gradient = FloatBuffer.allocate(total);
        FloatBuffer moments = FloatBuffer.allocate(2 * total);
        for (int j = 0; j < total; j++) {
            params.put(j, (float) (0.05 * random.nextGaussian()));
            gradient.put(j, (float) (1e-3 * random.nextGaussian()));
            moments.put(j, (float) (1e-4 * random.nextGaussian()));
            moments.put(total + j, (float) (1e-6 * random.nextDouble()));
        }
        FloatBuffer t1 = target(n1, 1);
        FloatBuffer t2 = target(n2, 2);
        int[] p1 = new int[Bf16Target.packedLength(n1)];
        int[] p2 = new int[Bf16Target.packedLength(n2)];
        Bf16Target.pack(t1, n1, p1);
        Bf16Target.pack(t2, n2, p2);
        FloatBuffer r1 = FloatBuffer.allocate(n1);
        FloatBuffer r2 = FloatBuffer.allocate(n2);
        for (int j = 0; j < n1; j++) {
            r1.put(j, rounded(t1.get(j)));
        }
        for (int j = 0; j < n2; j++) {
            r2.put(j, rounded(t2.get(j)));
        }
        FloatBuffer mask = FloatBuffer.allocate(n2);
        for (int j = 0; j < n2; j++) {
            mask.put(j, random.nextInt(3) == 0 ? 0f : 1f);
        }
        float rho = 0.05f;
        FloatBuffer paramsB = copy(params);
        FloatBuffer gradientB = copy(gradient);
        FloatBuffer momentsB = copy(moments);
        Adam adam = new Adam(1e-3);
        for (int step = 0; step < 3; step++) {
            new FloatAdam().step(adam, step, 0, params, gradient, moments, 0, total, 0,
                    List.of(new FloatAdam.Segment(0, n1, null, p1, rho, null),
                            new FloatAdam.Segment(n1, n2, null, p2, rho, mask)));
            new FloatAdam().step(adam, step, 0, paramsB, gradientB, momentsB, 0, total, 0,
                    List.of(new FloatAdam.Segment(0, n1, r1, null, rho, null),
                            new FloatAdam.Segment(n1, n2, r2, null, rho, mask)));
        }
        assertThat(params.array()).isEqualTo(paramsB.array());
        assertThat(moments.array()).isEqualTo(momentsB.array());
        // and the rounding reached the step: the float targets themselves give other parameters
        FloatBuffer paramsC = copy(params);
        new FloatAdam().step(adam, 3, 0, paramsC, copy(gradient), copy(moments), 0, total, 0,
                List.of(new FloatAdam.Segment(0, n1, t1, null, rho, null),
                        new FloatAdam.Segment(n1, n2, t2, null, rho, mask)));
        new FloatAdam().step(adam, 3, 0, params, gradient, moments, 0, total, 0,
                List.of(new FloatAdam.Segment(0, n1, null, p1, rho, null),
                        new FloatAdam.Segment(n1, n2, null, p2, rho, mask)));
        assertThat(params.array()).isNotEqualTo(paramsC.array());
    }

    private static FloatBuffer copy(FloatBuffer b) {
        return FloatBuffer.wrap(b.array().clone());
    }
}
