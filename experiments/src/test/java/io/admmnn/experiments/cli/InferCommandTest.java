package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code admm-nn infer DIR} lists each layer's kernel and the runtime's test accuracy beside the run's. */
class InferCommandTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void printsTheKernelPerLayerAndTheAccuracyBesideTheRunsReadBackAccuracy() {
        int code = AdmmNnCli.execute("infer", "../results/lenet-5-quantize-4-4-3-4", "--batch", "1000");

        assertThat(code).isEqualTo(0);
        assertThat(console.out()).containsPattern("ip1 +DenseLayer +kept +0\\.7% \\(2800/400000\\) +sparse")
                .contains("test accuracy 0.9897 (9897/10000 mnist images); the run's read-back accuracy (DL4J) "
                        + "0.9897: equal");
    }

    @Test
    void aMeasuredProfileChoosesEachLayersKernelAndSaysSo(@TempDir Path dir) throws IOException {
        Path profile = dir.resolve("profile.csv");
        // ip1 (0.7 % kept) breaks even at 0.1 %: dense; conv1 is not in the profile: the provisional rule.
        Files.writeString(profile, "layer,batch,kept_fraction,dense_ms,sparse_ms,sparse_over_dense,runtime_dense_ms\n"
                + "ip1,1,0.0005,1,0.5,0.5,1\nip1,1,0.002,1,1.5,1.5,1\n");

        int code = AdmmNnCli.execute("infer", "../results/lenet-5-quantize-4-4-3-4", "--batch", "1000",
                "--kernel-profile", profile.toString());

        assertThat(code).isEqualTo(0);
        assertThat(console.out()).contains("kernel policy: measured (" + profile + ", batch 1, the nearest measured to "
                + "1000; ").containsPattern("ip1 +DenseLayer +kept +0\\.7% \\(2800/400000\\) +dense");
    }

    @Test
    void aFolderWithoutAModelIsAOneLineError() {
        int code = AdmmNnCli.execute("infer", "../results/analysis");

        assertThat(code).isEqualTo(2);
        assertThat(console.err()).startsWith("error: ").doesNotContain("\tat ");
    }
}
