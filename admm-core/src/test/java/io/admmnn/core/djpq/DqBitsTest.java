package io.admmnn.core.djpq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.format.ActivationQuantization;
import org.junit.jupiter.api.Test;

class DqBitsTest {

    /** Brute force: the number of distinct levels {@code d * k} in [lo, qMax], and the bits needed to index them. */
    private static int bitsByCountingLevels(double d, double qMax, boolean signed) {
        int levels = 0;
        for (int k = -100_000; k <= 100_000; k++) {
            double v = d * k;
            if (v <= qMax + 1e-12 && v >= (signed ? -qMax : 0) - 1e-12) {
                levels++;
            }
        }
        return (int) Math.ceil(Math.log(levels) / Math.log(2) - 1e-12);
    }

    @Test
    void inferredBitsEqualTheBitsNeededToIndexTheLevels() {
        // Signed levels: 2 qMax/d + 1 values, indexed with ceil(log2(qMax/d + 1) + 1) bits (one code to spare);
        // unsigned: qMax/d + 1 values, exactly ceil(log2(qMax/d + 1)).
        for (int k : new int[]{1, 2, 3, 4, 7, 8, 15, 100, 127, 128}) {
            double d = 0.0173;
            double qMax = k * d;
            assertThat(DqBits.bits(d, qMax, false)).as("unsigned k=%d", k).isEqualTo(bitsByCountingLevels(d, qMax, false));
            int signedLevelsBits = bitsByCountingLevels(d, qMax, true);
            assertThat(DqBits.bits(d, qMax, true)).as("signed k=%d", k).isBetween(signedLevelsBits, signedLevelsBits + 1);
            assertThat(DqBits.bits(d, qMax, true)).isEqualTo(DqBits.bits(d, qMax, false) + 1);
        }
        assertThat(DqBits.bits(1, 127, true)).isEqualTo(8);
        assertThat(DqBits.bits(1, 255, false)).isEqualTo(8);
        assertThat(DqBits.bits(1, 256, false)).isEqualTo(9);
    }

    @Test
    void continuousBitsDerivativesMatchCentralDifferences() {
        double h = 1e-6;
        for (double[] p : new double[][]{{0.1, 1.0}, {0.03, 2.5}, {0.5, 0.6}}) {
            double d = p[0];
            double q = p[1];
            double fdD = (DqBits.continuousBits(d + h, q, true) - DqBits.continuousBits(d - h, q, true)) / (2 * h);
            double fdQ = (DqBits.continuousBits(d, q + h, true) - DqBits.continuousBits(d, q - h, true)) / (2 * h);
            assertThat(DqBits.continuousBitsByStep(d, q)).isCloseTo(fdD, within(1e-6 * Math.abs(fdD) + 1e-8));
            assertThat(DqBits.continuousBitsByRange(d, q)).isCloseTo(fdQ, within(1e-6 * Math.abs(fdQ) + 1e-8));
        }
    }

    @Test
    void powerOfTwoRestrictionRoundsUpAndRecomputesTheStep() {
        assertThat(DqBits.powerOfTwoBits(1)).isEqualTo(2);
        assertThat(DqBits.powerOfTwoBits(3)).isEqualTo(4);
        assertThat(DqBits.powerOfTwoBits(5)).isEqualTo(8);
        assertThat(DqBits.powerOfTwoBits(8)).isEqualTo(8);
        // d = 0.1, qMax = 1.0: signed, log2(11) + 1 = 4.46 -> 5 bits -> 8 bits, step 1 / 127.
        ActivationQuantization f = DqBits.freeze(0.1, 1.0, true, true);
        assertThat(f.bits()).isEqualTo(8);
        assertThat(f.step()).isCloseTo(1.0 / 127, within(1e-15));
        assertThat(f.step()).isEqualTo(DqBits.stepForBits(1.0, 8, true));
        assertThat(DqBits.bits(f.step(), f.qMax(), true)).isEqualTo(8);
        ActivationQuantization plain = DqBits.freeze(0.1, 1.04, true, false);
        assertThat(plain.bits()).isEqualTo(5);
        assertThat(plain.maxCode()).isEqualTo(10);
        assertThat(plain.qMax()).isCloseTo(1.0, within(1e-12)); // snapped to a multiple of d
        assertThat(plain.quantize(0.26)).isCloseTo(0.3, within(1e-12));
        assertThat(plain.quantize(-7.0)).isCloseTo(-1.0, within(1e-12));
        assertThat(DqBits.freeze(0.1, 1.0, false, false).quantize(-0.3)).isZero();
    }

    @Test
    void freezingAgreesWithTheInferredWidthAndCapsPracticallyFloatQuantizers() {
        // The frozen record's width is DqBits.bits of the snapped range, for both signs, over many (d, qMax).
        for (int k = 1; k <= 2000; k += 7) {
            for (boolean signed : new boolean[]{false, true}) {
                double d = 0.013 * (1 + k % 5);
                ActivationQuantization q = DqBits.freeze(d, d * k + 0.3 * d, signed, false);
                assertThat(q.maxCode()).isEqualTo(k);
                assertThat(q.step()).isEqualTo(d);
                assertThat(q.bits()).as("k=%d signed=%b", k, signed).isEqualTo(DqBits.bits(d, d * k, signed));
            }
        }
        assertThat(DqBits.freeze(0.1, 0.01, true, false).maxCode()).isEqualTo(1); // the range is at least one step
        // A 21-bit quantizer (d = qMax * 1e-6, the smallest step training allows) is capped at 16 bits.
        ActivationQuantization wide = DqBits.freeze(1e-6, 1.0, false, false);
        assertThat(wide.bits()).isEqualTo(ActivationQuantization.MAX_BITS);
        assertThat(wide.qMax()).isCloseTo(1.0, within(1e-12));
        assertThat(DqBits.freeze(1e-6, 1.0, true, true).bits()).isEqualTo(ActivationQuantization.MAX_BITS);
    }

    @Test
    void rejectsNonPositiveStepOrRange() {
        assertThatThrownBy(() -> DqBits.bits(0, 1, true)).hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> DqBits.continuousBits(0.1, -1, true)).hasMessageContaining("must be > 0");
        assertThatThrownBy(() -> DqBits.powerOfTwoBits(33)).hasMessageContaining("exceeds 32");
    }
}
