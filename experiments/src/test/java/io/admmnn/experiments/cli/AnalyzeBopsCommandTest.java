package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code analyze bops} on folders that are not finished runs: one line, exit 2, nothing written. (Its counting is
 * checked on a real run in ChannelBopsPipelineTest.)
 */
class AnalyzeBopsCommandTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void aFolderWithoutReportOrModelIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        assertThat(AdmmNnCli.execute("analyze", "bops", dir.toString())).isEqualTo(2);
        assertThat(console.err().strip()).isEqualTo("error: " + dir + " is not a finished run's results folder: no "
                + "report.json in it");
        Files.writeString(dir.resolve("report.json"), "{}");
        assertThat(AdmmNnCli.execute("analyze", "bops", dir.toString())).isEqualTo(2);
        assertThat(console.err()).contains("no model.zip in it");
        assertThat(Files.readString(dir.resolve("report.json"))).isEqualTo("{}");
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }
}
