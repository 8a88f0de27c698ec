package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.config.ExperimentFile;
import io.admmnn.experiments.data.ChecksummedFiles;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.data.ShuffledBatches;
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
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A researcher's own architecture, trained and saved with DL4J's ModelSerializer, compressed from an experiment
 * file ({@code run}, {@code resume}) and from {@code prune}: layers, classes and input come from the saved network.
 */
class OwnNetworkTest {

    private static final int TEST_IMAGES = 1000;

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @TempDir
    static Path shared;
    private static Path mnist;
    private static Path ownNetwork;
    private static double ownAccuracy;

    /**
     * Not a zoo model: conv "features" 6x5x5 stride 2 (no pooling), dense "hidden" 864-32, "classes" 32-10, trained
     * with its own updater (Nesterov momentum) for one epoch on 3,000 MNIST images.
     */
    @BeforeAll
    static void trainAndSaveOwnNetwork() throws Exception {
        mnist = Mnist.ensureAvailable(Mnist.defaultDirectory(), s -> { });
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).weightInit(WeightInit.XAVIER)
                .updater(new Nesterovs(0.05, 0.9)).list()
                .layer(new ConvolutionLayer.Builder(5, 5).stride(2, 2).name("features").nOut(6)
                        .activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("hidden").nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        TrainableNetwork own = TrainableNetwork.of(net);
        own.fitEpoch(ShuffledBatches.training(Mnist.train(mnist).first(3000), 32, 1));
        ownAccuracy = own.evaluate(ShuffledBatches.inOrder(Mnist.test(mnist).first(TEST_IMAGES), 500)).accuracy();
        ownNetwork = shared.resolve("my-net.zip");
        own.save(ownNetwork.toFile(), false);
    }

    private static String experiment(Path model) {
        return """
                model: %s
                dataset: mnist
                seed: 5
                trainLimit: 3000
                testLimit: %d
                pretrain: {epochs: 0, learningRate: 0.01}
                admm: {rounds: 2, epochsPerRound: 1, learningRate: 0.01, rho: 0.01, rhoGrowth: 2}
                retrain: {epochs: 1, learningRate: 0.01}
                layers:
                  features: {ratio: 0.5, projection: filter}
                  hid*: {ratio: 0.9}
                  classes: {ratio: 0.5}
                """.formatted(model, TEST_IMAGES);
    }

    @Test
    void anExperimentFileCompressesTheSavedNetworkFromItsWeightsAndACrashedRunResumesWithoutIt(@TempDir Path dir)
            throws Exception {
        Path model = dir.resolve("mine.zip");
        Files.copy(ownNetwork, model);
        Path yaml = dir.resolve("own.yaml");
        Files.writeString(yaml, experiment(model));
        Path straight = dir.resolve("straight");
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", straight.toString(), "--no-progress")).isZero();

        RunRecord rec = RunRecord.fromJson(Files.readString(straight.resolve("report.json")));
        assertThat(rec.plan.model()).isEqualTo(model.toString());
        assertThat(rec.source.sha256()).as("the report names the exact file").isEqualTo(ChecksummedFiles.sha256(model));
        assertThat(rec.accuracy.get(RunRecord.PRETRAINED)).as("starts from the saved weights").isEqualTo(ownAccuracy);
        TrainableNetwork pruned = TrainableNetwork.load(straight.resolve(CompressionPipeline.MODEL).toFile(), false);
        var filters = pruned.layer("features").weights(); // [6, 1, 5, 5]: 3 whole filters zero
        long zeroFilters = java.util.stream.IntStream.range(0, 6)
                .filter(f -> filters.slice(f).amaxNumber().doubleValue() == 0).count();
        assertThat(zeroFilters).isEqualTo(3);
        // The pruning kept 10 % of hidden's weights; the saved model has the dead filters' maps folded away too:
        // hidden's weights on them (144 inputs per map of 12 x 12) are zero, and classes' on dead hidden units.
        assertThat(rec.layers.stream().filter(l -> l.layer().equals("hidden")).findFirst().orElseThrow().kept())
                .isEqualTo(27_648 - Math.round(0.9 * 27_648));
        assertThat(nonZeros(pruned, "hidden")).isLessThan(27_648 - Math.round(0.9 * 27_648));
        var hidden = pruned.layer("hidden").weights(); // [864, 32]
        java.util.stream.IntStream.range(0, 6).filter(f -> filters.slice(f).amaxNumber().doubleValue() == 0)
                .forEach(f -> assertThat(hidden.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(144 * f, 144 * f + 144),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()).amaxNumber().doubleValue()).as("map " + f).isZero());
        assertThat(nonZeros(pruned, "classes")).isLessThanOrEqualTo(160);
        assertThat(rec.bopsChannels.layers().get(1).inChannelsKept()).isEqualTo(3); // hidden reads 3 of 6 maps
        double after = rec.accuracy.get(RunRecord.AFTER_RETRAIN);
        System.err.printf("own network: %.4f saved, %.4f pruned %.1fx%n", ownAccuracy, after, rec.compression());
        assertThat(ownAccuracy).isGreaterThan(0.85);
        assertThat(after).isGreaterThan(ownAccuracy - 0.05);
        assertThat(Files.readString(straight.resolve("report.md"))).contains(model.toString());

