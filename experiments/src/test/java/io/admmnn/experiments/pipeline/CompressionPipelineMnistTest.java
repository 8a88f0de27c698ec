package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.report.PruningReport;
import io.admmnn.experiments.zoo.ZooModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains and prunes LeNet-300-100 on a real MNIST subset. */
class CompressionPipelineMnistTest {

    private static Path mnist;

    /** 12,000 training and 2,000 test images; 10x pruning; short phases (about half a minute on 2 cores). */
    private static CompressionPlan smallPlan() {
        return new CompressionPlan(ZooModel.LENET_300_100.id(), 7, 64, 12000, 2000,
                new CompressionPlan.Training(4, 1e-3, 1.0),
                new CompressionPlan.Admm(3, 1, 1e-3, 0.02, 1.5, 1.0, true, 1, 0),
                new CompressionPlan.Training(3, 5e-4, 0.7),
                Map.of("fc1", 0.92, "fc2", 0.9, "fc3", 0.5), null, new CompressionPlan.Storage(8, 5));
    }

    /**
     * Two progressive pruning stages of {@code rounds} ADMM rounds with one retraining epoch each, then 2 ADMM
     * quantization rounds to {@code bits} and progressive snapping (half, then all) with a quantized retraining epoch.
     */
    private static CompressionPlan progressiveAndQuantized(int train, int test, int pretrainEpochs, int rounds,
                                                           Map<String, Integer> bits) {
        return smallPlan().withLimits(train, test)
                .withPhases(new CompressionPlan.Training(pretrainEpochs, 1e-3, 1),
                        new CompressionPlan.Admm(rounds, 1, 1e-3, 0.02, 1.5, 1, true, 2, 1), new CompressionPlan.Training(1, 5e-4, 1))
                .withQuantize(new CompressionPlan.Quantize(bits, 2, 1, 1e-4, 0.01, 1.5, 1, java.util.List.of(0.5, 1.0), 1, 2e-4));
    }

