package io.admmnn.core.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheContentAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("sub/report.json");
        AtomicFile.writeString(target, "old");
        AtomicFile.writeString(target, "new content");
        assertThat(target).hasContent("new content");
        assertThat(names(target.getParent())).containsExactly("report.json");
    }

    @Test
    void aWriterThatFailsHalfWayLeavesTheOldContent() throws IOException {
        Path target = dir.resolve("checkpoint.zip");
        AtomicFile.writeString(target, "previous checkpoint");
        assertThatThrownBy(() -> AtomicFile.write(target, temp -> {
            Files.writeString(temp, "half a chec");
            throw new IOException("disk full");
        })).hasMessage("disk full");
        assertThat(target).hasContent("previous checkpoint");
        assertThat(names(dir)).containsExactly("checkpoint.zip");
    }

    @Test
    void theFileGetsTheSamePermissionsAsAnyNewFileNotPrivateOnes() throws IOException {
        Path plain = Files.createFile(dir.resolve("plain"));
        Path written = dir.resolve("model.admmnn");
        AtomicFile.writeBytes(written, new byte[] {1, 2, 3});
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(written)))
                .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)));
        assertThat(Files.readAllBytes(written)).containsExactly(1, 2, 3);
    }

    @Test
    void leftoversOfAKilledWriterAreRemovedAndNothingElse() throws IOException {
        // What a writer killed between createFile and the rename leaves: its hidden temporary file.
        AtomicFile.writeString(dir.resolve("report.json"), "{}");
        Files.writeString(dir.resolve(".checkpoint.zip.3f2a.tmp"), "half a checkpoint");
        Files.writeString(dir.resolve("notes.tmp"), "the user's own file");
        Files.writeString(dir.resolve(".hidden"), "not ours either");
        assertThat(AtomicFile.removeLeftovers(dir)).isEqualTo(1);
        assertThat(names(dir)).containsExactlyInAnyOrder("report.json", "notes.tmp", ".hidden");
        assertThat(AtomicFile.removeLeftovers(dir.resolve("missing"))).isZero();
    }

    private static String[] names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).toArray(String[]::new);
        }
    }
}
