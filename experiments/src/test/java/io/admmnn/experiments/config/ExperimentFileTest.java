package io.admmnn.experiments.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.core.projection.BlockSparsity;
import io.admmnn.core.projection.FilterSparsity;
import io.admmnn.core.projection.NmSparsity;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.ProjectionSpec;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.zoo.ZooModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentFileTest {

    /** A valid file; the tests below break one line of it at a time (line numbers in comments). */
    private static final String VALID = """
            model: lenet-300-100
            dataset: mnist
            pretrain: {epochs: 1, learningRate: 1.0e-3}
            admm:
              rounds: 2
              epochsPerRound: 1
              learningRate: 1.0e-3
              rho: 0.02
            retrain: {epochs: 1, learningRate: 5.0e-4}
            layers:
              fc1: {ratio: 0.9}
              fc2: {ratio: 0.8}
              fc3: {ratio: 0.5}
            """;

    private static String errorOf(String yaml) {
        try {
            ExperimentFile.parse(yaml, "bad.yaml");
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    @Test
    void everyExampleFileLoads() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("configs"))) { // the kill-resume-check's experiments too
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(9);
        for (Path f : files) {
            CompressionPlan plan = ExperimentFile.load(f);
            if (plan.usesDjpq()) { // no per-layer targets: DJPQ learns which channels and bits to keep
                assertThat(plan.pruningRatios()).as(f.toString()).isEmpty();
                continue;
            }
            assertThat(plan.pruningRatios()).as(f.toString()).isNotEmpty();
            for (int stage = 0; stage < plan.admm().stages(); stage++) {
                assertThat(CompressionPipeline.pruneConstraints(plan, stage)).hasSameSizeAs(plan.pruningRatios());
            }
        }
    }

    @Test
    void examplesOfThePresetsAreThePresets() {
        assertThat(ExperimentFile.load(Path.of("configs/lenet-5-admm.yaml")))
                .isEqualTo(CompressionPlan.preset("full", ZooModel.LENET_5));
        assertThat(ExperimentFile.load(Path.of("configs/lenet-300-100-admm.yaml")))
                .isEqualTo(CompressionPlan.preset("full", ZooModel.LENET_300_100));
        assertThat(ExperimentFile.load(Path.of("configs/lenet-300-100-quick.yaml")))
                .isEqualTo(CompressionPlan.preset("quick", ZooModel.LENET_300_100));
    }

    @Test
    void patternsAndStructuredProjectionsBuildEachLayersConstraint() {
        CompressionPlan plan = ExperimentFile.load(Path.of("configs/lenet-5-structured.yaml"));
        assertThat(plan.pruningRatios()).containsExactly(Map.entry("conv1", 0.5), Map.entry("conv2", 0.5),
                Map.entry("ip1", 0.9), Map.entry("ip2", 0.5));
        assertThat(plan.quantize().bits()).containsOnlyKeys("conv1", "conv2", "ip1", "ip2").containsValue(3);
        Map<String, Projection> c = CompressionPipeline.pruneConstraints(plan, 0);
        assertThat(c.get("conv1")).isEqualTo(new FilterSparsity(0.5));
        assertThat(c.get("conv2")).isEqualTo(new FilterSparsity(0.5));
        assertThat(c.get("ip1")).isEqualTo(new BlockSparsity(4, 4, 0.9));
        assertThat(c.get("ip2")).isEqualTo(new NmSparsity(2, 4));
    }

    @Test
    void theLenet5BopsDjpqExperimentsStartLikeTheAdmmOneAndStopAtTheirBopsTarget() throws IOException {
        for (String f : new String[]{"configs/lenet-5-bops-djpq.yaml", "configs/lenet-5-bops-djpq-pow2.yaml"}) {
            CompressionPlan djpq = ExperimentFile.load(Path.of(f));
            // lenet-5-bops-admm.yaml's pretraining and seed: the same dense start
            assertThat(djpq.pretrain()).as(f).isEqualTo(new CompressionPlan.Training(5, 1e-3, 0.8));
            assertThat(djpq.seed()).as(f).isEqualTo(42);
            assertThat(djpq.djpq().targetReduction()).as(f).isGreaterThan(200);
        }
        String yaml = Files.readString(Path.of("configs/lenet-5-bops-djpq.yaml"));
        assertThat(ExperimentFile.parse(yaml.replaceAll("targetReduction: .*", "targetReduction: 0"), "t.yaml")
                .djpq().targetReduction()).isZero(); // 0: off, the paper's fixed beta
        assertThat(errorOf(yaml.replaceAll("targetReduction: .*", "targetReduction: 0.5")))
                .contains("djpq.targetReduction").contains("must be 0 (off) or > 1");
        assertThat(ExperimentFile.parse(yaml.replaceAll("  quantizerLearningRateFactor: .*\n", ""), "t.yaml").djpq()
                .quantizerLearningRateFactor()).isEqualTo(1.0); // the default: the weights' rate
        assertThat(errorOf(yaml.replaceAll("quantizerLearningRateFactor: .*", "quantizerLearningRateFactor: 0")))
                .contains("djpq.quantizerLearningRateFactor");
    }

    @Test
    void theTwoStageDqExperimentsQuantizeThePruneStageWithFixedGatesAndTheDjpqSettings() throws IOException {
        CompressionPlan twoStage = ExperimentFile.load(Path.of("configs/lenet-5-bops-two-stage.yaml"));
        CompressionPlan prune = ExperimentFile.load(Path.of("configs/lenet-5-bops-prune.yaml"));
        assertThat(prune.quantizes()).isFalse();
        assertThat(prune).isEqualTo(twoStage.withQuantize(null)); // stage 1 of the fixed-bit baseline, alone
        CompressionPlan djpq = ExperimentFile.load(Path.of("configs/lenet-5-bops-djpq.yaml"));
        for (String f : new String[]{"configs/lenet-5-bops-two-stage-dq.yaml",
                "configs/lenet-5-bops-two-stage-dq-pow2.yaml"}) {
            CompressionPlan dq = ExperimentFile.load(Path.of(f));
            CompressionPlan.Djpq d = dq.djpq();
            assertThat(d.fixedGates()).as(f).isTrue();
            assertThat(Path.of(dq.startFrom()).endsWith(Path.of("results/lenet-5-bops-prune/prune-s42"))).as(f).isTrue();
            assertThat(dq.pretrain().epochs()).as(f).isZero();
            assertThat(d.targetReduction()).as(f).isEqualTo(233);
            assertThat(d.powerOfTwo()).as(f).isEqualTo(f.contains("pow2"));
            CompressionPlan.Djpq ref = djpq.djpq();
            assertThat(List.of(d.epochs(), d.learningRate(), d.learningRateDecay(), d.bopsWeight(),
                    d.initialWeightBits(), d.initialActivationBits(), d.quantizerLearningRateFactor(), d.finetune()))
                    .as(f).isEqualTo(List.of(ref.epochs(), ref.learningRate(), ref.learningRateDecay(),
                            ref.bopsWeight(), ref.initialWeightBits(), ref.initialActivationBits(),
                            ref.quantizerLearningRateFactor(), ref.finetune()));
        }
        assertThat(djpq.djpq().fixedGates()).isFalse(); // learned, the default
        String yaml = Files.readString(Path.of("configs/lenet-5-bops-djpq.yaml"));
        assertThat(errorOf(yaml.replace("djpq:\n", "djpq:\n  gates: frozen\n"))).contains("djpq")
                .contains("gates must be learned or fixed");
        // run records from before the key existed read as learned gates
        assertThat(RunRecord.read(Path.of("../results/lenet-5-bops-djpq-stale-weights/djpq-s42")).plan.djpq().gates())
                .isEqualTo(CompressionPlan.Djpq.GATES_LEARNED);
    }

    @Test
    void vggFashionExperimentsAreDjpqAndFilterPrunedAdmmWithActivationBitsAndTheirShortVariantsDifferOnlyInLength() {
        CompressionPlan djpq = ExperimentFile.load(Path.of("configs/vgg-7-quarter-fashion-djpq.yaml"));
        CompressionPlan admm = ExperimentFile.load(Path.of("configs/vgg-7-quarter-fashion-admm.yaml"));
        assertThat(djpq.usesDjpq()).isTrue();
        assertThat(admm.usesDjpq()).isFalse();
        for (CompressionPlan p : List.of(djpq, admm)) {
            assertThat(p.model()).isEqualTo(ZooModel.VGG_7_QUARTER.id());
            assertThat(p.dataset()).isEqualTo("fashion-mnist");
            assertThat(p.pretrain()).isEqualTo(djpq.pretrain()); // same dense start for both methods
        }
        Map<String, Projection> c = CompressionPipeline.pruneConstraints(admm, 0);
        assertThat(c).containsOnlyKeys("conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "fc7", "fc8");
        assertThat(c.get("fc8")).isEqualTo(new TopKSparsity(0.0)); // in the session so that it is quantized
        assertThat(c.get("conv1")).isEqualTo(new FilterSparsity(0.25));
        assertThat(c.get("conv6")).isEqualTo(new FilterSparsity(0.5));
        assertThat(admm.quantize().activations().bits()).containsOnlyKeys(ZooModel.VGG_7_QUARTER.weightCounts().keySet());

        for (String method : new String[]{"djpq", "admm"}) {
            CompressionPlan full = ExperimentFile.load(Path.of("configs/vgg-7-quarter-fashion-" + method + ".yaml"));
            CompressionPlan shortRun = ExperimentFile.load(
                    Path.of("configs/vgg-7-quarter-fashion-" + method + "-short.yaml"));
            assertThat(shortRun.trainLimit()).isEqualTo(2000);
            assertThat(shortRun.testLimit()).isEqualTo(1000);
            assertThat(shortRun.pretrain().epochs()).isEqualTo(1);
            assertThat(shortRun.pruningRatios()).isEqualTo(full.pruningRatios());
            if (full.quantizes()) {
                assertThat(shortRun.quantize().bits()).isEqualTo(full.quantize().bits());
                assertThat(shortRun.quantize().activations()).isEqualTo(full.quantize().activations());
            }
        }
    }

    @Test
    void progressiveStagesPassTheirStageRatioToTheFactory() {
        CompressionPlan plan = ExperimentFile.parse(VALID.replace("  rho: 0.02", "  rho: 0.02\n  stages: 2")
                .replace("fc1: {ratio: 0.9}", "fc1: {ratio: 0.9, projection: io.admmnn.experiments.config.LeadingZeros}")
                .replace("fc2: {ratio: 0.8}", "fc2: {ratio: 0.8, projection: channel}"), "stages.yaml");
        for (int stage = 0; stage < 2; stage++) {
            Map<String, Projection> c = CompressionPipeline.pruneConstraints(plan, stage);
            Projection fc1 = ProjectionSpec.unwrap(c.get("fc1")); // wrapped so that its failures name it
            assertThat(fc1).isInstanceOf(LeadingZeros.class);
            assertThat(((LeadingZeros) fc1).ratio()).isEqualTo(plan.stageRatio("fc1", stage));
            assertThat(c.get("fc2")).isEqualTo(new io.admmnn.core.projection.ChannelSparsity(plan.stageRatio("fc2", stage)));
            assertThat(c.get("fc3")).isEqualTo(new TopKSparsity(plan.stageRatio("fc3", stage)));
        }
        assertThat(plan.stageRatio("fc1", 0)).isCloseTo(1 - Math.sqrt(0.1), org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void aUserClassWithOnlyANoArgumentConstructorIsUsedAsIs() {
        CompressionPlan plan = ExperimentFile.parse(VALID.replace("fc1: {ratio: 0.9}",
                "fc1: {ratio: 0.9, projection: io.admmnn.experiments.config.LeadingZeros$Half}"), "half.yaml");
        assertThat(ProjectionSpec.unwrap(CompressionPipeline.pruneConstraints(plan, 0).get("fc1")))
                .isInstanceOf(LeadingZeros.Half.class);
    }

    @Test
    void thePlanOfAFileSurvivesTheRunRecordsJsonAndOldRecordsReadAsTopKOnMnist() throws IOException {
        CompressionPlan plan = ExperimentFile.load(Path.of("configs/lenet-5-structured.yaml"));
        RunRecord rec = new RunRecord();
        rec.plan = plan;
        assertThat(RunRecord.fromJson(rec.toJson()).plan).isEqualTo(plan);

        rec.plan = CompressionPlan.preset("quick", ZooModel.LENET_5);
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(rec.toJson());
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("plan")).remove(List.of("dataset", "projections"));
        String old = json.writeValueAsString(tree);
        assertThat(old).doesNotContain("dataset").doesNotContain("projections");
        CompressionPlan back = RunRecord.fromJson(old).plan;
        assertThat(back).isEqualTo(rec.plan);
        assertThat(back.dataset()).isEqualTo("mnist");
        assertThat(back.projection("conv1")).isEqualTo(ProjectionSpec.TOP_K);
    }

    @Test
    void aTypoInAKeyNamesTheKeyItsLineAndTheKnownKey() {
        assertThat(errorOf(VALID.replace("  rho: 0.02", "  rhoo: 0.02")))
                .startsWith("bad.yaml:8: admm.rhoo: unknown key (did you mean 'rho'?)");
        assertThat(errorOf(VALID.replace("dataset: mnist", "dataset: mnist\nbatchsize: 32")))
                .startsWith("bad.yaml:3: batchsize: unknown key (did you mean 'batchSize'?)");
    }

    @Test
    void wrongTypesAreRejected() {
        assertThat(errorOf(VALID.replace("rounds: 2", "rounds: five")))
                .isEqualTo("bad.yaml:5: admm.rounds: expected an integer, found a string 'five'");
        assertThat(errorOf(VALID.replace("rounds: 2", "rounds: 2.5")))
                .isEqualTo("bad.yaml:5: admm.rounds: expected an integer, found a number '2.5'");
        assertThat(errorOf(VALID.replace("  rho: 0.02", "  rho: [1, 2]")))
                .isEqualTo("bad.yaml:8: admm.rho: expected a number, found a list");
        assertThat(errorOf(VALID.replace("  rho: 0.02", "  rho: 0.02\n  rescaleDual: yes please")))
                .isEqualTo("bad.yaml:9: admm.rescaleDual: expected true or false, found a string 'yes please'");
        assertThat(errorOf(VALID.replace("fc2: {ratio: 0.8}", "fc2: 0.8")))
                .startsWith("bad.yaml:12: layers.fc2: expected a mapping with ratio");
    }

    @Test
    void startFromNamesAnExistingSavedNetwork(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        assertThat(errorOf("startFrom: no/such/run\n" + VALID)).startsWith("bad.yaml:1: startFrom: no such file or folder: ");
        io.admmnn.dl4j.network.TrainableNetwork.of(ZooModel.LENET_300_100.build(1, 1e-3))
                .save(dir.resolve("model.zip").toFile(), false);
        assertThat(ExperimentFile.parse("startFrom: " + dir + "\n" + VALID, "ok.yaml").startFrom()).isEqualTo(dir.toString());
        assertThat(ExperimentFile.parse(VALID, "ok.yaml").startFrom()).isNull();
    }

    @Test
    void missingRequiredKeysAreNamed() {
        assertThat(errorOf(VALID.replace("  rho: 0.02\n", ""))).startsWith("bad.yaml:").endsWith(": admm.rho: required key is missing");
        assertThat(errorOf(VALID.replace("dataset: mnist\n", ""))).isEqualTo("bad.yaml:1: dataset: required key is missing");
        assertThat(errorOf(VALID.replace("fc1: {ratio: 0.9}", "fc1: {projection: filter}")))
                .isEqualTo("bad.yaml:11: layers.fc1.ratio: required key is missing");
    }

    @Test
    void outOfRangeValuesAreRejected() {
        assertThat(errorOf(VALID.replace("fc1: {ratio: 0.9}", "fc1: {ratio: 1.5}")))
                .isEqualTo("bad.yaml:11: layers.fc1.ratio: must be in [0, 1) (the fraction of weights removed), was 1.5");
        assertThat(errorOf(VALID.replace("  rho: 0.02", "  rho: -1")))
                .isEqualTo("bad.yaml:8: admm.rho: must be > 0, was -1");
        assertThat(errorOf(VALID.replace("  rho: 0.02", "  rho: 0.02\n  rhoMax: 0.01")))
                .isEqualTo("bad.yaml:9: admm.rhoMax: must be >= rho (0.02), was 0.01");
        assertThat(errorOf(VALID.replace("fc1: {ratio: 0.9}", "fc1: {ratio: 0.9, projection: {type: nm, n: 4, m: 2}}")))
                .isEqualTo("bad.yaml:11: layers.fc1.projection: nm needs 1 <= n <= m, was n=4, m=2");
        assertThat(errorOf(VALID.replace("fc1: {ratio: 0.9}", "fc1: {ratio: 0.9, projection: {type: nm, n: 2, m: 4}}")))
                .startsWith("bad.yaml:11: layers.fc1.ratio: nm 2:4 removes 0.5 of the weights");
        assertThat(errorOf(VALID.replace("dataset: mnist", "dataset: cifar-10")))
                .isEqualTo("bad.yaml:2: dataset: unknown data set 'cifar-10'; data sets: mnist, fashion-mnist, image-folder");
        assertThat(errorOf(VALID.replace("model: lenet-300-100", "model: resnet")))
                .startsWith("bad.yaml:1: model: unknown model 'resnet'");
    }

    @Test
    void numbersYamlCannotReadAsDecimalsAreErrorsAtTheirKey() {
        for (String bad : new String[] {".", "1.2.3", ".inf", ".nan", "0x10"}) {
            assertThat(errorOf(VALID.replace("  rho: 0.02", "  rho: " + bad))).as(bad)
                    .isEqualTo("bad.yaml:8: admm.rho: expected a finite decimal number (e.g. 0.01 or 1.0e-3), found '"
                            + bad + "'");
        }
        assertThat(errorOf(VALID.replace("pretrain: {epochs: 1,", "pretrain: {epochs: 0x1,")))
                .endsWith("pretrain.epochs: expected a decimal integer, found '0x1'");
        assertThat(errorOf(VALID.replace("pretrain: {epochs: 1,", "pretrain: {epochs: 99999999999,")))
                .endsWith("pretrain.epochs: integer out of range, was 99999999999");
        // The quantized retraining epochs have a rate of their own, or the stage's.
        String quantize = VALID.replace("layers:", "quantize: {bits: {fc1: 3}, learningRate: 1.0e-4%s}\nlayers:");
        assertThat(ExperimentFile.parse(quantize.formatted(", retrainLearningRate: 5.0e-5"), "q.yaml").quantize()
                .quantizedRetrainRate()).isEqualTo(5e-5);
        assertThat(ExperimentFile.parse(quantize.formatted(""), "q.yaml").quantize().quantizedRetrainRate()).isEqualTo(1e-4);
    }

    @Test
    void aDataSetTheModelCannotTakeOrAStartThatIsNotItsArchitectureIsAnErrorAtItsLine(@TempDir Path dir) throws Exception {
        assertThat(errorOf(VALID.replace("dataset: mnist", "dataset: image-folder")))
                .isEqualTo("bad.yaml:2: dataset: lenet-300-100 takes 1x28x28 images of 10 classes; image-folder has "
                        + "3x227x227 images of 1000 classes");
        Path notes = Files.writeString(dir.resolve("notes.zip"), "not a network");
        assertThat(errorOf(VALID.replace("dataset: mnist", "dataset: mnist\nstartFrom: " + notes)))
                .startsWith("bad.yaml:3: startFrom: " + notes + " is not a saved DL4J network");
        Path lenet5 = dir.resolve("lenet-5.zip");
        io.admmnn.dl4j.network.TrainableNetwork.of(io.admmnn.experiments.zoo.ZooModel.LENET_5.build(1, 1e-3))
                .save(lenet5.toFile(), false);
        assertThat(errorOf(VALID.replace("dataset: mnist", "dataset: mnist\nstartFrom: " + lenet5)))
                .startsWith("bad.yaml:3: startFrom: " + lenet5 + " is not a lenet-300-100 network: its layers (weights) "
                        + "are {conv1=500, conv2=25000, ip1=400000, ip2=5000}");
    }

    @Test
    void activationQuantizationIsReadWithItsDefaultsAndItsMistakesAreErrorsAtTheirLines() {
        String yaml = VALID.replace("layers:", "quantize:\n  bits: {fc1: 3}\n  activations:\n    bits: {\"fc?\": 8}%s\nlayers:");
        CompressionPlan.Activations a = ExperimentFile.parse(yaml.formatted(""), "a.yaml").quantize().activations();
        assertThat(a.bits()).containsExactly(Map.entry("fc1", 8), Map.entry("fc2", 8), Map.entry("fc3", 8));
        assertThat(a.percentile()).isEqualTo(CompressionPlan.Activations.DEFAULT_PERCENTILE);
        assertThat(a.calibrationBatches()).isEqualTo(CompressionPlan.Activations.DEFAULT_CALIBRATION_BATCHES);
        CompressionPlan.Activations b = ExperimentFile.parse(
                yaml.formatted("\n    percentile: 99.5\n    calibrationBatches: 2"), "a.yaml").quantize().activations();
        assertThat(b.percentile()).isEqualTo(99.5);
        assertThat(b.calibrationBatches()).isEqualTo(2);
        assertThat(ExperimentFile.parse(VALID.replace("layers:", "quantize: {bits: {fc1: 3}}\nlayers:"), "q.yaml")
                .quantize().activations()).isNull();
        assertThat(errorOf(yaml.formatted("\n    percentile: 0")))
                .isEqualTo("bad.yaml:14: quantize.activations.percentile: must be in (0, 100] (100 = the largest input), was 0");
        assertThat(errorOf(yaml.formatted("\n    bitz: 3"))).startsWith("bad.yaml:14: quantize.activations.bitz: unknown key");
        assertThat(errorOf(VALID.replace("layers:", "quantize:\n  bits: {fc1: 3}\n  activations: {bits: {ip1: 8}}\nlayers:")))
                .startsWith("bad.yaml:12: quantize.activations.bits.ip1: matches no layer of lenet-300-100");
        assertThat(errorOf(VALID.replace("layers:", "quantize:\n  bits: {fc1: 3}\n  activations: {bits: {fc1: 17}}\nlayers:")))
                .isEqualTo("bad.yaml:12: quantize.activations.bits.fc1: must be in [1, 16], was 17");
    }

    @Test
    void aPatternMatchingNothingOrALayerMatchedTwiceIsAnError() {
        assertThat(errorOf(VALID.replace("fc3: {ratio: 0.5}", "conv*: {ratio: 0.5}")))
                .isEqualTo("bad.yaml:13: layers.conv*: matches no layer of lenet-300-100 (layers with weights: fc1, fc2, fc3)");
        assertThat(errorOf(VALID.replace("fc3: {ratio: 0.5}", "fc?: {ratio: 0.5}")))
                .isEqualTo("bad.yaml:13: layers.fc?: layer fc1 is already set by 'fc1' (line 11)");
        assertThat(errorOf(VALID.replace("layers:", "quantize:\n  bits: {ip*: 3}\nlayers:")))
                .startsWith("bad.yaml:11: quantize.bits.ip*: matches no layer of lenet-300-100");
    }

    @Test
    void quantizingALayerThatIsNotUnderLayersIsAnErrorAtLoadNotWhenQuantizationBegins() {
        String unpruned = VALID.replace("  fc3: {ratio: 0.5}\n", "").replace("layers:", "quantize: {bits: {fc3: 4}}\nlayers:");
        assertThat(errorOf(unpruned)).isEqualTo("bad.yaml:10: quantize.bits: fc3 is not under layers: quantization"
                + " continues the pruning session; add fc3: {ratio: 0.0} to quantize it unpruned");
        CompressionPlan listed = ExperimentFile.parse(unpruned.replace("fc2: {ratio: 0.8}", "fc2: {ratio: 0.8}\n  fc3: {ratio: 0.0}"),
                "ok.yaml");
        assertThat(listed.quantize().bits()).containsExactly(Map.entry("fc3", 4));
        assertThat(CompressionPipeline.pruneConstraints(listed, 0).get("fc3")).isEqualTo(new TopKSparsity(0.0));
    }

    @Test
    void projectionsThatCannotBeUsedAreRejectedWithTheirLine() {
        assertThat(errorOf(VALID.replace("fc2: {ratio: 0.8}", "fc2: {ratio: 0.8, projection: topkk}")))
                .startsWith("bad.yaml:12: layers.fc2.projection: unknown projection 'topkk'; built-in projections: topk, filter");
        assertThat(errorOf(VALID.replace("fc2: {ratio: 0.8}", "fc2: {ratio: 0.8, projection: com.example.Missing}")))
                .isEqualTo("bad.yaml:12: layers.fc2.projection: projection class com.example.Missing not found on the "
                        + "classpath (add its jar with ADMM_NN_EXTRA_CLASSPATH)");
        assertThat(errorOf(VALID.replace("fc2: {ratio: 0.8}", "fc2: {ratio: 0.8, projection: java.lang.StringBuilder}")))
                .isEqualTo("bad.yaml:12: layers.fc2.projection: class java.lang.StringBuilder does not implement "
                        + "io.admmnn.core.projection.Projection");
        assertThat(errorOf(VALID.replace("fc2: {ratio: 0.8}",
                "fc2:\n    ratio: 0.8\n    projection: {type: block, blockRows: 4}")))
                .isEqualTo("bad.yaml:14: layers.fc2.projection: projection block needs blockRows and blockCols");
        assertThat(errorOf(VALID.replace("fc2: {ratio: 0.8}",
                "fc2:\n    ratio: 0.8\n    projection: {type: filter, size: 4}")))
                .startsWith("bad.yaml:14: layers.fc2.projection.size: unknown key");
    }

    @Test
    void yamlMistakesAreOneLineErrorsToo() {
        assertThat(errorOf(VALID.replace("  rho: 0.02", "  rho: 0.02\n  rho: 0.03")))
                .isEqualTo("bad.yaml:9: admm.rho: duplicate key (first on line 8)");
        assertThat(errorOf(VALID.replace("\nretrain: {epochs: 1,", "\nretrain: {epochs: 1,,")))
                .isEqualTo("bad.yaml:9: not valid YAML: while parsing a flow node expected the node content, but found ','");
        assertThat(errorOf("")).isEqualTo("bad.yaml:1: the file is empty");
        assertThat(errorOf("- a\n- b\n")).isEqualTo("bad.yaml:1: expected a mapping of keys, found a list");
        assertThatThrownBy(() -> ExperimentFile.load(Path.of("no/such/file.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("no/such/file.yaml:0: cannot read the file");
    }

    @Test
    void aLineIndentedWithATabIsNamedByItsOwnNumber() {
        // Issue 17: the tab on line 5 was reported on line 4 (SnakeYAML marks the tab's line, Jackson's location
        // pointed at the token before it).
        assertThat(errorOf(VALID.replace("  rounds: 2", "\trounds: 2")))
                .startsWith("bad.yaml:5: not valid YAML: ").contains("TAB");
        assertThat(errorOf(VALID.replace("  fc3: {ratio: 0.5}", "\tfc3: {ratio: 0.5}")))
                .startsWith("bad.yaml:13: not valid YAML: ");
        assertThat(errorOf("\tmodel: lenet-5\n")).startsWith("bad.yaml:1: not valid YAML: ");
    }
}
