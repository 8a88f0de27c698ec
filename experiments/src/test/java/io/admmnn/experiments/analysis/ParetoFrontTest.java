package io.admmnn.experiments.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.experiments.pipeline.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParetoFrontTest {

    private static Path run(Path dir, String name, long kept, double accuracy) throws Exception {
        RunRecord rec = new RunRecord();
        rec.plan = io.admmnn.experiments.pipeline.CompressionPlan.preset("quick",
                io.admmnn.experiments.zoo.ZooModel.LENET_300_100);
        rec.layers.add(new RunRecord.LayerEntry("fc", "DenseLayer", 1000, kept, 0.9));
        rec.accuracy.put(RunRecord.PRETRAINED, 0.99);
        rec.accuracy.put(RunRecord.AFTER_RETRAIN, accuracy);
        Path folder = Files.createDirectories(dir.resolve(name));
        Files.writeString(folder.resolve("report.json"), rec.toJson());
        return folder;
    }

    @Test
    void marksTheRunsNoOtherRunBeatsInBothAccuracyAndCompression(@TempDir Path dir) throws Exception {
        List<Path> runs = List.of(run(dir, "a", 100, 0.98),   // 10x, 98 %: front
                run(dir, "b", 50, 0.97),                         // 20x, 97 %: front
                run(dir, "c", 100, 0.96),                        // 10x, 96 %: beaten by a
                run(dir, "d", 200, 0.975),                       // 5x, 97.5 %: beaten by a
                run(dir, "e", 25, 0.90));                        // 40x: front (most compressed)
        List<ParetoFront.Point> points = ParetoFront.of(runs, false);
        assertThat(points).extracting(ParetoFront.Point::onFront).containsExactly(true, true, false, false, true);
        assertThat(points.get(1).compression()).isEqualTo(20.0);

        String md = ParetoFront.write(points, "weight compression", dir.resolve("out"),
                io.admmnn.experiments.pipeline.Provenance.collect("analyze pareto a b c d e", 0));
        assertThat(md).contains("| b | 20.0x | 97.00% | yes |");
        assertThat(dir.resolve("out").resolve(ParetoFront.REPORT_FILE)).content().contains(md)
                .contains("| command | `analyze pareto a b c d e` |").contains("| git commit | ").contains("| machine | ");
        assertThat(Files.readAllLines(dir.resolve("out").resolve(ParetoFront.CSV_FILE))).hasSize(6).contains("c,10.0000,0.960000,false");
        assertThat(dir.resolve("out").resolve(ParetoFront.CHART_FILE)).isNotEmptyFile();

        assertThatThrownBy(() -> ParetoFront.of(runs, true)).hasMessageContaining("no compressed model size");
        assertThatThrownBy(() -> ParetoFront.of(List.of(dir.resolve("zz")), false)).hasMessageContaining("no report.json in");
    }
}
