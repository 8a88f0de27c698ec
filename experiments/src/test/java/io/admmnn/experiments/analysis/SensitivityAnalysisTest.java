package io.admmnn.experiments.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.cli.AdmmNnCli;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.data.ShuffledBatches;
import io.admmnn.experiments.zoo.ZooModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LeNet-300-100 trained one epoch on 3,000 MNIST images (a few seconds), swept on 500 test images. */
class SensitivityAnalysisTest {

    private static Path mnist;
    private static TrainableNetwork net;
    private static ShuffledBatches test;

    @BeforeAll
    static void train() {
        mnist = Mnist.ensureAvailable(Mnist.defaultDirectory(), s -> { });
        net = TrainableNetwork.of(ZooModel.LENET_300_100.build(5, 1e-3));
        net.fitEpoch(ShuffledBatches.training(Mnist.train(mnist).first(3000), 64, 5));
        test = ShuffledBatches.inOrder(Mnist.test(mnist).first(500), 250);
    }

    @Test
    void sweepsEveryLayerRestoresTheWeightsAndExtremePruningHurts(@TempDir Path dir) throws Exception {
        List<Double> ratios = List.of(0.0, 0.5, 0.9, 0.999);
        SensitivityAnalysis.Result r = SensitivityAnalysis.run(net, test, List.of(), ratios, TopKSparsity::new);

        assertThat(r.baseline()).as("one epoch on 3,000 images").isGreaterThan(0.8);
        assertThat(r.points()).hasSize(3 * ratios.size());
        for (var entry : r.byLayer().entrySet()) {
            List<SensitivityAnalysis.Point> pts = entry.getValue();
            assertThat(pts.get(0).accuracy()).as("ratio 0 is the network itself").isEqualTo(r.baseline());
            assertThat(pts.get(3).accuracy()).as(entry.getKey() + " at 0.999 vs 0.5")
                    .isLessThanOrEqualTo(pts.get(1).accuracy());
        }
        // fc1 keeps 235 of 235,200 weights at 0.999: the net is close to guessing.
        assertThat(r.byLayer().get("fc1").get(3).accuracy()).isLessThan(r.baseline() - 0.3);
        assertThat(r.byLayer().get("fc1").get(3).kept()).isEqualTo(235);
        assertThat(net.evaluate(test).accuracy()).as("weights restored after the sweep").isEqualTo(r.baseline());

        SensitivityAnalysis.write(r, dir, io.admmnn.experiments.pipeline.Provenance.collect("test", 1), "MNIST");
        List<String> csv = Files.readAllLines(dir.resolve(SensitivityAnalysis.CSV_FILE));
        assertThat(csv).hasSize(1 + 3 * ratios.size());
        assertThat(csv.get(1)).startsWith("fc1,0.0,235200,");
        assertThat(dir.resolve(SensitivityAnalysis.CHART_FILE)).isNotEmptyFile();
        assertThat(dir.resolve(SensitivityAnalysis.REPORT_FILE)).content().contains("| command | `test` |")
                .contains("| seed | 1 |").contains(SensitivityAnalysis.table(r));
        assertThat(SensitivityAnalysis.table(r)).contains("| fc3 |").contains("| 0.999 |");
    }

    @Test
    void commandLineRunsOnASavedModelAndRejectsBadInput(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.zip");
        net.save(model.toFile(), false);
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            assertThat(AdmmNnCli.execute("analyze", "sensitivity", "--run", model.toString(), "--ratios", "0.5,0.99",
                    "--layers", "fc2,fc3", "--test-limit", "300", "--out", dir.resolve("s").toString(),
                    "--data-dir", mnist.toString())).isZero();
            assertThat(Files.readAllLines(dir.resolve("s").resolve(SensitivityAnalysis.CSV_FILE))).hasSize(1 + 2 * 2);
            assertThat(out.toString()).contains("| fc2 |").contains("| fc3 |");

            // Any constraint set of an experiment file but N:M: a block shape, or a user class by name.
            for (String structure : new String[] {"block:2x2", "io.admmnn.experiments.config.LeadingZeros"}) {
                Path s = dir.resolve("s-" + structure.length());
                assertThat(AdmmNnCli.execute("analyze", "sensitivity", "--run", model.toString(), "--ratios", "0.5",
                        "--layers", "fc3", "--structure", structure, "--test-limit", "300", "--out", s.toString(),
                        "--data-dir", mnist.toString())).as(structure).isZero();
                assertThat(Files.readAllLines(s.resolve(SensitivityAnalysis.CSV_FILE)).get(1)).as(structure)
                        .startsWith("fc3,0.5,500,"); // 1,000 weights: 125 of 250 2x2 blocks, or the last 500
            }
            assertThat(AdmmNnCli.execute("analyze", "sensitivity", "--run", model.toString(), "--structure", "nm"))
                    .isEqualTo(2);
            assertThat(err.toString()).contains("N:M fixes its ratio");

            assertThat(AdmmNnCli.execute("analyze", "bits", "--run", dir.toString(), "--ratio", "20",
                    "--layers", "fc2,fc3")).isZero();
            assertThat(out.toString()).contains("| fc2 | 30000 | 30000 |").contains("smaller than 32-bit dense weights");

            // A results folder's own data set is the default: this one says Fashion-MNIST, absent from an empty folder.
            var rec = new io.admmnn.experiments.pipeline.RunRecord();
            rec.plan = io.admmnn.experiments.pipeline.CompressionPlan.preset("quick", io.admmnn.experiments.zoo.ZooModel.LENET_300_100)
                    .withDataset("fashion-mnist");
            Path fashionRun = Files.createDirectories(dir.resolve("fashion-run"));
            Files.copy(model, fashionRun.resolve("model.zip"));
            Files.writeString(fashionRun.resolve("report.json"), rec.toJson());
            Path empty = Files.createDirectories(dir.resolve("no-data"));
            assertThat(AdmmNnCli.execute("analyze", "sensitivity", "--run", fashionRun.toString(), "--data-dir", empty.toString()))
                    .isEqualTo(2);
            assertThat(err.toString()).contains("Fashion-MNIST").doesNotContain("\tat ");

            assertThat(AdmmNnCli.execute("analyze", "sensitivity", "--run", dir.resolve("nope").toString())).isEqualTo(2);
            assertThat(err.toString()).contains("error: ").contains("does not exist").doesNotContain("\tat ");
            assertThat(AdmmNnCli.execute("analyze", "sensitivity", "--run", model.toString(), "--ratios", "1.5",
                    "--data-dir", mnist.toString())).isEqualTo(2);
            assertThat(err.toString()).contains("pruning ratio must be in [0, 1)");
            assertThat(AdmmNnCli.execute("analyze", "bits", "--run", model.toString(), "--budget-bytes", "10")).isEqualTo(2);
            assertThat(err.toString()).contains("budget too small").doesNotContain("\tat ");
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
