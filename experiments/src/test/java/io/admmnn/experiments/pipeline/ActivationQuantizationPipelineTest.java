package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.zoo.ZooModel;
import io.admmnn.format.ActivationQuantization;
import io.admmnn.format.ModelFileContents;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ADMM runs with activation quantization on a real MNIST subset: trained through, saved, resumed after crashes. */
class ActivationQuantizationPipelineTest {

    private static Path mnist;

    @BeforeAll
    static void data() {
        mnist = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.out::println);
    }

    /** LeNet-300-100: 1 pretraining epoch, 1 ADMM round, 1 retraining epoch, 2 quantization rounds, snap half/all. */
    private static CompressionPlan plan() {
        return new CompressionPlan(ZooModel.LENET_300_100.id(), 7, 64, 2000, 500,
                new CompressionPlan.Training(1, 1e-3, 1.0),
                new CompressionPlan.Admm(1, 1, 1e-3, 0.02, 1.5, 1.0, true, 1, 0),
                new CompressionPlan.Training(1, 5e-4, 1.0),
                Map.of("fc1", 0.9, "fc2", 0.9, "fc3", 0.5),
                new CompressionPlan.Quantize(Map.of("fc1", 4, "fc2", 4, "fc3", 4), 2, 1, 1e-4, 0.01, 1.5, 1,
                        List.of(0.5, 1.0), 1, 2e-4)
                        .withActivations(new CompressionPlan.Activations(Map.of("fc2", 4, "fc3", 3), 99.9, 2)),
                new CompressionPlan.Storage(8, 5));
    }

    @Test
    void aQuantizedActivationRunResumesAfterACrashToTheSameResultAndStoresItsQuantizers(@TempDir Path dir)
            throws Exception {
        Path straightDir = dir.resolve("straight");
        RunRecord straight = new CompressionPipeline(straightDir, mnist, s -> { }, false).run(plan(), "test");
        TrainableNetwork trained = TrainableNetwork.load(straightDir.resolve(CompressionPipeline.MODEL).toFile(), false);
        Map<String, ActivationQuantization> installed = ActivationQuantizers.installed(trained);
        assertThat(installed.keySet()).containsExactly("fc2", "fc3");
        assertThat(installed.get("fc2").bits()).isEqualTo(4);
        assertThat(installed.get("fc3").bits()).isEqualTo(3);
        assertThat(installed.values()).allSatisfy(q -> assertThat(q.signed()).as("after ReLU").isFalse());
        assertThat(ModelFileContents.read(straightDir.resolve(CompressionPipeline.COMPRESSED_MODEL)).activations())
                .containsExactlyEntriesOf(installed);
        assertThat(straight.accuracy.get(RunRecord.FROM_COMPRESSED_FILE))
                .isEqualTo(straight.accuracy.get(RunRecord.AFTER_QUANTIZATION));
        assertThat(straight.accuracy.get(RunRecord.AFTER_QUANTIZATION)).as("still classifies").isGreaterThan(0.7);

        assertThat(straight.bops.layers()).extracting(BopsTable.Row::activationBits).containsExactly(32, 4, 3);
        assertThat(straight.bops.layers()).extracting(BopsTable.Row::weightBits).containsExactly(4, 4, 4);
        // fc1 784 x 300 x 4 x 32 + fc2 300 x 100 x 4 x 4 + fc3 100 x 10 x 4 x 3
        assertThat(straight.bops.bopsDense()).isEqualTo(235_200L * 128 + 30_000L * 16 + 1_000L * 12);
        assertThat(RunRecord.fromJson(straight.toJson()).bops).isEqualTo(straight.bops);
        assertThat(io.admmnn.experiments.report.PruningReport.markdown(straight)).contains("## Bit operations (BOPs)")
                .contains("| fc2 | 30,000 |").contains("| 4 | 4 | 480,000 |");

        io.admmnn.experiments.report.PruningReport.write(straight, straightDir); // as `admm-nn run` does
        assertThat(java.nio.file.Files.readString(straightDir.resolve("report.md"))).contains("## Bit operations (BOPs)");
        // Bits under a BOPs budget from the run's folder: b_a from its quantizers (fc3's 3 bits are no power of two)
        assertThat(console(() -> assertThat(io.admmnn.experiments.cli.AdmmNnCli.execute("analyze", "bits", "--run",
                straightDir.toString(), "--bops-reduction", "20", "--power-of-two")).isEqualTo(2))).isEmpty();
        String table = console(() -> assertThat(io.admmnn.experiments.cli.AdmmNnCli.execute("analyze", "bits", "--run",
                straightDir.toString(), "--bops-reduction", "20", "--bits", "1,2,3,4,8")).isZero());
        assertThat(table).contains("| layer | MACs | b_w | b_a | BOPs |").containsPattern("\\| fc2 \\| 3,000 \\| [1-48] \\| 4 \\|")
                .containsPattern("\\| fc1 \\| [0-9,]+ \\| [1-48] \\| 32 \\|").containsPattern("\\| fc3 \\| 500 \\| [1-48] \\| 3 \\|");
        // b_a set to 8 for all, widths powers of two
        String pow2 = console(() -> assertThat(io.admmnn.experiments.cli.AdmmNnCli.execute("analyze", "bits", "--run",
                straightDir.toString(), "--bops-reduction", "20", "--activation-bits", "8", "--power-of-two")).isZero());
        assertThat(pow2).containsPattern("\\| fc3 \\| 500 \\| [1248] \\| 8 \\|").contains("widths powers of two");
        assertThat(console(() -> assertThat(io.admmnn.experiments.cli.AdmmNnCli.execute("analyze", "bits", "--run",
                straightDir.toString(), "--bops-reduction", "1000000")).isEqualTo(2))).isEmpty();

        var straightWeights = trained.model().params();
        for (String line : List.of("activation quantization (inputs of)", "[quantize round 1/2]",
                "[quantize] snapped 50%")) {
            Path crashed = dir.resolve("crashed-" + line.replaceAll("[^a-z0-9]", ""));
            assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
                if (s.startsWith(line)) {
                    throw new IllegalStateException("simulated crash");
                }
            }, false).run(plan(), "test")).as(line).hasMessage("simulated crash");
            RunRecord resumed = new CompressionPipeline(crashed, mnist, s -> { }, false).resume("resume");
            assertThat(resumed.accuracy).as("crash at '%s'", line).isEqualTo(straight.accuracy);
            TrainableNetwork back = TrainableNetwork.load(crashed.resolve(CompressionPipeline.MODEL).toFile(), false);
            assertThat(ActivationQuantizers.installed(back)).as(line).isEqualTo(installed);
            assertThat(back.model().params().equalsWithEps(straightWeights, 1e-5)).as(line).isTrue();
        }
    }

    @Test
    void aComputationGraphIsRefusedBeforeAnyTraining(@TempDir Path dir) throws Exception {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().seed(1).graphBuilder()
                .addInputs("in").setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(784))
                .addLayer("fc1", new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(20)
                        .activation(org.nd4j.linalg.activations.Activation.RELU).build(), "in")
                .addLayer("fc2", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build(), "fc1")
                .setOutputs("fc2").build();
        var graph = new org.deeplearning4j.nn.graph.ComputationGraph(conf);
        graph.init();
        Path saved = dir.resolve("graph.zip");
        TrainableNetwork.of(graph).save(saved.toFile(), false);
        CompressionPlan p = plan();
        CompressionPlan onGraph = new CompressionPlan(saved.toString(), p.dataset(), p.seed(), p.batchSize(),
                p.trainLimit(), p.testLimit(), p.pretrain(), p.admm(), p.retrain(), Map.of("fc1", 0.9, "fc2", 0.5),
                new CompressionPlan.Quantize(Map.of("fc1", 4), 2, 1, 1e-4, 0.01, 1.5, 1, List.of(1.0), 0, null)
                        .withActivations(new CompressionPlan.Activations(Map.of("fc2", 4), 100, 1)),
                p.storage(), Map.of());
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> new CompressionPipeline(out, mnist, s -> { }, false).run(onGraph, "test"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ComputationGraph");
        assertThat(out).doesNotExist();
    }

    /** What {@code action} prints to standard output. */
    private static String console(Runnable action) {
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(out, true));
        try {
            action.run();
        } finally {
            System.setOut(old);
        }
        return out.toString();
    }
}
