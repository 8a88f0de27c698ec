package io.admmnn.experiments.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFileTest {

    @TempDir
    Path dir;

    private Path write(String name, int magic, int[] dims, int payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        for (int i = 0; i < payload; i++) {
            out.writeByte(i * 7);
        }
        Path p = dir.resolve(name);
        Files.write(p, bytes.toByteArray());
        return p;
    }

    @Test
    void readsImagesAndLabels() throws IOException {
        IdxFile images = IdxFile.read(write("img", 0x803, new int[]{3, 2, 2}, 12));
        assertThat(images.dimensions()).containsExactly(3, 2, 2);
        assertThat(images.count()).isEqualTo(3);
        assertThat(images.itemSize()).isEqualTo(4);
        assertThat(images.value(2, 1)).isEqualTo((9 * 7) & 0xff);
        IdxFile labels = IdxFile.read(write("lbl", 0x801, new int[]{5}, 5));
        assertThat(labels.itemSize()).isEqualTo(1);
        assertThat(labels.value(4, 0)).isEqualTo(28);
    }

    @Test
    void truncatedOrOversizedFilesAreRejectedWithTheReason() throws IOException {
        assertThatThrownBy(() -> IdxFile.read(write("short", 0x803, new int[]{3, 2, 2}, 11)))
                .isInstanceOf(DataException.class).hasMessageContaining("truncated").hasMessageContaining("[3, 2, 2]");
        assertThatThrownBy(() -> IdxFile.read(write("long", 0x801, new int[]{5}, 6)))
                .isInstanceOf(DataException.class).hasMessageContaining("too long");
        Path header = dir.resolve("header");
        Files.write(header, Arrays.copyOf(new byte[]{0, 0, 8, 3, 0, 0}, 6));
        assertThatThrownBy(() -> IdxFile.read(header)).isInstanceOf(DataException.class).hasMessageContaining("truncated");
    }

    @Test
    void wrongMagicOrDimensionsAreRejected() throws IOException {
        assertThatThrownBy(() -> IdxFile.read(write("png", 0x89504e47, new int[]{1}, 1)))
                .isInstanceOf(DataException.class).hasMessageContaining("not an IDX file");
        assertThatThrownBy(() -> IdxFile.read(write("neg", 0x801, new int[]{-4}, 0)))
                .isInstanceOf(DataException.class).hasMessageContaining("corrupt");
        assertThatThrownBy(() -> IdxFile.read(dir.resolve("missing")))
                .isInstanceOf(DataException.class).hasMessageContaining("missing");
    }

    @Test
    void gzipCompressedFilesAreReadTransparently() throws IOException {
        byte[] plain = Files.readAllBytes(write("img", 0x803, new int[]{3, 2, 2}, 12));
        Path gz = dir.resolve("img.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(plain);
        }
        IdxFile images = IdxFile.read(gz);
        assertThat(images.dimensions()).containsExactly(3, 2, 2);
        assertThat(images.value(2, 1)).isEqualTo((9 * 7) & 0xff);
        byte[] packed = Files.readAllBytes(gz);
        Files.write(gz, Arrays.copyOf(packed, packed.length - 12)); // cut inside the deflate stream / trailer
        assertThatThrownBy(() -> IdxFile.read(gz)).isInstanceOf(DataException.class).hasMessageContaining("img.gz");
    }
}