        // The same plan, crashed in its second ADMM round; then the saved file disappears: the checkpoint
        // holds everything a resumed run needs.
        CompressionPlan plan = ExperimentFile.load(yaml);
        Path crashed = dir.resolve("crashed");
        AtomicInteger lines = new AtomicInteger();
        assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
            if (lines.incrementAndGet() == 5) {
                throw new IllegalStateException("simulated crash");
            }
        }, false).run(plan, "test")).hasMessage("simulated crash");
        Files.delete(model);
        assertThat(AdmmNnCli.execute("resume", crashed.toString(), "--no-progress")).isZero();
        RunRecord resumed = RunRecord.fromJson(Files.readString(crashed.resolve("report.json")));
        assertThat(resumed.resumedAt).hasSize(1);
        assertThat(resumed.accuracy).isEqualTo(rec.accuracy);
        var a = pruned.model().params();
        var b = TrainableNetwork.load(crashed.resolve(CompressionPipeline.MODEL).toFile(), false).model().params();
        assertThat(b.equalsWithEps(a, 1e-5)).as("same final weights as the uninterrupted run").isTrue();
    }

    @Test
    void aNetworkWithDropoutEndsTheSameRepeatedAndResumed(@TempDir Path dir) throws Exception {
        Path model = savedMlp(dir.resolve("dropout.zip"), 784, 64, 0.5);
        CompressionPlan plan = CompressionPlan.quick(model.toString(), java.util.Map.of("hidden", 0.9))
                .withLimits(2000, 500).withPhases(new CompressionPlan.Training(2, 1e-3, 1),
                        new CompressionPlan.Admm(2, 1, 1e-3, 0.01, 1.5, 1, true, 1, 0), new CompressionPlan.Training(1, 5e-4, 1));
        // Each run starts with ND4J's generator elsewhere, as a new process would.
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(12_345);
        var first = runAndLoad(plan, dir.resolve("first"));
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(999);
        var again = runAndLoad(plan, dir.resolve("again"));
        assertThat(again.equalsWithEps(first, 0)).as("the same run twice: dropout masks from (seed, epoch)").isTrue();

        Path crashed = dir.resolve("crashed");
        AtomicInteger lines = new AtomicInteger();
        assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
            if (lines.incrementAndGet() == 4) { // in the first ADMM round, after two pretraining checkpoints
                throw new IllegalStateException("simulated crash");
            }
        }, false).run(plan, "test")).hasMessage("simulated crash");
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(7);
        new CompressionPipeline(crashed, mnist, s -> { }, false).resume("resume");
        var resumed = TrainableNetwork.load(crashed.resolve(CompressionPipeline.MODEL).toFile(), false).model().params();
        assertThat(resumed.equalsWithEps(first, 0)).as("resumed: the same weights to the last bit").isTrue();
    }

    private static org.nd4j.linalg.api.ndarray.INDArray runAndLoad(CompressionPlan plan, Path out) throws Exception {
        new CompressionPipeline(out, mnist, s -> { }, false).run(plan, "test");
        return TrainableNetwork.load(out.resolve(CompressionPipeline.MODEL).toFile(), false).model().params();
    }

    @Test
    void pruneTakesTheSavedNetworkWithRatiosAndSaysWhatIsMissingOrWrong(@TempDir Path dir) throws Exception {
        String own = ownNetwork.toString();
        assertThat(AdmmNnCli.execute("prune", "--model", own, "--out", dir.resolve("a").toString())).isEqualTo(2);
        assertThat(console.err()).contains("needs pruning ratios")
                .contains("{features=150, hidden=27648, classes=320}");
        assertThat(AdmmNnCli.execute("prune", "--model", own, "--preset", "full", "--ratio", "hidden=0.9")).isEqualTo(2);
        assertThat(console.err()).contains("--preset full is tuned for the built-in models");

        Path out = dir.resolve("pruned");
        assertThat(AdmmNnCli.execute("prune", "--model", own, "--ratio", "hidden=0.95", "--train-limit", "2000",
                "--test-limit", "500", "--admm-rounds", "1", "--retrain-epochs", "1", "--admm-lr", "0.01",
                "--retrain-lr", "0.01", "--out", out.toString(), "--no-progress")).isZero();
        RunRecord rec = RunRecord.fromJson(Files.readString(out.resolve("report.json")));
        assertThat(rec.plan.pretrain().epochs()).as("a saved network is the trained model").isZero();
        assertThat(rec.epochs).extracting(RunRecord.EpochEntry::phase).doesNotContain("pretrain");
        TrainableNetwork pruned = TrainableNetwork.load(out.resolve(CompressionPipeline.MODEL).toFile(), false);
        assertThat(nonZeros(pruned, "hidden")).isEqualTo(27_648 - Math.round(0.95 * 27_648));
        assertThat(nonZeros(pruned, "features")).as("layers not named stay dense").isEqualTo(150);
        assertThat(rec.accuracy.get(RunRecord.AFTER_RETRAIN)).isGreaterThan(0.8);

        assertThat(AdmmNnCli.execute("prune", "--model", own, "--ratio", "fc1=0.5", "--out",
                dir.resolve("b").toString())).isEqualTo(2);
        assertThat(console.err()).contains("no layer with weights named 'fc1'; layers with weights: features, hidden, classes");
    }

    @Test
    void aSavedNetworkThatDoesNotFitTheDataOrIsNoNetworkIsAOneLineError(@TempDir Path dir) throws Exception {
        // A dense network for 100 inputs cannot read 784-pixel MNIST rows.
        Path wrongInput = savedMlp(dir.resolve("wrong-input.zip"), 100, 16, 1.0);
        assertThat(AdmmNnCli.execute("prune", "--model", wrongInput.toString(), "--ratio", "hidden=0.5", "--out",
                dir.resolve("a").toString(), "--no-progress")).isEqualTo(2);
        assertThat(console.err()).contains("does not take mnist input")
                .contains("come as [1000, 784] rows of pixels").doesNotContain("\tat ");
        assertThat(dir.resolve("a")).as("a run that cannot start leaves no folder").doesNotExist();

        Path notANetwork = dir.resolve("notes.zip");
        Files.writeString(notANetwork, "not a zip");
        Path yaml = dir.resolve("bad.yaml");
        Files.writeString(yaml, experiment(notANetwork));
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", dir.resolve("b").toString())).isEqualTo(2);
        assertThat(console.err()).contains(yaml + ":1: model: " + notANetwork
                + " is not a saved DL4J network (ModelSerializer zip) or .admmnn file");

        Files.writeString(yaml, experiment(dir.resolve("missing.zip")));
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", dir.resolve("c").toString())).isEqualTo(2);
        assertThat(console.err()).contains(yaml + ":1: model: unknown model '" + dir.resolve("missing.zip")
                + "': not a built-in model (lenet-300-100, lenet-5, vgg-7-quarter, alexnet) and no saved model at");
        assertThat(console.err()).doesNotContain("\tat ");
    }

    /**
     * Saves a network of our own: dense "hidden" ({@code inputs} -> {@code units}, ReLU, dropout keeping
     * {@code retain} of its inputs unless 1), softmax "classes" (10); Adam, seed 3.
     */
    private static Path savedMlp(Path file, int inputs, int units, double retain) throws Exception {
        DenseLayer.Builder hidden = new DenseLayer.Builder().name("hidden").nIn(inputs).nOut(units)
                .activation(Activation.RELU);
        if (retain < 1) {
            hidden.dropOut(retain);
        }
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .updater(new org.nd4j.linalg.learning.config.Adam(1e-3)).list()
                .layer(hidden.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("classes").nIn(units).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        TrainableNetwork.of(net).save(file.toFile(), false);
        return file;
    }

    private static long nonZeros(TrainableNetwork net, String layer) {
        return net.layer(layer).weights().neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
    }
}
