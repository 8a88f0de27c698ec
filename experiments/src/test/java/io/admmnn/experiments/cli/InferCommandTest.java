package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
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
    void aFolderWithoutAModelIsAOneLineError() {
        int code = AdmmNnCli.execute("infer", "../results/analysis");

        assertThat(code).isEqualTo(2);
        assertThat(console.err()).startsWith("error: ").doesNotContain("\tat ");
    }
}
