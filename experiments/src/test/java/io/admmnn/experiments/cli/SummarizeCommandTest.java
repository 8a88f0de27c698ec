package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.admmnn.experiments.pipeline.BopsTable;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.Provenance;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.report.SeedSummary;
import io.admmnn.experiments.zoo.ZooModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code admm-nn summarize}: statistics over seeds against values worked out by hand, on report.json files written
 * as runs write them (plus the {@code bopsChannels} field the DJPQ-comparable count adds).
 */
class SummarizeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final CompressionPlan ADMM = CompressionPlan.preset("quick", ZooModel.LENET_5);
    private static final CompressionPlan TWO_STAGE = ADMM.withPhases(ADMM.pretrain(),
            new CompressionPlan.Admm(0, 1, 1e-3, 0.02, 1.5, 1.0, true, 1, 0), ADMM.retrain());
    private static final CompressionPlan DJPQ = CompressionPlan.djpq("lenet-5", "mnist", 0, 64, 0, 0,
            new CompressionPlan.Training(2, 1e-3, 1), new CompressionPlan.Djpq(3, 1e-3, 1, 1e-4, 1, 1, false, 8, 8,
                    new CompressionPlan.Training(1, 2e-4, 1), 10), null, null);

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    /** What one fake run records. */
    private record Fake(String folder, String command, CompressionPlan plan, long seed, double dense, String lastStage,
                        double last, boolean readBack, Double channels, Double denseBops, boolean finished) {
    }

    private static Path write(Path dir, Fake f) throws Exception {
        RunRecord rec = new RunRecord();
        rec.plan = f.plan().withSeed(f.seed());
        rec.provenance = new Provenance(f.command(), COMMIT, f.seed() == 2, f.seed(), "test machine", "2026-12-02T00:00:00Z");
        rec.accuracy.put(RunRecord.PRETRAINED, f.dense());
        rec.accuracy.put(f.lastStage(), f.last());
        if (f.readBack()) {
            rec.accuracy.put(RunRecord.FROM_COMPRESSED_FILE, f.last());
        }
        if (f.denseBops() != null) {
            long reference = 1_000_000;
            long bops = Math.round(reference / f.denseBops());
            rec.bops = new BopsTable.Summary(List.of(), reference, bops, bops / 2, f.denseBops(), 2.0 * reference / bops);
        }
        rec.finishedAt = f.finished() ? "2026-12-02T01:00:00Z" : null;
        ObjectNode tree = (ObjectNode) JSON.readTree(rec.toJson());
        if (f.channels() != null) {
            ObjectNode channels = tree.putObject("bopsChannels");
            channels.put("bopsReference", 1_000_000).put("bops", 1_000_000 / f.channels()).put("reduction", f.channels());
            channels.putArray("layers");
        }
        Path folder = Files.createDirectories(dir.resolve(f.folder()));
        Files.writeString(folder.resolve("report.json"), tree.toPrettyString());
        return folder;
    }

    private static String run(String file, long seed, String folder) {
        return "admm-nn run experiments/configs/" + file + ".yaml --seed " + seed + " --out results/" + folder
                + " --no-progress";
    }

    /**
     * lenet-5-admm: seeds 3, 1, 2 (listed out of order) with final 98.5, 98.0, 97.5 % read back from the model file,
     * dense 99.0, 99.2, 98.8 %, channel-count reductions 40, 50, 60 (dense-count 30 each, not used), and seed 9 of
     * an edited file (other ratios), its own group. lenet-5-djpq: seeds 1, 2, final = last stage 94, 96 %, dense
     * 97, 98 %, only the dense count 400, 500. Two-stage (prune, no file): seeds 5, 6, 97, 98 %, channels in one
     * report only, so the dense count 20, 30 for both. An unfinished run is left out.
     */
    private static Path fixtures(Path dir) throws Exception {
        Path runs = dir.resolve("runs");
        String retrain = RunRecord.AFTER_RETRAIN;
        for (Fake f : List.of(
                new Fake("admm-s3", run("lenet-5-admm", 3, "admm-s3"), ADMM, 3, 0.988, retrain, 0.975, true, 60.0, 30.0, true),
                new Fake("admm-s1", run("lenet-5-admm", 1, "admm-s1"), ADMM, 1, 0.990, retrain, 0.985, true, 40.0, 30.0, true),
                new Fake("admm-s2", run("lenet-5-admm", 2, "admm-s2"), ADMM, 2, 0.992, retrain, 0.980, true, 50.0, 30.0, true),
                new Fake("admm-edited", run("lenet-5-admm", 9, "admm-edited"),
                        ADMM.withRatios(java.util.Map.of("ip1", 0.9)), 9, 0.99, retrain, 0.97, true, 10.0, 5.0, true),
                new Fake("admm-s4", run("lenet-5-admm", 4, "admm-s4"), ADMM, 4, 0.99, RunRecord.AFTER_ADMM, 0.5, false,
                        null, null, false),
                new Fake("djpq/1", run("lenet-5-djpq", 1, "djpq/1"), DJPQ, 1, 0.97, RunRecord.AFTER_DJPQ_FINETUNE, 0.94,
                        false, null, 400.0, true),
                new Fake("djpq/2", run("lenet-5-djpq", 2, "djpq/2"), DJPQ, 2, 0.98, RunRecord.AFTER_DJPQ_FINETUNE, 0.96,
                        false, null, 500.0, true),
                new Fake("two-stage-6", "admm-nn prune --model lenet-5 --preset quick --admm-rounds 0 --seed=6 --out "
                        + "'results/two stage 6'", TWO_STAGE, 6, 0.99, RunRecord.AFTER_QUANTIZATION, 0.98, true, null, 30.0, true),
                new Fake("two-stage-5", "admm-nn prune --model lenet-5 --preset quick --admm-rounds 0 --seed=5 --out "
                        + "'results/two stage 5'", TWO_STAGE, 5, 0.99, RunRecord.AFTER_QUANTIZATION, 0.97, true, 100.0, 20.0,
                        true))) {
            write(runs, f);
        }
        return runs;
    }

    @Test
    void groupsRunsThatDifferOnlyInTheSeedAndGivesMeanAndSampleStd(@TempDir Path dir) throws Exception {
        Path runs = fixtures(dir);
        Path out = dir.resolve("summary");
        assertThat(AdmmNnCli.execute("summarize", runs.toString(), "--out", out.toString(), "--title", "LeNet-5 seeds"))
                .as(console.err()).isZero();

        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.path("title").asText()).isEqualTo("LeNet-5 seeds");
        assertThat(summary.path("leftOut").get(0).asText()).endsWith("admm-s4 (unfinished: no finishedAt)");
        JsonNode groups = summary.path("groups");
        assertThat(groups.findValuesAsText("experiment")).containsExactly("lenet-5-admm (plan 1)",
                "lenet-5-admm (plan 2)", "lenet-5-djpq", "two-stage-5");

        JsonNode admm = groups.get(0);
        assertThat(admm.path("method").asText()).isEqualTo("admm");
        assertThat(admm.path("seeds").toString()).isEqualTo("[1,2,3]");
        stats(admm.path("finalAccuracyPercent"), 3, 98.0, 0.5, 97.5, 98.5);
        stats(admm.path("denseAccuracyPercent"), 3, 99.0, 0.2, 98.8, 99.2);
        // changes -0.5, -1.2, -1.3: mean -1, squared deviations 0.25 + 0.04 + 0.09 over n - 1 = 2
        stats(admm.path("accuracyChangePoints"), 3, -1.0, Math.sqrt(0.19), -1.3, -0.5);
        stats(admm.path("bopsReduction"), 3, 50.0, 10.0, 40.0, 60.0);
        assertThat(admm.path("bopsCount").asText()).isEqualTo("CHANNELS");
        assertThat(admm.path("command").asText()).isEqualTo(
                "admm-nn run experiments/configs/lenet-5-admm.yaml --seed <N> --out <folder> --no-progress");
        assertThat(admm.path("commits").toString()).isEqualTo("[\"0123456789ab\",\"0123456789ab (dirty)\"]");

        JsonNode edited = groups.get(1);
        assertThat(edited.path("seeds").toString()).isEqualTo("[9]");
        assertThat(edited.path("finalAccuracyPercent").path("std").isNull()).isTrue();

        JsonNode djpq = groups.get(2);
        assertThat(djpq.path("method").asText()).isEqualTo("djpq");
        stats(djpq.path("finalAccuracyPercent"), 2, 95.0, Math.sqrt(2), 94.0, 96.0);
        stats(djpq.path("accuracyChangePoints"), 2, -2.5, Math.sqrt(0.5), -3.0, -2.0);
        stats(djpq.path("bopsReduction"), 2, 450.0, Math.sqrt(5000), 400.0, 500.0);
        assertThat(djpq.path("bopsCount").asText()).isEqualTo("DENSE");
        assertThat(djpq.path("runs").get(0).path("finalStage").asText()).isEqualTo(RunRecord.AFTER_DJPQ_FINETUNE);

        JsonNode twoStage = groups.get(3);
        assertThat(twoStage.path("method").asText()).isEqualTo("two-stage");
        assertThat(twoStage.path("bopsCount").asText()).isEqualTo("DENSE"); // channels in one report only
        stats(twoStage.path("bopsReduction"), 2, 25.0, Math.sqrt(50), 20.0, 30.0);
        assertThat(twoStage.path("command").asText()).isEqualTo(
                "admm-nn prune --model lenet-5 --preset quick --admm-rounds 0 --seed=<N> --out <folder>");

        String md = Files.readString(out.resolve("summary.md"));
        assertThat(md).startsWith("# LeNet-5 seeds\n").contains("| command | `admm-nn summarize ")
                .contains("| lenet-5-admm (plan 1) | admm | 3: 1, 2, 3 | 99.00 % | 98.00 ± 0.50 % | 97.50..98.50 % | "
                        + "-1.00 ± 0.44 | 50.0 ± 10.0 x | bopsChannels.reduction | model file |")
                .contains("| lenet-5-admm (plan 2) | admm | 1: 9 | 99.00 % | 97.00 ± – % |")
                .contains("| lenet-5-djpq | djpq | 2: 1, 2 | 97.50 % | 95.00 ± 1.41 % | 94.00..96.00 % | -2.50 ± 0.71 | "
                        + "450.0 ± 70.7 x | bops.reductionDense | last stage afterDjpqFinetune |")
                .contains("How counted:").contains("Left out: ").contains("![");
        assertThat(console.out()).contains("| lenet-5-djpq |").contains("written: " + out.resolve("summary.md"));
        assertThat(out.resolve("pareto.png")).isNotEmptyFile();
        assertThat(Files.readAllBytes(out.resolve("pareto.png"))).startsWith(0x89, 'P', 'N', 'G');
    }

    private static void stats(JsonNode s, int n, double mean, double std, double min, double max) {
        assertThat(s.path("n").asInt()).isEqualTo(n);
        assertThat(s.path("mean").asDouble()).isCloseTo(mean, within(1e-9));
        assertThat(s.path("std").asDouble()).isCloseTo(std, within(1e-9));
        assertThat(s.path("min").asDouble()).isCloseTo(min, within(1e-9));
        assertThat(s.path("max").asDouble()).isCloseTo(max, within(1e-9));
    }

    @Test
    void aResultsFolderAndItsFinalModelFilesAreOneStartOtherFilesAndFoldersAreNot() {
        CompressionPlan folder = ADMM.withStartFrom("results/x/dense").withSeed(1);
        assertThat(SeedSummary.groupKey(ADMM.withStartFrom("results/x/dense/model.admmnn").withSeed(2)))
                .isEqualTo(SeedSummary.groupKey(folder))
                .isEqualTo(SeedSummary.groupKey(ADMM.withStartFrom("results/x/./dense/model.zip")));
        assertThat(SeedSummary.groupKey(ADMM.withStartFrom("results/x/dense/checkpoint.zip")))
                .isNotEqualTo(SeedSummary.groupKey(folder));
        assertThat(SeedSummary.groupKey(ADMM.withStartFrom("results/y/dense/model.admmnn")))
                .isNotEqualTo(SeedSummary.groupKey(folder));
        assertThat(SeedSummary.groupKey(ADMM)).isEqualTo(ADMM.withSeed(0));
    }

    @Test
    void twoStageMeansNoAdmmRoundInPruningOrQuantization() {
        CompressionPlan.Quantize rounding = new CompressionPlan.Quantize(java.util.Map.of("ip1", 3), 0, 1, 1e-4, 0.01,
                1.5, 1.0, List.of(1.0), 1, null);
        CompressionPlan.Quantize admmQuantization = new CompressionPlan.Quantize(java.util.Map.of("ip1", 3), 4, 1, 1e-4,
                0.01, 1.5, 1.0, List.of(1.0), 1, null);
        assertThat(SeedSummary.method(ADMM)).isEqualTo("admm");
        assertThat(SeedSummary.method(ADMM.withQuantize(rounding))).isEqualTo("admm");
        assertThat(SeedSummary.method(TWO_STAGE)).isEqualTo("two-stage");
        assertThat(SeedSummary.method(TWO_STAGE.withQuantize(rounding))).isEqualTo("two-stage");
        // ADMM quantization of a model pruned elsewhere (--start-from, 0 pruning rounds) is ADMM.
        assertThat(SeedSummary.method(TWO_STAGE.withQuantize(admmQuantization))).isEqualTo("admm");
        assertThat(SeedSummary.method(DJPQ)).isEqualTo("djpq");
        CompressionPlan.Djpq d = DJPQ.djpq();
        CompressionPlan fixedGates = CompressionPlan.djpq("lenet-5", "mnist", 0, 64, 0, 0, DJPQ.pretrain(),
                new CompressionPlan.Djpq(d.epochs(), d.learningRate(), d.learningRateDecay(), d.klWeight(),
                        d.gateThreshold(), d.bopsWeight(), d.powerOfTwo(), d.initialWeightBits(),
                        d.initialActivationBits(), d.finetune(), d.gateLearningRateFactor(), d.targetReduction(),
                        d.quantizerLearningRateFactor(), CompressionPlan.Djpq.GATES_FIXED), null, null);
        assertThat(SeedSummary.method(fixedGates)).isEqualTo("two-stage (DQ bits)");
    }

    @Test
    void aReportWithoutProvenanceDenseAccuracyOrBopsIsSummarisedWithDashes(@TempDir Path dir) throws Exception {
        RunRecord rec = new RunRecord();
        rec.plan = ADMM.withSeed(11);
        rec.accuracy.put(RunRecord.AFTER_RETRAIN, 0.9);
        rec.finishedAt = "2026-12-02T01:00:00Z";
        Path folder = Files.createDirectories(dir.resolve("old-run"));
        Files.writeString(folder.resolve("report.json"), rec.toJson());
        Path out = dir.resolve("out");

        assertThat(AdmmNnCli.execute("summarize", folder.resolve("report.json").toString(), "--out", out.toString()))
                .as(console.err()).isZero();
        assertThat(Files.readString(out.resolve("summary.md")))
                .contains("| old-run | admm | 1: 11 | – | 90.00 ± – % | 90.00..90.00 % | – | – | not in every report | "
                        + "last stage afterRetrain |")
                .contains("| old-run | lenet-5, mnist | unknown (no provenance) | unknown |")
                .contains("Not plotted (no BOPs count common to all their runs): old-run.");
        assertThat(out.resolve("pareto.png")).isNotEmptyFile();
    }

    @Test
    void badInputIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("report.json"), "{\"plan\": ");
        Path unfinished = write(dir, new Fake("unfinished", run("a", 1, "unfinished"), ADMM, 1, 0.99,
                RunRecord.AFTER_ADMM, 0.9, false, null, null, false));
        for (String[] c : new String[][] {
                {dir.resolve("nosuch").toString(), dir.resolve("nosuch") + ": no such file or folder"},
                {empty.toString(), "no report.json in " + empty + " or any folder below it"},
                {broken.toString(), broken.resolve("report.json") + " is not a run record: "},
                {unfinished.toString(), "no finished run among 1 run folder: " + unfinished + " (unfinished: no finishedAt)"}}) {
            int start = console.err().length();
            assertThat(AdmmNnCli.execute("summarize", c[0], "--out", out.toString())).as(c[0]).isEqualTo(2);
            assertThat(console.err().substring(start).strip()).as(c[0]).startsWith("error: " + c[1]).hasLineCount(1);
        }
        assertThat(out).doesNotExist();
    }
}
