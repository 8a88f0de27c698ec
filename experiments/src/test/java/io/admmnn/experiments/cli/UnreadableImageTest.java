package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.admmnn.experiments.data.DataException;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.RunRecord;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A corrupt PNG among the training images (issue 17): the run stops in one line naming the file instead of waiting
 * forever for a prefetch thread that died, keeps its last checkpoint (or leaves no folder), and with
 * {@code --skip-unreadable-images} completes and counts the file in its report.
 */
class UnreadableImageTest {

    /** Long enough for these tiny runs; a run that hangs fails here instead of blocking the build. */
    private static final Duration LIMIT = Duration.ofSeconds(120);

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    /** Two colour classes of 8x8 PNGs (4 training, 2 validation images each) and a tiny saved CNN for 3x227x227. */
    private Path folder;
    private Path model;
    private Path corrupt;

    private void setUp() throws Exception {
        folder = ImageFolders.colours(dir.resolve("images"), 2, 4, 8);
        corrupt = folder.resolve("train/class1/img_0001.png");
        // AlexNet-sized input, so that only the data differs from a built-in run: conv 27x27 stride 25 gives 9x9x2.
        model = ImageFolders.save(new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(1e-3)).list()
                .layer(new ConvolutionLayer.Builder(27, 27).stride(25, 25).name("features").nOut(2)
                        .activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(227, 227, 3)).build(), dir.resolve("tiny.zip"));
    }

    private String[] prune(Path out, String... more) {
        String[] base = {"prune", "--model", model.toString(), "--dataset", "image-folder", "--data-dir",
                folder.toString(), "--ratio", "features=0.5", "--admm-rounds", "1", "--retrain-epochs", "1",
                "--out", out.toString(), "--no-progress"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void aCorruptTrainingImageStopsTheRunInOneLineNamingItAndLeavesNoEmptyFolder() throws Exception {
        setUp();
        ImageFolders.truncate(corrupt);
        Path out = dir.resolve("out");
        int code = assertTimeoutPreemptively(LIMIT, () -> AdmmNnCli.execute(prune(out)));
        assertThat(code).isEqualTo(2);
        assertThat(console.err()).contains("error: cannot decode image " + corrupt).doesNotContain("\tat ")
                .doesNotContain("Exception in thread");
        assertThat(console.err().lines().filter(l -> l.startsWith("error:"))).hasSize(1);
        assertThat(out).as("no checkpoint was written: no folder is left").doesNotExist();
    }

    @Test
    void anImageThatBreaksAfterACheckpointStopsTheRunAndTheCheckpointIsKept() throws Exception {
        setUp();
        CompressionPlan plan = CompressionPlan.quick(model.toString(), Map.of("features", 0.5))
                .withDataset("image-folder").withPhases(new CompressionPlan.Training(0, 1e-3, 1),
                        new CompressionPlan.Admm(1, 1, 1e-3, 0.01, 1, 0.01, true, 1, 0),
                        new CompressionPlan.Training(1, 1e-3, 1));
        Path out = dir.resolve("broken-later");
        AtomicInteger lines = new AtomicInteger();
        // Line 4 ends the ADMM round; the file goes bad before the retraining epoch reads it again.
        CompressionPipeline pipeline = new CompressionPipeline(out, folder, s -> {
            if (lines.incrementAndGet() == 4) {
                try {
                    ImageFolders.truncate(corrupt);
                } catch (java.io.IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, false);
        assertTimeoutPreemptively(LIMIT, () -> assertThatThrownBy(() -> pipeline.run(plan, "test"))
                .isInstanceOf(DataException.class).hasMessageStartingWith("cannot decode image " + corrupt)
                .hasMessageContaining("is kept in " + out.resolve(CompressionPipeline.CHECKPOINT)));
        assertThat(out.resolve(CompressionPipeline.CHECKPOINT)).exists();
    }

    @Test
    void skippingUnreadableImagesCompletesTheRunAndTheReportCountsThem() throws Exception {
        setUp();
        ImageFolders.truncate(corrupt);
        Path out = dir.resolve("skipping");
        int code = assertTimeoutPreemptively(LIMIT, () -> AdmmNnCli.execute(prune(out, "--skip-unreadable-images")));
        assertThat(code).isZero();
        RunRecord rec = RunRecord.fromJson(Files.readString(out.resolve("report.json")));
        assertThat(rec.unreadableImages).containsExactly(corrupt.toString());
        assertThat(rec.trainImages).isEqualTo(8);
        assertThat(Files.readString(out.resolve("report.md"))).contains("1 unreadable image skipped")
                .contains(corrupt.toString());
    }
}
