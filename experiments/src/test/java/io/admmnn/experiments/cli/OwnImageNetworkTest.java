package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.experiments.config.ExperimentFile;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Issue 17, point 3: a researcher's own CNN for 32x32 RGB images of 3 classes (CIFAR-sized), saved with
 * ModelSerializer, trains on a folder of 32x32 PNGs through {@code prune}, {@code run} and {@code resume}: the folder
 * is read at the network's input size, and its class count is checked against the network's outputs.
 */
class OwnImageNetworkTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    Path dir;

    /** conv "features" 3x3x4 -> 2x2 max pooling -> dense "hidden" 900-8 -> "classes" 8-{@code classes}. */
    static MultiLayerConfiguration cifarSized(int classes) {
        return new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("features").nOut(4).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("hidden").nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(classes)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(32, 32, 3)).build();
    }

    private static String experiment(Path model) {
        return """
                model: %s
                dataset: image-folder
                seed: 3
                batchSize: 6
                pretrain: {epochs: 2, learningRate: 0.01}
                admm: {rounds: 2, epochsPerRound: 1, learningRate: 0.005, rho: 0.01}
                retrain: {epochs: 1, learningRate: 0.005}
                images: {normalization: mean-std, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]}
                layers:
                  hidden: {ratio: 0.5}
                """.formatted(model);
    }

    /** {@code prune} of {@code model} on {@code folder}, half of "hidden" removed, into {@code out}, more options after. */
    private static int prune(Path model, Path folder, Path out, String... more) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("prune", "--model", model.toString(),
                "--dataset", "image-folder", "--data-dir", folder.toString(), "--ratio", "hidden=0.5", "--out",
                out.toString(), "--no-progress"));
        args.addAll(java.util.List.of(more));
        return AdmmNnCli.execute(args.toArray(String[]::new));
    }

    @Test
    void pruneTrainsTheOwnNetworkOnItsOwnFolderAtItsOwnInputSize() throws Exception {
        Path model = ImageFolders.save(cifarSized(3), dir.resolve("cifar-net.zip"));
        Path folder = ImageFolders.colours(dir.resolve("images"), 3, 6, 32);
        Path out = dir.resolve("pruned");
        assertThat(prune(model, folder, out, "--pretrain-epochs", "2", "--pretrain-lr", "0.01", "--admm-rounds", "2",
                "--retrain-epochs", "1")).isZero();
        RunRecord rec = RunRecord.fromJson(Files.readString(out.resolve("report.json")));
        assertThat(rec.trainImages).isEqualTo(18);
        assertThat(rec.testImages).isEqualTo(9);
        System.err.printf("own 32x32 network: %s%n", rec.accuracy);
        assertThat(rec.accuracy.get(RunRecord.AFTER_RETRAIN)).as("above the 1/3 of chance").isGreaterThan(0.6);
    }

    @Test
    void anExperimentFileRunsItAndACrashedRunResumesToTheSameResult() throws Exception {
        Path model = ImageFolders.save(cifarSized(3), dir.resolve("cifar-net.zip"));
        Path folder = ImageFolders.colours(dir.resolve("images"), 3, 6, 32);
        Path yaml = dir.resolve("own-images.yaml");
        Files.writeString(yaml, experiment(model));
        Path straight = dir.resolve("straight");
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--data-dir", folder.toString(), "--out",
                straight.toString(), "--no-progress")).isZero();
        RunRecord rec = RunRecord.fromJson(Files.readString(straight.resolve("report.json")));
        assertThat(rec.plan.images().normalization()).isEqualTo("mean-std");
        assertThat(rec.accuracy.get(RunRecord.AFTER_RETRAIN)).isGreaterThan(0.6);

        CompressionPlan plan = ExperimentFile.load(yaml);
        Path crashed = dir.resolve("crashed");
        AtomicInteger lines = new AtomicInteger();
        assertThatThrownBy(() -> new CompressionPipeline(crashed, folder, s -> {
            if (lines.incrementAndGet() == 4) { // after the pretraining epochs, in the first ADMM round
                throw new IllegalStateException("simulated crash");
            }
        }, false).run(plan, "test")).hasMessage("simulated crash");
        assertThat(AdmmNnCli.execute("resume", crashed.toString(), "--data-dir", folder.toString(), "--no-progress"))
                .isZero();
        RunRecord resumed = RunRecord.fromJson(Files.readString(crashed.resolve("report.json")));
        assertThat(resumed.resumedAt).hasSize(1);
        assertThat(resumed.accuracy).isEqualTo(rec.accuracy);
    }

    @Test
    void aFolderWithAnotherNumberOfClassesThanTheOutputLayerIsAOneLineError() throws Exception {
        Path model = ImageFolders.save(cifarSized(3), dir.resolve("cifar-net.zip"));
        Path folder = ImageFolders.colours(dir.resolve("images"), 2, 2, 32);
        Path out = dir.resolve("out");
        assertThat(prune(model, folder, out)).isEqualTo(2);
        assertThat(console.err()).contains("error: the image folder has 2 classes (class0, class1), " + model
                + "'s output layer 3 outputs").doesNotContain("\tat ").doesNotContain("1000");
        assertThat(out).doesNotExist();
    }
}
