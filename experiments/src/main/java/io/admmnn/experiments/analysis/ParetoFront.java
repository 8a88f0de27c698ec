package io.admmnn.experiments.analysis;

import io.admmnn.core.io.AtomicFile;
import io.admmnn.experiments.pipeline.Provenance;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Test accuracy against compression over several finished runs, with the Pareto front marked: a run is on the
 * front when no other run is at least as good in both (accuracy and compression) and better in one.
 * Compression is the weight compression (dense weights / kept weights) or, with {@code size}, 32-bit dense weight
 * bits over stored value, index and filler bits of {@code model.admmnn}.
 */
public final class ParetoFront {

    /** File names in the output folder. */
    public static final String CSV_FILE = "pareto.csv";
    public static final String CHART_FILE = "pareto.png";
    public static final String REPORT_FILE = "pareto.md";

    private ParetoFront() {
    }

    /**
     * One run.
     *
     * @param run         results folder name
     * @param compression x: the chosen compression ratio (times)
     * @param accuracy    y: final test accuracy, fraction
     * @param onFront     whether no other run dominates it
     */
    public record Point(String run, double compression, double accuracy, boolean onFront) {
    }

    /**
     * Reads the {@code report.json} of each folder.
     *
     * @param size false: weight compression; true: storage reduction with indices (runs without storage are an error)
     */
    public static List<Point> of(List<Path> runs, boolean size) throws IOException {
        List<double[]> xy = new ArrayList<>();
        for (Path run : runs) {
            RunRecord rec = RunRecord.read(run);
            if (size && rec.storage == null) {
                throw new IllegalArgumentException(run + " has no compressed model size (unfinished run?)");
            }
            Double acc = rec.finalAccuracy();
            if (acc == null) {
                throw new IllegalArgumentException(run + " has no final test accuracy (unfinished run?)");
            }
            xy.add(new double[] {size ? rec.storage.weightReductionWithIndex() : rec.compression(), acc});
        }
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            double[] p = xy.get(i);
            boolean dominated = xy.stream().anyMatch(q -> q[0] >= p[0] && q[1] >= p[1] && (q[0] > p[0] || q[1] > p[1]));
            points.add(new Point(runs.get(i).toAbsolutePath().normalize().getFileName().toString(), p[0], p[1], !dominated));
        }
        return points;
    }

    /**
     * Writes {@value #CSV_FILE}, {@value #CHART_FILE} and {@value #REPORT_FILE} (the table under the command, commit
     * and machine that produced it) into {@code dir}; returns the Markdown table.
     */
    public static String write(List<Point> points, String xTitle, Path dir, Provenance provenance) throws IOException {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder("run,compression,accuracy,pareto\n");
        StringBuilder md = new StringBuilder("| run | compression | test accuracy | Pareto front |\n|---|---:|---:|---|\n");
        for (Point p : points) {
            csv.append(String.format(Locale.ROOT, "%s,%.4f,%.6f,%b%n", p.run(), p.compression(), p.accuracy(), p.onFront()));
            md.append(String.format(Locale.ROOT, "| %s | %.1fx | %.2f%% | %s |%n", p.run(), p.compression(),
                    100 * p.accuracy(), p.onFront() ? "yes" : ""));
        }
        AtomicFile.writeString(dir.resolve(CSV_FILE), csv);
        AtomicFile.writeString(dir.resolve(REPORT_FILE), "# Test accuracy vs " + xTitle + "\n\n"
                + provenance.markdownTable(false) + "\nFinal test accuracy of each run (read back from its compressed "
                + "model file where there is one) against its compression, read from its report.json.\n\n" + md
                + "\n![Pareto front](" + CHART_FILE + ")\n");
        List<Charts.Series> runs = points.stream().map(p -> new Charts.Series(p.run(), List.of(p.compression()),
                List.of(100 * p.accuracy()))).toList();
        List<Point> front = points.stream().filter(Point::onFront).sorted(Comparator.comparingDouble(Point::compression)).toList();
        Charts.scatterWithLine(dir.resolve(CHART_FILE), "Test accuracy vs compression", xTitle, "test accuracy (%)", false,
                runs, new Charts.Series("Pareto front", front.stream().map(Point::compression).toList(),
                        front.stream().map(p -> 100 * p.accuracy()).toList()));
        return md.toString();
    }
}
