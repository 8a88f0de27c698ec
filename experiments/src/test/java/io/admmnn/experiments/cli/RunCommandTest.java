package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.config.ExperimentFile;
import io.admmnn.experiments.config.FailingProjection;
import io.admmnn.experiments.config.LeadingZeros;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code admm-nn run}: an experiment file with a user projection class, run end to end on a small MNIST subset. */
class RunCommandTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    @Test
    void aMistakeInTheFileIsOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("typo.yaml");
        Files.writeString(yaml, "model: lenet-5\ndataset: mnist\nseeed: 1\n");
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", dir.resolve("out").toString())).isEqualTo(2);
        assertThat(console.err().strip()).isEqualTo("error: " + yaml + ":3: seeed: unknown key (did you mean 'seed'?); "
                + "keys here: method, model, dataset, seed, batchSize, trainLimit, testLimit, pretrain, admm, retrain, quantize, "
                + "storage, layers, startFrom, images");
        assertThat(dir.resolve("out")).doesNotExist();

        // LeNet-5 cannot take the image folder's 227x227 RGB images: the file is rejected at that line, no folder made.
        Files.writeString(yaml, """
                model: lenet-5
                dataset: image-folder
                pretrain: {epochs: 1, learningRate: 1.0e-3}
                admm: {rounds: 1, epochsPerRound: 1, learningRate: 1.0e-3, rho: 0.01}
                retrain: {epochs: 1, learningRate: 1.0e-3}
                layers:
                  ip1: {ratio: 0.9}
                """);
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", dir.resolve("out").toString())).isEqualTo(2);
        assertThat(console.err()).contains("typo.yaml:2: dataset: lenet-5 takes 1x28x28 images of 10 classes; "
                + "image-folder has 3x227x227");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void runsAFileWhoseLayerUsesAUserProjectionAndTheReportCommandRereadsIt(@TempDir Path dir) throws Exception {
        Mnist.ensureAvailable(Mnist.defaultDirectory(), s -> { });
        Path yaml = dir.resolve("user.yaml");
        Files.writeString(yaml, """
                model: lenet-300-100
                dataset: mnist
                seed: 3
                trainLimit: 1000
                testLimit: 500
                pretrain: {epochs: 1, learningRate: 1.0e-3}
                admm: {rounds: 1, epochsPerRound: 1, learningRate: 1.0e-3, rho: 0.02}
                retrain: {epochs: 1, learningRate: 5.0e-4}
                layers:
                  fc1: {ratio: 0.9, projection: io.admmnn.experiments.config.LeadingZeros}
                  fc?: {ratio: 0.5}
                """);
        // fc? would also match fc1: the file must name fc2 and fc3 another way.
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", dir.resolve("x").toString())).isEqualTo(2);
        assertThat(console.err()).contains("layers.fc?: layer fc1 is already set by 'fc1' (line 10)");

        Files.writeString(yaml, Files.readString(yaml).replace("fc?: {ratio: 0.5}", "fc2: {ratio: 0.5}\n  fc3: {ratio: 0.5}"));
        Path out = dir.resolve("run");
        assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", out.toString(), "--no-progress")).isZero();

        assertThat(out.resolve(RunCommand.EXPERIMENT_COPY)).hasSameTextualContentAs(yaml);
        assertThat(out.resolve("report.md")).content().contains("fc1: io.admmnn.experiments.config.LeadingZeros; fc2: topk");
        TrainableNetwork net = TrainableNetwork.load(out.resolve(CompressionPipeline.MODEL).toFile(), false);
        var fc1 = net.layer("fc1").weights();
        long n = fc1.length();
        long nonZero = fc1.neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
        // The user's set, not top-k: exactly the leading 90 % are zero and masked retraining kept them there.
        assertThat(new LeadingZeros(0.9).isFeasible(fc1, 0.0)).isTrue();
        assertThat(nonZero).isEqualTo(n - Math.round(0.9 * n));
        assertThat(new LeadingZeros(0.1).isFeasible(net.layer("fc2").weights(), 0.0)).isFalse();

        assertThat(AdmmNnCli.execute("report", out.toString())).isZero();
        assertThat(AdmmNnCli.execute("resume", out.toString(), "--no-progress")).isZero(); // finished: nothing to do
    }

    private static final String SMALL_RUN = """
            model: lenet-300-100
            dataset: mnist
            seed: 3
            trainLimit: 500
            testLimit: 200
            pretrain: {epochs: 1, learningRate: 1.0e-3}
            admm: {rounds: 2, epochsPerRound: 1, learningRate: 1.0e-3, rho: 0.02}
            retrain: {epochs: 1, learningRate: 5.0e-4}
            layers:
              fc1: {ratio: 0.9}
              fc2: {ratio: 0.5, projection: io.admmnn.experiments.config.FailingProjection}
              fc3: {ratio: 0.5}
            """;

    @Test
    void aUserProjectionThatThrowsEndsTheRunInOneLineNamingItsClassAndLayerAndKeepsTheCheckpoint(@TempDir Path dir)
            throws Exception {
        // Issue 17: it ended with the user's raw stack trace.
        Mnist.ensureAvailable(Mnist.defaultDirectory(), s -> { });
        Path yaml = Files.writeString(dir.resolve("failing.yaml"), SMALL_RUN);
        String said = "error: projection io.admmnn.experiments.config.FailingProjection on layer fc2 failed: "
                + FailingProjection.MESSAGE + " (IllegalStateException at ";
        try {
            // The first call is the check of the planned sets, before any training: no folder is made.
            FailingProjection.failAfter(0);
            Path before = dir.resolve("before");
            assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", before.toString(), "--no-progress"))
                    .isEqualTo(2);
            assertThat(console.err().strip()).startsWith(said).contains("FailingProjection.java:")
                    .doesNotContain("\tat ").hasLineCount(1);
            assertThat(before).doesNotExist();

            // The second is the first Z-step, after pretraining: the run ends there and keeps its checkpoint.
            FailingProjection.failAfter(1);
            int start = console.err().length();
            Path during = dir.resolve("during");
            assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", during.toString(), "--no-progress"))
                    .isEqualTo(2);
            String err = console.err().substring(start).strip();
            assertThat(err).startsWith(said).doesNotContain("\tat ").hasLineCount(1)
                    .endsWith("the checkpoint after step 1 of 5 is kept in " + during.resolve(CompressionPipeline.CHECKPOINT)
                            + ": resume it once that is fixed");
            assertThat(during.resolve(CompressionPipeline.CHECKPOINT)).isRegularFile();
        } finally {
            FailingProjection.failAfter(Integer.MAX_VALUE);
        }
    }

    @Test
    void seedOverridesTheFilesAndAResumedRunKeepsIt(@TempDir Path dir) throws Exception {
        Mnist.ensureAvailable(Mnist.defaultDirectory(), s -> { });
        Path yaml = Files.writeString(dir.resolve("seeded.yaml"), SMALL_RUN); // the file says seed: 3
        Path whole = dir.resolve("whole");
        Path interrupted = dir.resolve("interrupted");
        Path fileSeed = dir.resolve("file-seed");
        try {
            // Ends at the first Z-step, after pretraining: the checkpoint holds the plan, and with it the seed.
            FailingProjection.failAfter(1);
            assertThat(AdmmNnCli.execute("run", yaml.toString(), "--seed", "7", "--out", interrupted.toString(),
                    "--no-progress")).isEqualTo(2);
            FailingProjection.failAfter(Integer.MAX_VALUE);
            assertThat(AdmmNnCli.execute("resume", interrupted.toString(), "--no-progress")).isZero();
            assertThat(AdmmNnCli.execute("run", yaml.toString(), "--seed", "7", "--out", whole.toString(),
                    "--no-progress")).isZero();
            assertThat(AdmmNnCli.execute("run", yaml.toString(), "--out", fileSeed.toString(), "--no-progress")).isZero();
        } finally {
            FailingProjection.failAfter(Integer.MAX_VALUE);
        }
        RunRecord resumed = RunRecord.read(interrupted);
        assertThat(resumed.plan.seed()).isEqualTo(7);
        assertThat(resumed.provenance.seed()).isEqualTo(7);
        assertThat(resumed.provenance.command()).endsWith("--seed 7 --out " + interrupted + " --no-progress");
        assertThat(resumed.resumedAt).hasSize(1);
        // Seeds 7 and 3 train differently; the resumed run continued seed 7's data order, so it ends where an
        // uninterrupted seed-7 run does (the pipeline is deterministic per seed).
        RunRecord uninterrupted = RunRecord.read(whole);
        assertThat(resumed.accuracy).isEqualTo(uninterrupted.accuracy);
        assertThat(resumed.epochs.stream().map(e -> e.objective()).toList())
                .isEqualTo(uninterrupted.epochs.stream().map(e -> e.objective()).toList());
        RunRecord seed3 = RunRecord.read(fileSeed);
        assertThat(seed3.plan.seed()).isEqualTo(3);
        assertThat(seed3.epochs.get(0).objective()).isNotEqualTo(uninterrupted.epochs.get(0).objective());
        assertThat(interrupted.resolve(RunCommand.EXPERIMENT_COPY)).hasSameTextualContentAs(yaml);
    }

    @Test
    void aCheckpointWithAFlippedByteIsReportedAsDamagedNamingTheFile(@TempDir Path dir) throws Exception {
        // Issue 17: a flipped byte said only "invalid entry CRC ...", not which file.
        Path mnist = Mnist.ensureAvailable(Mnist.defaultDirectory(), s -> { });
        Path yaml = Files.writeString(dir.resolve("small.yaml"), SMALL_RUN.replace(
                ", projection: io.admmnn.experiments.config.FailingProjection", ""));
        Path out = dir.resolve("crashed");
        // Crash in the second ADMM round: the checkpoint holds the network, its updater and the ADMM state.
        assertThatThrownBy(() -> new CompressionPipeline(out, mnist, line -> {
            if (line.contains(" round 2/")) {
                throw new IllegalStateException("simulated crash");
            }
        }, false).run(ExperimentFile.load(yaml), "test")).hasMessage("simulated crash");
        Path checkpoint = out.resolve(CompressionPipeline.CHECKPOINT);
        byte[] good = Files.readAllBytes(checkpoint);
        List<String> names = new ArrayList<>();
        List<Long> middles = new ArrayList<>();
        try (var zip = org.apache.commons.compress.archivers.zip.ZipFile.builder().setFile(checkpoint.toFile()).get()) {
            for (var e : java.util.Collections.list(zip.getEntries())) {
                if (e.getCompressedSize() > 0) {
                    names.add(e.getName());
                    middles.add(e.getDataOffset() + e.getCompressedSize() / 2);
                }
            }
        }
        assertThat(names).contains("coefficients.bin", "updaterState.bin").hasSizeGreaterThanOrEqualTo(4);
        for (int i = 0; i < names.size(); i++) {
            byte[] bad = good.clone();
            bad[Math.toIntExact(middles.get(i))] ^= 0x10;
            Files.write(checkpoint, bad);
            int start = console.err().length();
            assertThat(AdmmNnCli.execute("resume", out.toString(), "--no-progress")).as(names.get(i)).isEqualTo(2);
            String err = console.err().substring(start).strip();
            assertThat(err).as(names.get(i)).startsWith("error: " + checkpoint + " is damaged")
                    .doesNotContain("\tat ").hasLineCount(1);
        }
        Files.write(checkpoint, good); // and the intact file still resumes
        assertThat(AdmmNnCli.execute("resume", out.toString(), "--no-progress")).isZero();
    }
}
