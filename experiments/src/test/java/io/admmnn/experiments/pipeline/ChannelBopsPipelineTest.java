package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.config.ExperimentFile;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.report.PruningReport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An ADMM run with filter pruning (lenet-5-bops-admm's plan on 1,000 MNIST images, one epoch per phase): its dead
 * channels are folded before the model is saved, the accuracy does not change, BOPs are counted with the removed
 * channels gone, and a run killed during the fold resumes to the same result; {@code analyze bops} counts the same
 * afterwards for a run that did not count them.
 */
class ChannelBopsPipelineTest {

    private static final String PLAN = """
            model: lenet-5
            dataset: mnist
            seed: 42
            batchSize: 50
            trainLimit: 1000
            testLimit: 300
            pretrain: {epochs: 1, learningRate: 1.0e-3}
            admm: {rounds: 1, epochsPerRound: 1, learningRate: 3.0e-4, rho: 0.003}
            retrain: {epochs: 1, learningRate: 5.0e-4}
            quantize:
              bits: {"*": 4}
              rounds: 1
              freezeFractions: [1.0]
              activations:
                bits: {"*": 4}
            layers:
              conv1: {ratio: 0.5, projection: filter}
              conv2: {ratio: 0.52, projection: filter}
              ip1: {ratio: 0.488, projection: filter}
              ip2: {ratio: 0.0}
            """;

    private static Path mnist;

    @BeforeAll
    static void data() {
        mnist = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.out::println);
    }

    @Test
    void filterPrunedRunFoldsItsDeadChannelsAndCountsThemRemoved(@TempDir Path dir) throws Exception {
        CompressionPlan plan = ExperimentFile.parse(PLAN, "bops.yaml");
        Path run = dir.resolve("a");
        RunRecord straight = new CompressionPipeline(run, mnist, System.out::println, false).run(plan, "test");

        BopsTable.Channels c = straight.bopsChannels;
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::layer).containsExactly("conv1", "conv2", "ip1", "ip2");
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::outChannelsKept).containsExactly(10, 24, 256, 10);
        // the next layer's inputs from removed channels are gone too (folded)
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::inChannelsKept).containsExactly(1, 10, 24, 256);
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::macs).containsExactly(144_000L, 384_000L, 98_304L, 2_560L);
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::weightBits).containsOnly(4);
        assertThat(c.bopsReference()).isEqualTo(straight.bops.bopsReference());
        // a kept channel may hold zero weights, a removed one none: never fewer BOPs than on non-zero weights
        assertThat(c.bops()).isGreaterThanOrEqualTo(straight.bops.bopsNonZero());
        assertThat(c.fold()).hasSize(3).allSatisfy(line -> assertThat(line).contains("folded").doesNotContain("not"));
        // exact: the same accuracy before and after, and from the compressed file
        assertThat(c.accuracyAfterFold()).isEqualTo(c.accuracyBeforeFold());
        assertThat(c.accuracyBeforeFold()).isEqualTo(straight.accuracy.get(RunRecord.AFTER_QUANTIZATION));
        assertThat(straight.accuracy.get(RunRecord.FROM_COMPRESSED_FILE)).isEqualTo(c.accuracyAfterFold());
        assertThat(straight.finalSets).allSatisfy(m -> assertThat(m.feasible()).as(m.toString()).isTrue());
        assertThat(RunRecord.fromJson(straight.toJson()).bopsChannels).isEqualTo(c);
        // the saved model is the folded one: ip1 has no weights on conv2's removed maps
        TrainableNetwork saved = TrainableNetwork.load(run.resolve(CompressionPipeline.MODEL).toFile(), false);
        float[] conv2 = FlatValues.readFloats(saved.layer("conv2").weights().dup('c')); // [50][20 x 5 x 5]
        float[] ip1 = FlatValues.readFloats(saved.layer("ip1").weights().dup('c')); // [800][500], row = map x 16 + position
        int removed = 0;
        for (int ch = 0; ch < 50; ch++) {
            if (allZero(conv2, 500 * ch, 500 * ch + 500)) {
                removed++;
                assertThat(allZero(ip1, 16 * ch * 500, (16 * ch + 16) * 500)).as("ip1 on map " + ch).isTrue();
            }
        }
        assertThat(removed).isEqualTo(26);

        String md = PruningReport.write(straight, run);
        assertThat(md).contains("## BOPs with removed channels").contains("| conv2 | 10 / 20 | 24 / 50 | 384,000 | 4 | 4 |")
                .contains(String.format(java.util.Locale.ROOT, "BOPs with removed channels: %,d (%.1fx fewer than 32 x "
                        + "32-bit dense", c.bops(), c.reduction()))
                .contains("dead channels folded into the next layers (exact)");
        assertThat(Files.readString(run.resolve("report.json"))).contains("\"bopsChannels\"").contains("\"inChannelsKept\"");

        INDArray finalWeights = saved.model().params();
        Path crashed = dir.resolve("crashed");
        assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
            if (s.startsWith("dead channels:")) {
                throw new IllegalStateException("simulated crash");
            }
        }, false).run(plan, "test")).hasMessage("simulated crash");
        recountOfARunFromBeforeTheCount(dir, run, crashed, straight);
        RunRecord resumed = new CompressionPipeline(crashed, mnist, s -> { }, false).resume("resume");
        assertThat(resumed.accuracy).isEqualTo(straight.accuracy);
        assertThat(resumed.bopsChannels).isEqualTo(c);
        assertThat(TrainableNetwork.load(crashed.resolve(CompressionPipeline.MODEL).toFile(), false).model().params())
                .isEqualTo(finalWeights);
    }

    /**
     * The two-stage path (admm.rounds 0, quantize.rounds 0) on VGG-7-quarter, whose convolutions all pad their input:
     * the hard projection removes each pruned filter with its bias, masked retraining and quantized retraining keep
     * that bias at 0, so every removed channel outputs ReLU(0) = 0, its next layer's zero padding, and is folded.
     */
    @Test
    void filterPrunedPaddedVggFoldsEveryRemovedChannel(@TempDir Path dir) throws Exception {
        CompressionPlan plan = ExperimentFile.parse("""
                model: vgg-7-quarter
                dataset: mnist
                seed: 42
                batchSize: 50
                trainLimit: 300
                testLimit: 200
                pretrain: {epochs: 1, learningRate: 1.0e-3}
                admm: {rounds: 0, epochsPerRound: 1, learningRate: 3.0e-4, rho: 0.003}
                retrain: {epochs: 1, learningRate: 5.0e-4}
                quantize:
                  bits: {"*": 4}
                  rounds: 0
                  freezeFractions: [0.5, 1.0]
                  epochsPerFreeze: 1
                  activations:
                    bits: {"*": 4}
                layers:
                  "conv*": {ratio: 0.5, projection: filter}
                  fc7: {ratio: 0.5, projection: filter}
                  fc8: {ratio: 0.0}
                """, "vgg.yaml");
        Path run = dir.resolve("vgg");
        RunRecord rec = new CompressionPipeline(run, mnist, System.out::println, false).run(plan, "test");

        BopsTable.Channels c = rec.bopsChannels;
        assertThat(c.fold()).hasSize(7).allSatisfy(line -> assertThat(line).contains("folded").doesNotContain("not"));
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::outChannelsKept)
                .containsExactly(16, 16, 32, 32, 64, 64, 128, 10);
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::inChannelsKept)
                .containsExactly(1, 16, 16, 32, 32, 64, 64, 128);
        assertThat(c.accuracyAfterFold()).isEqualTo(c.accuracyBeforeFold());
        assertThat(rec.accuracy.get(RunRecord.FROM_COMPRESSED_FILE)).isEqualTo(c.accuracyAfterFold());
        TrainableNetwork saved = TrainableNetwork.load(run.resolve(CompressionPipeline.MODEL).toFile(), false);
        for (String layer : java.util.List.of("conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "fc7")) {
            double[] kept = saved.layer(layer).keptUnits().toDoubleVector();
            double[] b = saved.layer(layer).bias().toDoubleVector();
            int removed = 0;
            for (int j = 0; j < b.length; j++) {
                if (kept[j] == 0) {
                    removed++;
                    assertThat(b[j]).as("%s: bias of removed unit %d", layer, j).isEqualTo(0.0);
                }
            }
            assertThat(removed).as(layer).isEqualTo(b.length / 2);
        }
    }

    /**
     * {@code analyze bops} ({@link ChannelRecount}) on a run as the pipeline left it before it counted channels: its
     * model.zip the network before the fold (the crashed run's checkpoint), its report.json without bopsChannels.
     * The count comes back as the run made it; nothing else in report.json and no model file changes.
     */
    private static void recountOfARunFromBeforeTheCount(Path dir, Path run, Path crashed, RunRecord straight)
            throws Exception {
        Path old = Files.createDirectories(dir.resolve("old"));
        TrainableNetwork unfolded = TrainableNetwork.load(crashed.resolve(CompressionPipeline.CHECKPOINT).toFile(), false);
        unfolded.save(old.resolve(CompressionPipeline.MODEL).toFile(), false);
        RunRecord before = RunRecord.fromJson(straight.toJson());
        before.bopsChannels = null;
        before.accuracy.remove(RunRecord.AFTER_CHANNEL_FOLD);
        // such a run counted its BOPs table on the unfolded network: more non-zeros where the fold zeroes inputs
        before.bops = BopsTable.summary(BopsTable.count(unfolded, org.nd4j.linalg.factory.Nd4j.zeros(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, before.exampleShape()), before.plan.quantize().bits()),
                straight.bops.bopsReference());
        assertThat(before.bops.bopsNonZero()).isGreaterThan(straight.bops.bopsNonZero());
        Files.writeString(old.resolve("report.json"), before.toJson());
        byte[] model = Files.readAllBytes(old.resolve(CompressionPipeline.MODEL));
        assertThat(model).isNotEqualTo(Files.readAllBytes(run.resolve(CompressionPipeline.MODEL))); // not folded yet
        String json = Files.readString(old.resolve("report.json"));

        RunRecord counted = ChannelRecount.recount(old, mnist, false, "admm-nn analyze bops old (commit c)", s -> { });
        BopsTable.Channels c = counted.bopsChannels;
        assertThat(c.countedBy()).isEqualTo("admm-nn analyze bops old (commit c)");
        assertThat(c.withCountedBy(null)).isEqualTo(straight.bopsChannels); // rows, totals, fold lines, accuracies
        assertThat(c.accuracyAfterFold()).isEqualTo(c.accuracyBeforeFold());
        RunRecord written = RunRecord.read(old);
        assertThat(written.bopsChannels).isEqualTo(c);
        written.bopsChannels = null;
        assertThat(written.toJson()).isEqualTo(json); // nothing else changed
        assertThat(Files.readAllBytes(old.resolve(CompressionPipeline.MODEL))).isEqualTo(model);
        assertThat(Files.readString(old.resolve("report.md"))).contains("## BOPs with removed channels")
                .contains("in a copy of the saved model").contains("Counted after the run by `admm-nn analyze bops "
                        + "old (commit c)`; the run's model files were not rewritten");

        assertThatThrownBy(() -> ChannelRecount.recount(old, mnist, false, "again", s -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has bopsChannels already (counted by admm-nn analyze bops old (commit c)); "
                        + "--force counts again");
        assertThat(ChannelRecount.recount(old, mnist, true, "forced", s -> { }).bopsChannels)
                .isEqualTo(c.withCountedBy("forced"));
        Files.delete(old.resolve(CompressionPipeline.MODEL));
        assertThatThrownBy(() -> ChannelRecount.recount(old, mnist, true, "x", s -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("no model.zip in it");
    }

    private static boolean allZero(float[] values, int from, int to) {
        for (int i = from; i < to; i++) {
            if (values[i] != 0f) {
                return false;
            }
        }
        return true;
    }
}
