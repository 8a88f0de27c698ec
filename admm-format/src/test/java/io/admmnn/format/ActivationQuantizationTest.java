package io.admmnn.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The activation quantizer's levels, codes, fitting, DQ export and record round trip. */
class ActivationQuantizationTest {

    @ParameterizedTest(name = "{0} bits, signed {1}")
    @CsvSource({"1, false", "2, false", "4, false", "8, false", "2, true", "3, true", "8, true"})
    void quantizedValuesAreExactlyTheLevelsAndTheNearestOne(int bits, boolean signed) {
        ActivationQuantization q = ActivationQuantization.ofRange(bits, signed, 3.0);
        int levels = signed ? (1 << bits) - 1 : 1 << bits;
        Random random = new Random(bits * 31 + (signed ? 1 : 0));
        TreeSet<Float> seen = new TreeSet<>();
        for (int i = 0; i < 20_000; i++) {
            float x = (float) (random.nextDouble() * 8 - 4);
            float y = q.quantize(x);
            seen.add(y);
            // nearest level by brute force over all levels
            double best = Double.POSITIVE_INFINITY;
            for (int k = signed ? -q.maxCode() : 0; k <= q.maxCode(); k++) {
                best = Math.min(best, Math.abs(k * q.step() - x));
            }
            assertThat(Math.abs(y - x)).isCloseTo((float) best, org.assertj.core.data.Offset.offset(1e-6f));
            assertThat(q.passesGradient(x)).isEqualTo(x >= q.lo() && x <= 3.0);
        }
        assertThat(seen).hasSize(levels);
        assertThat(seen.first()).isEqualTo(signed ? -3f : 0f);
        assertThat(seen.last()).isEqualTo(3f);
        assertThat(q.quantize(0f)).isZero();
    }

    @Test
    void inPlaceQuantizationEqualsElementwise() {
        ActivationQuantization q = ActivationQuantization.ofRange(5, true, 1.7);
        float[] values = new float[1000];
        Random random = new Random(3);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        float[] copy = values.clone();
        q.quantizeInPlace(copy, 0, copy.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(copy[i]).isEqualTo(q.quantize(values[i]));
        }
    }

    @Test
    void roundsHalfToEven() {
        ActivationQuantization q = new ActivationQuantization(4, false, 1.0, 15);
        assertThat(q.quantize(2.5f)).isEqualTo(2f);
        assertThat(q.quantize(3.5f)).isEqualTo(4f);
        assertThat(q.quantize(99f)).isEqualTo(15f);
        assertThat(q.quantize(-1f)).isZero();
        assertThat(q.quantize(Float.NaN)).isNaN();
    }

    @Test
    void dqExportPicksTheSmallestSufficientWidth() {
        // qMax/d = 7: 3 bits unsigned (codes 0..7), 4 bits signed (codes -7..7)
        assertThat(ActivationQuantization.fromStepAndRange(0.5, 3.5, false).bits()).isEqualTo(3);
        assertThat(ActivationQuantization.fromStepAndRange(0.5, 3.5, true).bits()).isEqualTo(4);
        // qMax/d = 8 needs one bit more; qMax snapped to a multiple of d
        ActivationQuantization q = ActivationQuantization.fromStepAndRange(0.5, 4.1, false);
        assertThat(q.bits()).isEqualTo(4);
        assertThat(q.maxCode()).isEqualTo(8);
        assertThat(q.qMax()).isEqualTo(4.0);
        assertThat(ActivationQuantization.bitsOf(null)).isEqualTo(32);
        assertThat(ActivationQuantization.bitsOf(q)).isEqualTo(4);
    }

    @Test
    void fitTakesTheMagnitudePercentileAndTheSign() {
        float[] relu = new float[100];
        for (int i = 0; i < 100; i++) {
            relu[i] = i + 1; // 1..100
        }
        ActivationQuantization max = ActivationQuantization.fit(relu, 8, 100);
        assertThat(max.signed()).isFalse();
        assertThat(max.qMax()).isCloseTo(100.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(ActivationQuantization.fit(relu, 8, 99).qMax()).isCloseTo(99.0, org.assertj.core.data.Offset.offset(1e-9));
        relu[0] = -2;
        assertThat(ActivationQuantization.fit(relu, 8, 100).signed()).isTrue();
        assertThatThrownBy(() -> ActivationQuantization.fit(new float[10], 8, 100))
                .hasMessageContaining("zero");
        assertThatThrownBy(() -> ActivationQuantization.fit(relu, 8, 0)).hasMessageContaining("percentile");
    }

    @Test
    void invalidParametersAreOneLineErrors() {
        assertThatThrownBy(() -> ActivationQuantization.ofRange(1, true, 1)).hasMessageContaining("[2, 16]");
        assertThatThrownBy(() -> ActivationQuantization.ofRange(17, false, 1)).hasMessageContaining("[1, 16]");
        assertThatThrownBy(() -> new ActivationQuantization(3, false, 0.1, 8)).hasMessageContaining("[1, 7]");
        assertThatThrownBy(() -> ActivationQuantization.ofRange(8, false, 0)).hasMessageContaining("range");
    }

    @Test
    void recordRoundTripsAndRejectsGarbage() throws IOException {
        ActivationQuantization q = ActivationQuantization.fromStepAndRange(0.0123, 1.9, true);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        q.write(new DataOutputStream(bytes));
        ActivationQuantization back = ActivationQuantization.read(
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(back).isEqualTo(q);
        byte[] bad = bytes.toByteArray();
        bad[0] = 40;
        assertThatThrownBy(() -> ActivationQuantization.read(new DataInputStream(new ByteArrayInputStream(bad))))
                .isInstanceOf(IOException.class).hasMessageContaining("bits");
    }
}
