package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.config.ConfigException;
import io.admmnn.experiments.config.ExperimentFile;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.inference.RuntimeAccuracy;
import io.admmnn.experiments.report.PruningReport;
import io.admmnn.experiments.report.SeedSummary;
import io.admmnn.experiments.zoo.ZooModel;
import io.admmnn.runtime.model.CompressedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** DJPQ as a method of the pipeline: LeNet-5 on a real MNIST subset, the report, and crash-resume. */
class DjpqPipelineTest {

    private static Path mnist;

    @BeforeAll
    static void data() {
        mnist = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.out::println);
    }

    /** 1,000 training and 200 test images: 1 pretraining, 2 DJPQ and 1 fine-tuning epoch. */
    private static CompressionPlan plan() {
        return CompressionPlan.djpq(ZooModel.LENET_5.id(), "mnist", 7, 50, 1000, 200,
                new CompressionPlan.Training(1, 1e-3, 1),
                new CompressionPlan.Djpq(2, 1e-3, 1, 1e-4, 1, 2.0, false, 8, 8,
                        new CompressionPlan.Training(1, 2e-4, 1), 30), null, null);
    }

    @Test
    void experimentFileSelectsTheMethod() {
        CompressionPlan p = ExperimentFile.load(Path.of("configs/lenet-5-djpq.yaml"));
        assertThat(p.usesDjpq()).isTrue();
        assertThat(p.djpq().finetune().epochs()).isEqualTo(1);
        assertThat(p.djpq().bopsWeight()).isEqualTo(1.0);
        assertThat(Step.of(p)).extracting(Step::kind).containsExactly(Step.Kind.PRETRAIN, Step.Kind.PRETRAIN,
                Step.Kind.DJPQ_TRAIN, Step.Kind.DJPQ_TRAIN, Step.Kind.DJPQ_TRAIN, Step.Kind.DJPQ_FINETUNE);
        assertThatThrownBy(() -> ExperimentFile.parse("method: djpq\nmodel: lenet-5\ndataset: mnist\n"
                + "pretrain: {epochs: 1, learningRate: 1.0e-3}\nlayers: {ip1: {ratio: 0.5}}\n"
                + "djpq: {epochs: 1, learningRate: 1.0e-3, finetune: {epochs: 0, learningRate: 1.0e-4}}\n", "x.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("layers");
        assertThatThrownBy(() -> ExperimentFile.parse("method: dpjq\nmodel: lenet-5\n", "x.yaml"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must be admm or djpq");
    }

    /**
     * The two-stage baseline with DQ-learned bits: a filter-pruned, retrained start (half of conv1's and conv2's and 40 %
     * of ip1's channels all zero), then DJPQ with fixed gates from that results folder. The zero channels are
     * removed and all others kept, the BOPs term lowers the bits, the model file reads back the same accuracy, and a
     * run that crashed in its second DJPQ epoch resumes (frozen gates in the checkpoint) to the same result.
     */
    @Test
    void fixedGatesKeepThePrunedStartsChannelsLearnOnlyTheBitsAndResume(@TempDir Path dir) throws Exception {
        Path start = dir.resolve("prune");
        CompressionPlan prune = new CompressionPlan(ZooModel.LENET_5.id(), "mnist", 7, 50, 1000, 200,
                new CompressionPlan.Training(1, 1e-3, 1), new CompressionPlan.Admm(0, 1, 3e-4, 0.003, 1.5, 0.2, true,
                1, 0), new CompressionPlan.Training(1, 5e-4, 1),
                java.util.Map.of("conv1", 0.5, "conv2", 0.5, "ip1", 0.4, "ip2", 0.0), null,
                CompressionPlan.Storage.DEFAULT, java.util.Map.of("conv1", ProjectionSpec.of("filter"),
                "conv2", ProjectionSpec.of("filter"), "ip1", ProjectionSpec.of("filter")));
        new CompressionPipeline(start, mnist, s -> { }, false).run(prune, "test");
        CompressionPlan fixed = CompressionPlan.djpq(ZooModel.LENET_5.id(), "mnist", 7, 50, 1000, 200,
                new CompressionPlan.Training(0, 1e-3, 1),
                new CompressionPlan.Djpq(2, 1e-3, 1, 1e-4, 1, 2.0, false, 8, 8, new CompressionPlan.Training(1, 2e-4, 1),
                        30, 0, 0.1, CompressionPlan.Djpq.GATES_FIXED), start.toString(), null);
        RunRecord straight = new CompressionPipeline(dir.resolve("a"), mnist, System.out::println, false)
                .run(fixed, "test");
        assertThat(straight.djpq.layers()).extracting(RunRecord.DjpqLayer::keptOut).containsExactly(10, 25, 300, 10);
        assertThat(straight.djpq.layers()).extracting(RunRecord.DjpqLayer::keptIn).containsExactly(1, 10, 25, 300);
        // bits moved: fewer BOPs than the kept channels at the starting 8 x 8 bits
        long startBops = straight.bops.layers().stream().mapToLong(r -> r.macsDense() * 64).sum();
        assertThat((double) straight.bops.bopsDense()).isLessThan(0.9 * startBops);
        assertThat(straight.accuracy.get(RunRecord.AFTER_DJPQ_FINETUNE)).isGreaterThan(0.7);
        assertThat(straight.accuracy.get(RunRecord.FROM_COMPRESSED_FILE))
                .isEqualTo(straight.accuracy.get(RunRecord.AFTER_DJPQ_FINETUNE));
        assertThat(SeedSummary.method(straight.plan)).isEqualTo("two-stage (DQ bits)");
        assertThat(PruningReport.write(straight, dir.resolve("a"))).contains("gates fixed");

        Path crashed = dir.resolve("crash");
        assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
            // not at [djpq 1/2]: with no pretraining, the line comes before the run's first checkpoint
            if (s.contains("[djpq 2/2]")) {
                throw new IllegalStateException("simulated crash");
            }
        }, false).run(fixed, "test")).hasMessage("simulated crash");
        RunRecord resumed = new CompressionPipeline(crashed, mnist, s -> { }, false).resume("resume");
        assertThat(resumed.accuracy).isEqualTo(straight.accuracy);
        assertThat(resumed.djpq).isEqualTo(straight.djpq);
        assertThat(Files.readAllBytes(crashed.resolve(CompressionPipeline.COMPRESSED_MODEL)))
                .isEqualTo(Files.readAllBytes(dir.resolve("a").resolve(CompressionPipeline.COMPRESSED_MODEL)));
    }

    @Test
    void djpqRunPrunesChannelsLowersBopsAndResumesAfterACrashToTheSameResult(@TempDir Path dir) throws Exception {
        RunRecord straight = new CompressionPipeline(dir.resolve("a"), mnist, System.out::println, false)
                .run(plan(), "test");
        RunRecord.DjpqEntry d = straight.djpq;
        assertThat(d.layers()).extracting(RunRecord.DjpqLayer::layer).containsExactly("conv1", "conv2", "ip1", "ip2");
        assertThat(d.bopsReduction()).isGreaterThan(16); // at most 8 x 8 bits everywhere, fewer once trained
        assertThat(straight.accuracy).containsKeys(RunRecord.PRETRAINED, RunRecord.AFTER_DJPQ,
                RunRecord.AFTER_DJPQ_PRUNED, RunRecord.AFTER_DJPQ_FINETUNE);
        // Removing pruned channels changes nothing; folding the gates mu into the weights re-quantizes them as
        // q(mu W) instead of mu q(W) (one grid per layer): close to, not exactly, the DJPQ network's function.
        assertThat(straight.accuracy.get(RunRecord.AFTER_DJPQ_PRUNED))
                .isCloseTo(straight.accuracy.get(RunRecord.AFTER_DJPQ), within(0.05));
        assertThat(straight.accuracy.get(RunRecord.AFTER_DJPQ_FINETUNE)).isGreaterThan(0.7);
        // model.admmnn holds the fine-tuned network: read back by DL4J and run by admm-runtime, the same accuracy.
        Path run = dir.resolve("a");
        assertThat(straight.accuracy.get(RunRecord.FROM_COMPRESSED_FILE))
                .isEqualTo(straight.accuracy.get(RunRecord.AFTER_DJPQ_FINETUNE));
        DatasetId data = DatasetId.byId("mnist");
        RuntimeAccuracy runtime = RuntimeAccuracy.of(CompressedModel.load(run.resolve(CompressionPipeline.COMPRESSED_MODEL)),
                data.testBatches(mnist, straight.plan.testLimit(), 100, 10));
        assertThat(runtime.total()).isEqualTo(straight.testImages);
        assertThat(runtime.accuracy()).isEqualTo(straight.accuracy.get(RunRecord.FROM_COMPRESSED_FILE));
        // The BOPs table: kept channels at the learned bits, against the unpruned 32-bit network, as DJPQ counts it.
        assertThat(straight.bops.layers()).extracting(BopsTable.Row::layer).containsExactly("conv1", "conv2", "ip1", "ip2");
        assertThat(straight.bops.layers()).extracting(BopsTable.Row::weightBits)
                .containsExactlyElementsOf(d.layers().stream().map(RunRecord.DjpqLayer::weightBits).toList());
        assertThat(straight.bops.layers()).extracting(BopsTable.Row::activationBits)
                .containsExactlyElementsOf(d.layers().stream().map(RunRecord.DjpqLayer::activationBits).toList());
        assertThat(straight.bops.bopsReference()).isEqualTo(Math.round(d.denseBops()));
        assertThat((double) straight.bops.bopsDense()).isCloseTo(d.bops(), within(0.5));
        assertThat(straight.bops.reductionDense()).isCloseTo(d.bopsReduction(), within(1e-6 * d.bopsReduction()));
        // The field ADMM runs have: the channels DJPQ kept, less those whose quantized weights are all zero (a gate's
        // mu near 0 folded into them), folded like ADMM's dead channels; no more BOPs than DJPQ's own count.
        BopsTable.Channels c = straight.bopsChannels;
        assertThat(c.bopsReference()).isEqualTo(Math.round(d.denseBops()));
        assertThat((double) c.bops()).isLessThanOrEqualTo(d.bops());
        for (int i = 0; i < d.layers().size(); i++) {
            RunRecord.DjpqLayer l = d.layers().get(i);
            BopsTable.ChannelRow r = c.layers().get(i);
            assertThat(r.inChannels()).isEqualTo(l.inChannels());
            assertThat(r.outChannels()).isEqualTo(l.outChannels());
            assertThat(r.inChannelsKept()).isBetween(1, l.keptIn());
            assertThat(r.outChannelsKept()).isBetween(1, l.keptOut());
        }
        assertThat(c.fold()).hasSize(3);
        assertThat(c.accuracyAfterFold()).isEqualTo(c.accuracyBeforeFold());
        String md = PruningReport.write(straight, run);
        assertThat(md).contains("# DJPQ").contains("## DJPQ: channels and bit widths per layer").contains("fewer**")
                .contains("after fine-tuning").contains("## Bit operations (BOPs)")
                .contains("before its channels were removed")
                .contains("## BOPs with removed channels");
        byte[] file = Files.readAllBytes(run.resolve(CompressionPipeline.COMPRESSED_MODEL));

        INDArray finalWeights = TrainableNetwork.load(dir.resolve("a").resolve(CompressionPipeline.MODEL).toFile(), false)
                .model().params();
        // A crash right after the DJPQ layers were inserted (nothing saved since), one after the first DJPQ epoch's
        // checkpoint, one right after the channels were removed (fine-tuning not saved yet).
        for (String line : List.of("DJPQ: conv1", "[djpq 1/2]", "pruned channels removed")) {
            Path crashed = dir.resolve("crash-" + line.replaceAll("[^a-z0-9]", ""));
            assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
                if (s.contains(line)) {
                    throw new IllegalStateException("simulated crash");
                }
            }, false).run(plan(), "test")).as(line).hasMessage("simulated crash");
            RunRecord resumed = new CompressionPipeline(crashed, mnist, s -> { }, false).resume("resume");
            assertThat(resumed.accuracy).as(line).isEqualTo(straight.accuracy);
            assertThat(resumed.djpq).as(line).isEqualTo(straight.djpq);
            INDArray weights = TrainableNetwork.load(crashed.resolve(CompressionPipeline.MODEL).toFile(), false)
                    .model().params();
            assertThat(weights).as(line).isEqualTo(finalWeights);
            assertThat(Files.readAllBytes(crashed.resolve(CompressionPipeline.COMPRESSED_MODEL))).as(line).isEqualTo(file);
            assertThat(resumed.bops).as(line).isEqualTo(straight.bops);
            assertThat(resumed.bopsChannels).as(line).isEqualTo(straight.bopsChannels);
        }
    }
}