    @BeforeAll
    static void data() {
        mnist = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.out::println);
    }

    @Test
    void prunesTenfoldAndKeepsAccuracyAndWritesTheReport(@TempDir Path out) throws Exception {
        CompressionPipeline pipeline = new CompressionPipeline(out, mnist, s -> { }, false);
        RunRecord rec = pipeline.run(smallPlan(), "test");

        assertThat(rec.totalWeights()).isEqualTo(266_200);
        assertThat(rec.compression()).isGreaterThanOrEqualTo(10.0);
        assertThat(rec.layers).allSatisfy(l -> assertThat(l.ratio()).isCloseTo(l.targetRatio(),
                org.assertj.core.data.Offset.offset(1e-3)));
        // Known for this data size: the dense net reaches about 94-95 %; pruned and retrained it must stay close.
        double dense = rec.accuracy.get(RunRecord.PRETRAINED);
        double pruned = rec.accuracy.get(RunRecord.AFTER_RETRAIN);
        System.out.printf("small MNIST run: dense %.4f, pruned %.1fx %.4f%n", dense, rec.compression(), pruned);
        assertThat(dense).isGreaterThan(0.92);
        assertThat(pruned).isGreaterThan(0.92).isGreaterThan(dense - 0.015);
        assertThat(rec.admmRounds).hasSize(3);
        assertThat(rec.admmRounds.get(2).layers().get(0).relativePrimal())
                .as("ADMM pulls W towards the sparse set").isLessThan(rec.admmRounds.get(0).layers().get(0).relativePrimal());

        // The saved model really is sparse and has the reported accuracy.
        TrainableNetwork saved = TrainableNetwork.load(out.resolve(CompressionPipeline.MODEL).toFile(), false);
        long kept = saved.constrainableLayers().stream()
                .mapToLong(l -> l.weights().neq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue())
                .sum();
        assertThat(kept).isEqualTo(rec.totalKept());
        var test = io.admmnn.experiments.data.ShuffledBatches.inOrder(Mnist.test(mnist).first(2000), 500);
        assertThat(saved.evaluate(test).accuracy()).isEqualTo(pruned);

        String md = PruningReport.write(rec, out);
        assertThat(md).contains("| **total** | | 266200 |").contains("after masked retraining");
        assertThat(out.resolve("report.json")).exists();
        for (String chart : new String[] {"accuracy.png", "loss.png", "residuals.png", "dual-residuals.png", "kept.png"}) {
            var image = javax.imageio.ImageIO.read(out.resolve(chart).toFile());
            assertThat(image).as(chart + " is a PNG image").isNotNull();
            assertThat(image.getWidth()).isEqualTo(900);
            assertThat(md).contains("](" + chart + ")");
        }
        assertThat(Files.list(out).filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        // The sparsity table is read from the saved model: fc1 keeps 8 % of 235,200 weights, 0 MACs per zero.
        assertThat(md).contains("## Sparsity per layer").contains("| fc1 | [784, 300] | 235200 | 18816 | 92.00% |");
        assertThat(out.resolve(io.admmnn.experiments.report.SparsityTable.JSON_FILE)).content().contains("\"macsPruned\" : 18816");
    }

    @Test
    void aRunCrashedMidwayResumesToTheSameResult(@TempDir Path dir) throws Exception {
        CompressionPlan plan = smallPlan().withLimits(3000, 1000).withPhases(new CompressionPlan.Training(1, 1e-3, 1),
                new CompressionPlan.Admm(2, 1, 1e-3, 0.02, 1.5, 1.0, true, 1, 0), new CompressionPlan.Training(1, 5e-4, 1));
        RunRecord straight = new CompressionPipeline(dir.resolve("a"), mnist, s -> { }, false).run(plan, "test");

        // Crash after the 2nd logged line (inside the first ADMM round), i.e. with a checkpoint from step 1.
        AtomicInteger lines = new AtomicInteger();
        Path crashed = dir.resolve("b");
        assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
            if (lines.incrementAndGet() == 3) {
                throw new IllegalStateException("simulated crash");
            }
        }, false).run(plan, "test")).hasMessage("simulated crash");
        assertThat(crashed.resolve(CompressionPipeline.CHECKPOINT)).exists();
        assertThat(Files.list(crashed).filter(p -> p.toString().endsWith(".tmp"))).isEmpty();

        RunRecord resumed = new CompressionPipeline(crashed, mnist, s -> { }, false).resume("resume");
        assertThat(resumed.resumedAt).hasSize(1);
        assertThat(resumed.accuracy).isEqualTo(straight.accuracy);
        assertThat(resumed.totalKept()).isEqualTo(straight.totalKept());
        var a = TrainableNetwork.load(dir.resolve("a").resolve(CompressionPipeline.MODEL).toFile(), false).model().params();
        var b = TrainableNetwork.load(crashed.resolve(CompressionPipeline.MODEL).toFile(), false).model().params();
        assertThat(b.equalsWithEps(a, 1e-5)).as("same final weights").isTrue();
    }

    /**
     * A crash just as a stage begins (its constraint sets or quantization scales made in memory, nothing saved since
     * the previous step) and just after it, for every stage kind: progressive pruning, hard projection, ADMM
     * quantization, quantization by rounding (the two-stage baseline) and progressive snapping. Each resumes to the
     * uninterrupted run's accuracies, kept weights, scales and weights.
     */
    @Test
    void aRunCrashedAtAnyStageBoundaryResumesToTheSameResult(@TempDir Path dir) throws Exception {
        CompressionPlan admm = progressiveAndQuantized(2000, 500, 1, 1, Map.of("fc1", 3, "fc2", 3, "fc3", 4));
        CompressionPlan twoStage = admm.withPhases(new CompressionPlan.Training(1, 1e-3, 1),
                        new CompressionPlan.Admm(0, 1, 1e-3, 0.02, 1.5, 1, true, 1, 0), new CompressionPlan.Training(1, 5e-4, 1))
                .withQuantize(new CompressionPlan.Quantize(Map.of("fc1", 3, "fc2", 3, "fc3", 4), 0, 1, 1e-4, 0.01, 1.5, 1,
                        java.util.List.of(1.0), 0, null));
        Map<CompressionPlan, java.util.List<String>> crashes = new java.util.LinkedHashMap<>();
        crashes.put(admm, java.util.List.of("ADMM prune-1", "ADMM prune-2", "hard projection stage 2/2",
                "ADMM quantization:", "[quantize round 1/2]", "[quantize] snapped 50%", "[quantize] snapped 100%"));
        crashes.put(twoStage, java.util.List.of("ADMM prune-1", "hard projection", "quantization by rounding:"));
        int plan = 0;
        for (var entry : crashes.entrySet()) {
            Path straightDir = dir.resolve("straight-" + plan);
            RunRecord straight = new CompressionPipeline(straightDir, mnist, s -> { }, false).run(entry.getKey(), "test");
            var straightWeights = TrainableNetwork.load(straightDir.resolve(CompressionPipeline.MODEL).toFile(), false)
                    .model().params();
            for (String line : entry.getValue()) {
                Path crashed = dir.resolve("crashed-" + plan + "-" + line.replaceAll("[^a-z0-9]", ""));
                assertThatThrownBy(() -> new CompressionPipeline(crashed, mnist, s -> {
                    if (s.startsWith(line)) {
                        throw new IllegalStateException("simulated crash");
                    }
                }, false).run(entry.getKey(), "test")).as(line).hasMessage("simulated crash");

                RunRecord resumed = new CompressionPipeline(crashed, mnist, s -> { }, false).resume("resume");
                assertThat(resumed.accuracy).as("crash at '%s'", line).isEqualTo(straight.accuracy);
                assertThat(resumed.quantizationScales).as(line).isEqualTo(straight.quantizationScales);
                assertThat(resumed.totalKept()).as(line).isEqualTo(straight.totalKept());
                var weights = TrainableNetwork.load(crashed.resolve(CompressionPipeline.MODEL).toFile(), false).model().params();
                assertThat(weights.equalsWithEps(straightWeights, 1e-5)).as("same final weights after a crash at '%s'", line)
                        .isTrue();
            }
            plan++;
        }
    }

    /**
     * A user's set that bounds values (top-k clipped to |w| <= 0.05): masked retraining alone moved 11,507 of fc1's
     * kept weights above the bound; retraining must end inside the set, and the report must say so per layer.
     */
    @Test
    void retrainingKeepsALayerInASetThatBoundsValuesAndTheReportSaysSo(@TempDir Path out) throws Exception {
        CompressionPlan base = smallPlan().withLimits(3000, 1000).withPhases(new CompressionPlan.Training(1, 1e-3, 1),
                new CompressionPlan.Admm(1, 1, 1e-3, 0.02, 1.5, 1, true, 1, 0), new CompressionPlan.Training(2, 1e-3, 1));
        CompressionPlan plan = new CompressionPlan(base.model(), base.dataset(), base.seed(), base.batchSize(),
                base.trainLimit(), base.testLimit(), base.pretrain(), base.admm(), base.retrain(), base.pruningRatios(),
                null, base.storage(), Map.of("fc1", new ProjectionSpec(ClippedTopK.class.getName(), null, null, null, null)));
        RunRecord rec = new CompressionPipeline(out, mnist, s -> { }, false).run(plan, "test");

        var fc1 = TrainableNetwork.load(out.resolve(CompressionPipeline.MODEL).toFile(), false).layer("fc1").weights();
        assertThat(new ClippedTopK(0.92).isFeasible(fc1, 1e-6)).as("final fc1 in its set, max |w| %s", fc1.amaxNumber())
                .isTrue();
        var fromFile = io.admmnn.dl4j.format.CompressedModelFile.read(out.resolve(CompressionPipeline.COMPRESSED_MODEL));
        assertThat(new ClippedTopK(0.92).isFeasible(fromFile.layer("fc1").weights(), 1e-6)).as("model.admmnn too").isTrue();
        assertThat(rec.finalSets).extracting(RunRecord.SetMembership::layer).containsExactly("fc1", "fc2", "fc3");
        assertThat(rec.finalSets).allSatisfy(m -> assertThat(m.feasible()).as(m.toString()).isTrue());
        assertThat(rec.layersOutsideTheirSets()).isEmpty();
        assertThat(rec.accuracy.get(RunRecord.AFTER_RETRAIN)).as("still learns").isGreaterThan(0.85);
        assertThat(PruningReport.markdown(rec)).contains("## Constraint sets of the final model")
                .contains("| fc1 | top-k clipped to abs(w) <= 0.05 (ratio 0.92) | yes |");

        // A record whose final weights left a set says so in the report.
        rec.finalSets.set(0, new RunRecord.SetMembership("fc1", "top-k clipped", false));
        assertThat(PruningReport.markdown(rec)).contains("**The final model is outside its constraint sets: fc1 (top-k clipped)**");
    }

    @Test
    void aRunStartsFromASavedNetworkAndComparesWithTheDenseBaselineItCameFrom(@TempDir Path dir) throws Exception {
        CompressionPlan pruning = smallPlan().withLimits(3000, 1000).withPhases(new CompressionPlan.Training(1, 1e-3, 1),
                new CompressionPlan.Admm(1, 1, 1e-3, 0.02, 1.5, 1.0, true, 1, 0), new CompressionPlan.Training(1, 5e-4, 1));
        Path first = dir.resolve("pruned");
        RunRecord pruned = new CompressionPipeline(first, mnist, s -> { }, false).run(pruning, "first command");
        PruningReport.write(pruned, first);

        // Quantize the pruned network only: no training, no ADMM, the same ratios, round to nearest.
        CompressionPlan quantizeOnly = pruning.withPhases(new CompressionPlan.Training(0, 1e-3, 1),
                        new CompressionPlan.Admm(0, 1, 1e-3, 0.02, 1.5, 1.0, true, 1, 0), new CompressionPlan.Training(0, 5e-4, 1))
                .withQuantize(new CompressionPlan.Quantize(Map.of("fc1", 4, "fc2", 4, "fc3", 4), 0, 1, 1e-4, 0.01, 1.5, 1,
                        java.util.List.of(1.0), 0, null))
                .withStartFrom(first.toString());
        RunRecord quantized = new CompressionPipeline(dir.resolve("quantized"), mnist, s -> { }, false)
                .run(quantizeOnly, "second command");

        assertThat(quantized.accuracy.get(RunRecord.PRETRAINED)).as("starts with the saved weights")
                .isEqualTo(pruned.accuracy.get(RunRecord.AFTER_RETRAIN));
        assertThat(quantized.totalKept()).as("the saved zeros are the mask").isEqualTo(pruned.totalKept());
        assertThat(quantized.source.denseBaseline()).isEqualTo(pruned.accuracy.get(RunRecord.PRETRAINED));
        assertThat(quantized.source.command()).isEqualTo("first command");
        assertThat(quantized.source.file()).endsWith(CompressionPipeline.MODEL);
        String md = PruningReport.markdown(quantized);
        assertThat(md).contains("| started from | `" + first.resolve(CompressionPipeline.MODEL))
                .contains("| dense baseline of the run that wrote the starting model | ")
                .contains("change vs the source run's dense baseline");

        CompressionPlan lenet5 = CompressionPlan.preset("quick", ZooModel.LENET_5).withStartFrom(first.toString());
        assertThatThrownBy(() -> new CompressionPipeline(dir.resolve("wrong"), mnist, s -> { }, false).run(lenet5, "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a lenet-5 network");
    }

    @Test
    void aDivergingRoundStopsTheRunAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        // One sane pretraining epoch, then ADMM at a learning rate of 1e15: activations overflow float within the round.
        CompressionPlan plan = smallPlan().withLimits(1000, 500).withPhases(new CompressionPlan.Training(1, 1e-3, 1),
                new CompressionPlan.Admm(2, 1, 1e15, 0.02, 1.5, 1.0, true, 1, 0), new CompressionPlan.Training(1, 5e-4, 1));
        CompressionPipeline pipeline = new CompressionPipeline(dir, mnist, s -> { }, false);
        assertThatThrownBy(() -> pipeline.run(plan, "t")).isInstanceOf(DivergenceException.class)
                .hasMessageStartingWith("training diverged: objective is ")
                .hasMessageEndingWith("The checkpoint after step 1 of 5 is kept in " + dir.resolve(CompressionPipeline.CHECKPOINT) + ".");

        java.io.File checkpoint = dir.resolve(CompressionPipeline.CHECKPOINT).toFile();
        RunRecord kept = RunRecord.fromJson(TrainableNetwork.readCheckpointObject(checkpoint, CompressionPipeline.RECORD_ENTRY));
        assertThat(kept.nextStep).as("the pretraining epoch's checkpoint, not the diverged round's").isEqualTo(1);
        var params = TrainableNetwork.load(checkpoint, true).model().params();
        assertThat(params.isInfinite().any() || params.isNaN().any()).as("finite weights").isFalse();
        assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }

    @Test
    void refusesToOverwriteARunAndRejectsUnknownLayers(@TempDir Path dir) throws Exception {
        CompressionPipeline p = new CompressionPipeline(dir, mnist, s -> { }, false);
        assertThatThrownBy(() -> p.run(smallPlan().withRatios(Map.of("fc9", 0.5)), "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fc9").hasMessageContaining("fc1, fc2, fc3");
        Files.writeString(dir.resolve(CompressionPipeline.CHECKPOINT), "x");
        assertThatThrownBy(() -> p.run(smallPlan(), "t")).hasMessageContaining("already holds a run");
    }

    @Test
    void quantizationStageEndsWithEveryWeightOnItsLevelAndAFileOfTheReportedSize(@TempDir Path out) throws Exception {
        CompressionPlan plan = progressiveAndQuantized(6000, 1000, 2, 2, Map.of("fc1", 3, "fc2", 2, "fc3", 4));
        RunRecord rec = new CompressionPipeline(out, mnist, s -> { }, false).run(plan, "test");

        TrainableNetwork saved = TrainableNetwork.load(out.resolve(CompressionPipeline.MODEL).toFile(), false);
        for (var entry : plan.quantize().bits().entrySet()) {
            var q = new io.admmnn.core.projection.UniformQuantization(entry.getValue(), rec.quantizationScales.get(entry.getKey()));
            assertThat(q.isFeasible(saved.layer(entry.getKey()).weights(), 1e-6)).as(entry.getKey()).isTrue();
        }
        assertThat(rec.compression()).as("quantization kept the pruned zeros").isGreaterThanOrEqualTo(10.0);
        assertThat(rec.accuracy.get(RunRecord.FROM_COMPRESSED_FILE)).isEqualTo(rec.accuracy.get(RunRecord.AFTER_QUANTIZATION));
        assertThat(rec.accuracy.get(RunRecord.AFTER_QUANTIZATION)).isGreaterThan(0.85);
        assertThat(Files.size(out.resolve(CompressionPipeline.COMPRESSED_MODEL))).isEqualTo(rec.storage.fileBytes());
        assertThat(rec.storage.layers().get(1).valueBits()).isLessThanOrEqualTo(2);
        assertThat(rec.stages).hasSize(2);
        assertThat(rec.admmRounds).extracting(RunRecord.RoundEntry::stage).contains("prune stage 1/2", "quantize");
        assertThat(rec.epochs).filteredOn(e -> e.phase().startsWith("quantized retrain")).hasSize(1)
                .allSatisfy(e -> assertThat(e.learningRate()).as("its own rate").isEqualTo(2e-4));
        assertThat(rec.epochs).filteredOn(e -> e.phase().startsWith("admm quantize")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.learningRate()).isEqualTo(1e-4));
        assertThat(PruningReport.markdown(rec)).contains("## Quantization").contains("## Storage").contains("## Progressive");
    }
}
