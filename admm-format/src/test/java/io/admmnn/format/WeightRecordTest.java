package io.admmnn.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A layer record reads back exactly what was encoded, densely and as a stream of its non-zeros. */
class WeightRecordTest {

    @ParameterizedTest(name = "{0}, kept {1}, {2} levels")
    @CsvSource({
        "relative:2, 0.05, 8",
        "relative:5, 0.3, 0",
        "bitmask, 0.2, 3",
        "relative:4, 0.9, 5"})
    void recordsRoundTripBitExactly(String format, double kept, int levels) throws Exception {
        Random random = new Random(format.hashCode());
        float[] values = new float[777];
        for (int i = 0; i < values.length; i++) {
            if (random.nextDouble() < kept) {
                values[i] = levels > 0 ? (random.nextInt(2 * levels) - levels + 0.5f) * 0.125f
                        : (float) random.nextGaussian();
            }
        }
        WeightRecord.Encoded encoded = WeightRecord.encode("w", new long[]{21, 37}, 'f', values,
                SparseIndexFormat.parse(format));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        encoded.record().write(new DataOutputStream(bytes));
        WeightRecord back = WeightRecord.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(back.decode()).containsExactly(values);
        List<Integer> positions = new ArrayList<>();
        back.forEachNonZero((p, v) -> {
            assertThat(v).isEqualTo(values[p]).isNotZero();
            positions.add(p);
        });
        assertThat(positions).isSorted().hasSize((int) encoded.storage().nonZeros());
        assertThat(back.isSparse()).isEqualTo(encoded.storage().index() != null);
        assertThat(back.packed().length).isEqualTo(encoded.storage().payloadBytes());
    }
}
