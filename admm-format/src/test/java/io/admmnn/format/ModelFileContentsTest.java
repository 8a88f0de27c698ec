package io.admmnn.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Model files with and without activation quantizers; files of earlier builds read unchanged. */
class ModelFileContentsTest {

    private static final Path OLD_FILE = Path.of("../results/lenet-5-hardware-plan/model.admmnn");

    private static ModelFileContents sample(Map<String, ActivationQuantization> activations) {
        WeightRecord w = WeightRecord.encode("fc1", new long[]{2, 3}, 'f', new float[]{0, 1, 0, -1, 0.5f, 0},
                SparseIndexFormat.relative(2)).record();
        return new ModelFileContents(false, "{\"confs\":[]}", List.of(w), new float[]{0.25f, -2f, 3f}, activations);
    }

    @Test
    void activationQuantizersRoundTripInOrder() throws IOException {
        Map<String, ActivationQuantization> a = new LinkedHashMap<>();
        a.put("fc2", ActivationQuantization.ofRange(4, false, 6.5));
        a.put("fc1", ActivationQuantization.fromStepAndRange(0.125, 1.0, true));
        ModelFileContents back = ModelFileContents.parse(sample(a).toBytes(), "test");
        assertThat(back.activations()).containsExactlyEntriesOf(a);
        assertThat(back.activationBits("fc2")).isEqualTo(4);
        assertThat(back.activationBits("fc1")).isEqualTo(5);
        assertThat(back.activationBits("out")).isEqualTo(32);
        assertThat(back.layers().get(0).decode()).containsExactly(0, 1, 0, -1, 0.5f, 0);
    }

    @Test
    void withoutActivationQuantizersTheFileIsVersionOne() throws IOException {
        byte[] bytes = sample(Map.of()).toBytes();
        assertThat(java.nio.ByteBuffer.wrap(bytes, 8, 4).getInt()).isEqualTo(1);
        assertThat(java.nio.ByteBuffer.wrap(sample(Map.of("fc1", ActivationQuantization.ofRange(8, false, 1)))
                .toBytes(), 8, 4).getInt()).isEqualTo(2);
        assertThat(ModelFileContents.parse(bytes, "test").activations()).isEmpty();
    }

    @Test
    void aFileOfAnEarlierBuildReadsWithFloatActivationsAndWritesBackByteForByte() throws IOException {
        byte[] old = Files.readAllBytes(OLD_FILE);
        ModelFileContents contents = ModelFileContents.parse(old, OLD_FILE.toString());
        assertThat(contents.activations()).isEmpty();
        assertThat(contents.activationBits("conv1")).isEqualTo(32);
        assertThat(contents.toBytes()).isEqualTo(old);
    }

    @Test
    void aCorruptQuantizerIsAnErrorNamingTheLayer() throws IOException {
        byte[] bytes = sample(Map.of("fc1", ActivationQuantization.ofRange(8, false, 1))).toBytes();
        // the quantizer's bits byte sits right after the layer name, 8 + 4 + 1 + 1 + 8 + 4 + 8 bytes before the end
        int bitsAt = bytes.length - 8 - 4 - 8 - 1 - 1;
        assertThat(bytes[bitsAt]).isEqualTo((byte) 8);
        bytes[bitsAt] = 0;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 8).putLong(crc.getValue());
        assertThatThrownBy(() -> ModelFileContents.parse(bytes, "m.admmnn")).isInstanceOf(IOException.class)
                .hasMessageContaining("m.admmnn").hasMessageContaining("fc1").hasMessageContaining("bits");
    }
}
