package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code admm-nn compare DIR} writes its report with every side, the checks and the runtime's per-layer profile.
 * Structure only: no timing is asserted (one sample per measurement, a small batch).
 */
class CompareCommandTest {

    private static final String RUN = "../results/lenet-5-quantize-4-4-3-4";

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void theJavaSideWritesTheReportWithTheRuntimesAccuracyAndProfile(@TempDir Path out) throws IOException {
        int code = AdmmNnCli.execute("compare", RUN, "--skip-torch", "--samples", "1", "--batch", "8", "--out",
                out.toString());

        assertThat(code).as(console.err()).isEqualTo(0);
        String md = Files.readString(out.resolve("compare.md"));
        assertThat(md).contains("| DL4J dense |", "| admm-runtime |", "PyTorch was not run (--skip-torch)",
                "admm-runtime: predicted classes agree with DL4J's on 8/8 timed images",
                "admm-runtime's test accuracy 0.9897 (9897/10000 mnist images); the run's read-back accuracy (DL4J) "
                        + "0.9897: equal", "| git commit |", "| threads |", "| BLAS (ours) |")
                .containsPattern("\\| ip1 \\| DenseLayer \\| sparse \\|");
        assertThat(out.resolve("latency.png")).isNotEmptyFile();
        assertThat(out.resolve("throughput.png")).isNotEmptyFile();
    }

    @Test
    void withPyTorchItRunsTheSameNetworkWithTheSameWeightsAndRatesTheTargets(@TempDir Path out) throws IOException {
        Assumptions.assumeTrue(torchAvailable(), "/usr/bin/python3 lacks torch");

        int code = AdmmNnCli.execute("compare", RUN, "--samples", "1", "--batch", "8", "--out", out.toString());

        if (code == 2 && console.err().contains("reference BLAS")) {
            Assumptions.abort("PyTorch runs on the reference BLAS here: " + console.err());
        }
        assertThat(code).as(console.err()).isEqualTo(0);
        assertThat(Files.readString(out.resolve("compare.md"))).contains("| PyTorch dense |",
                "PyTorch (same weights): predicted classes agree with DL4J's on 8/8 timed images",
                "## Targets (issue 14, lenet-5)", "batch-1 latency >= 3x lower than PyTorch dense", "| BLAS (PyTorch) |");
    }

    @Test
    void withoutPyTorchTheCommandFailsInOneLineSayingWhatToInstall() {
        int code = AdmmNnCli.execute("compare", RUN, "--python", "/nonexistent/python3");

        assertThat(code).isEqualTo(2);
        assertThat(console.err().strip()).isEqualTo("error: PyTorch not found for /nonexistent/python3; install it "
                + "with: apt-get install python3-torch libopenblas0-pthread (or run with --skip-torch)");
    }

    private static boolean torchAvailable() {
        try {
            return new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
