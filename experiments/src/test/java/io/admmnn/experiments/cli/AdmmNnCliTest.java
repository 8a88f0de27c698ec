package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.experiments.pipeline.BuildInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Wrong input on the command line gives a one-line error and exit code 2, never a stack trace. */
class AdmmNnCliTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private String errors() {
        return console.err();
    }

    @Test
    void unknownModelPresetAndOptionAreUserErrors(@TempDir Path dir) {
        assertThat(AdmmNnCli.execute("prune", "--model", "resnet", "--out", dir.toString())).isEqualTo(2);
        assertThat(errors()).contains("error: unknown model 'resnet'").contains("lenet-300-100, lenet-5")
                .doesNotContain("\tat ");
        assertThat(AdmmNnCli.execute("prune", "--preset", "huge", "--out", dir.toString())).isEqualTo(2);
        assertThat(errors()).contains("unknown preset 'huge'");
        assertThat(AdmmNnCli.execute("prune", "--ratoi", "fc1=0.5")).isEqualTo(2);
        assertThat(errors()).contains("Unknown option").contains("'--ratoi'");
        assertThat(AdmmNnCli.execute("prune", "--ratio", "fc1=1.5", "--out", dir.toString())).isEqualTo(2);
        assertThat(errors()).contains("pruning ratio of layer 'fc1' must be in [0, 1)");
        assertThat(AdmmNnCli.execute("prune", "--ratio", "fc1=abc")).isEqualTo(2);
        assertThat(errors()).doesNotContain("\tat ");
    }

    /**
     * A failure that is no user error (here a user's projection class that throws where no layer is known to name
     * it, in a sensitivity sweep) ends with one line and the stack trace saved to a file, not a trace on the screen.
     */
    @Test
    void anInternalErrorIsOneLineWithTheTraceSavedToAFile(@TempDir Path dir) throws Exception {
        Path model = Path.of("..", "results", "lenet-5-quantize-4-4-3-4", "model.admmnn");
        io.admmnn.experiments.config.FailingProjection.failAfter(0);
        try {
            assertThat(AdmmNnCli.execute("analyze", "sensitivity", "--run", model.toString(), "--structure",
                    io.admmnn.experiments.config.FailingProjection.class.getName(), "--ratios", "0.5", "--layers", "ip2",
                    "--test-limit", "200", "--out", dir.resolve("out").toString())).isEqualTo(1);
        } finally {
            io.admmnn.experiments.config.FailingProjection.failAfter(Integer.MAX_VALUE);
        }
        String err = errors();
        assertThat(err.lines().filter(l -> !l.isBlank())).hasSize(1);
        assertThat(err).startsWith("error: internal error: java.lang.IllegalStateException: "
                        + io.admmnn.experiments.config.FailingProjection.MESSAGE + " at ")
                .contains("FailingProjection.projectInPlace").doesNotContain("\tat ");
        Path trace = Path.of(err.replaceAll("(?s).*the full trace is in (\\S+); please report it.*", "$1"));
        assertThat(trace).exists().content().contains("\tat ").contains(BuildInfo.current().describe());
        Files.delete(trace);
    }

    @Test
    void aMistypedOptionGivesTheErrorAndWhereHelpIsNotTheWholeUsage() {
        // Issue 17: a bad value printed ~115 lines of usage after the error.
        String[][] cases = {
            {"prune --ratio fc1=abc", "'abc'", "see 'admm-nn prune --help'"},
            {"hardware plan --network lenet-5", "Missing required option: '--target=<target>'", "see 'admm-nn hardware plan --help'"},
            {"prune --ratoi fc1=0.5", "Unknown options: '--ratoi', 'fc1=0.5'", "see 'admm-nn prune --help'"},
        };
        for (String[] c : cases) {
            int before = errors().length();
            assertThat(AdmmNnCli.execute(c[0].split(" "))).as(c[0]).isEqualTo(2);
            List<String> said = errors().substring(before).strip().lines().toList();
            assertThat(said.get(0)).as(c[0]).startsWith("error: ").contains(c[1]);
            assertThat(said.get(said.size() - 1)).as(c[0]).isEqualTo(c[2]);
            assertThat(said).as(c[0]).hasSizeLessThanOrEqualTo(3); // a "did you mean" line may come between
        }
        assertThat(console.out()).isEmpty();
    }

    @Test
    void versionNamesTheBuildAndItsCommit() {
        BuildInfo build = BuildInfo.current();
        assertThat(AdmmNnCli.execute("--version")).isZero();
        assertThat(console.out().strip()).isEqualTo(build.describe())
                .startsWith("admm-nn " + build.version() + ", commit " + build.commitText());
    }

    @Test
    void badFilesNumbersAndRangesAreOneLineUserErrors(@TempDir Path dir) throws Exception {
        Path notJson = Files.createDirectories(dir.resolve("not-json"));
        Files.writeString(notJson.resolve("report.json"), "this is not json");
        Path empty = Files.createDirectories(dir.resolve("empty-record"));
        Files.writeString(empty.resolve("report.json"), "{}");
        Path badCheckpoint = Files.createDirectories(dir.resolve("bad-checkpoint"));
        Files.writeString(badCheckpoint.resolve("checkpoint.zip"), "truncated");
        Path aFile = Files.writeString(dir.resolve("a-file.yaml"), "model: lenet-5\n");
        String[][] cases = {
            {"report " + notJson, "not-json/report.json is not a run record: Unrecognized token 'this'"},
            {"report " + empty, "empty-record/report.json is not a run record: it has no plan"},
            {"analyze pareto " + notJson, "not-json/report.json is not a run record"},
            {"resume " + badCheckpoint, "bad-checkpoint/checkpoint.zip is damaged or not a checkpoint"},
            {"prune --plan " + aFile, "a-file.yaml is not a plan.json written by `admm-nn hardware plan`"},
            {"prune --out " + aFile, "a-file.yaml: exists and is not a folder"},
            {"prune --pretrain-lr NaN", "a learning rate must be finite and > 0, was NaN"},
            {"prune --retrain-lr-decay 2", "a learning-rate decay must be in (0, 1], was 2.0"},
            {"prune --activation-bits fc2=4", "--activation-bits needs the quantization stage: add --quantize"},
            {"prune --quantize fc1=4 --activation-bits fc2=4 --activation-percentile 0",
                "activation range percentile must be in (0, 100]"},
            {"prune --quantize fc1=4 --activation-bits fc2=17", "activation bits of layer 'fc2' must be in [1, 16]"},
            // reaches the run's plan: an unknown layer fails before any training
            {"prune --quantize fc1=4 --activation-bits ip1=4", "no layer with weights named 'ip1'"},
            {"prune --ratio fc1=0.5 --ratio fc3=0.99999", "layer fc3: ratio 0.99999 (top-k"},
            {"hardware plan --network lenet-5 --target weights:abc", "target 'weights:abc': 'abc' is not a number"},
            {"hardware plan --network lenet-5 --target weights:10 --fc-floor 2", "floors must be in (0, 1], was 2.0"},
            {"hardware report --network lenet-5 --profile accelerator:x,y", "the factors must be numbers"},
            {"hardware report --network lenet-5 --energy " + dir.resolve("nosuch.csv"), "nosuch.csv: no such file or folder"},
            {"hardware measure --network lenet-300-100 --repetitions 0", "batches and repetitions must be >= 1"},
            {"analyze sensitivity --model alexnet", "alexnet takes 3x227x227 images of 1000 classes; mnist has 1x28x28"},
            {"analyze sensitivity --model lenet-5 --epochs -1", "--epochs, --train-limit and --test-limit must be >= 0"},
        };
        for (String[] c : cases) {
            int before = errors().length();
            assertThat(AdmmNnCli.execute(c[0].split(" "))).as(c[0]).isEqualTo(2);
            String said = errors().substring(before);
            assertThat(said).as(c[0]).startsWith("error: ").contains(c[1]).doesNotContain("\tat ")
                    .doesNotContain("Exception");
            assertThat(said.strip().lines()).as(c[0] + ": one line").hasSize(1);
        }
    }

    @Test
    void unknownOrUnfitDataSetsAreOneLineUserErrors(@TempDir Path dir) {
        assertThat(AdmmNnCli.execute("prune", "--dataset", "cifar-10", "--out", dir.resolve("a").toString())).isEqualTo(2);
        assertThat(errors()).contains("error: unknown data set 'cifar-10'; data sets: mnist, fashion-mnist, image-folder");
        assertThat(AdmmNnCli.execute("prune", "--model", "alexnet", "--dataset", "mnist", "--out", dir.resolve("b").toString()))
                .isEqualTo(2);
        assertThat(errors()).contains("alexnet takes 3x227x227 images of 1000 classes; mnist has 1x28x28 images of 10 classes");
        assertThat(AdmmNnCli.execute("prune", "--model", "lenet-5", "--dataset", "image-folder", "--out",
                dir.resolve("b2").toString())).isEqualTo(2);
        assertThat(errors()).contains("lenet-5 takes 1x28x28 images of 10 classes; image-folder has 3x227x227");
        // AlexNet reads an image folder by default; a missing one is named, with the option that gives it.
        assertThat(AdmmNnCli.execute("prune", "--model", "alexnet", "--data-dir", dir.resolve("imagenet").toString(),
                "--out", dir.resolve("b3").toString())).isEqualTo(2);
        assertThat(errors()).contains(dir.resolve("imagenet").toAbsolutePath().resolve("train") + " not found; give --data-dir")
                .doesNotContain("\tat ");
        assertThat(AdmmNnCli.execute("prune", "--dataset", "fashion-mnist", "--data-dir", dir.resolve("none").toString(),
                "--out", dir.resolve("c").toString())).isEqualTo(2);
        assertThat(errors()).contains("Fashion-MNIST not found in " + dir.resolve("none"))
                .contains("sudo apt-get install dataset-fashion-mnist").doesNotContain("\tat ");
    }

    @Test
    void resumingAFolderWithoutARunIsAUserError(@TempDir Path dir) {
        assertThat(AdmmNnCli.execute("resume", dir.resolve("nothing").toString())).isEqualTo(2);
        assertThat(errors()).contains("error: no run to resume").doesNotContain("\tat ");
    }

    @Test
    void helpListsTheCommands() {
        assertThat(AdmmNnCli.execute("--help")).isZero();
        assertThat(console.out()).contains("prune").contains("resume");
    }

    @Test
    void hardwarePlanWritesAPlanThatPruneAcceptsAndBadInputIsAUserError(@TempDir Path dir) throws Exception {
        assertThat(AdmmNnCli.execute("hardware", "plan", "--network", "lenet-5", "--target", "macs:5",
                "--out", dir.toString())).isZero();
        assertThat(dir.resolve("plan.json")).exists();
        assertThat(dir.resolve("plan.md")).content().contains("| conv2 |");
        java.util.Map<String, Double> ratios = HardwareCommand.readPlanRatios(dir.resolve("plan.json"));
        assertThat(ratios).containsKey("conv2");

        assertThat(AdmmNnCli.execute("hardware", "plan", "--network", "vgg", "--target", "macs:5")).isEqualTo(2);
        assertThat(errors()).contains("unknown network 'vgg'");
        assertThat(AdmmNnCli.execute("hardware", "plan", "--target", "speed:5", "--out", dir.toString())).isEqualTo(2);
        assertThat(errors()).contains("expected weights:<x> or macs:<x>");
        assertThat(AdmmNnCli.execute("hardware", "report", "--profile", "measured:/nope.csv", "--out", dir.toString())).isEqualTo(2);
        assertThat(errors()).contains("not found");
        assertThat(AdmmNnCli.execute("prune", "--plan", dir.resolve("missing.json").toString(), "--out", dir.resolve("r").toString()))
                .isEqualTo(2);
        assertThat(errors()).contains("plan file").doesNotContain("\tat ");
    }
}
