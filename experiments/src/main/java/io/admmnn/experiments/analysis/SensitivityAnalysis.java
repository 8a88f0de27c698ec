package io.admmnn.experiments.analysis;

import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.tensor.NonZeros;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.report.Charts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Pruning sensitivity of each layer alone: for every layer and ratio r, the layer's weights are replaced by
 * {@code Proj_r(W)} (the real projection, e.g. top-k), every other layer stays as it is, and test accuracy is
 * measured; then the layer's weights are restored exactly. Shows which layers tolerate how much pruning before
 * any ratios are chosen (Distiller's sensitivity analysis). Accuracies are fractions in [0, 1].
 */
public final class SensitivityAnalysis {

    /** File names in the output folder. */
    public static final String CSV_FILE = "sensitivity.csv";
    public static final String CHART_FILE = "sensitivity.png";

    private SensitivityAnalysis() {
    }

    /**
     * One measurement.
     *
     * @param layer    the only layer projected
     * @param ratio    the projection's pruning ratio
     * @param kept     non-zero weights of that layer after projection
     * @param accuracy test accuracy of the network with that layer projected
     */
    public record Point(String layer, double ratio, long kept, double accuracy) {
    }

    /**
     * All measurements.
     *
     * @param baseline   test accuracy of the network as given
     * @param projection what was applied, e.g. "top-k sparsity"
     * @param points     layer-major, ratios in the given order
     */
    public record Result(double baseline, String projection, List<Point> points) {

        public Result {
            points = List.copyOf(points);
        }

        /** Points grouped by layer, in measurement order. */
        public Map<String, List<Point>> byLayer() {
            Map<String, List<Point>> m = new LinkedHashMap<>();
            points.forEach(p -> m.computeIfAbsent(p.layer(), k -> new ArrayList<>()).add(p));
            return m;
        }
    }

    /**
     * Measures every (layer, ratio) pair.
     *
     * @param layers     layer names (empty: every layer with weights)
     * @param projection the projection for a ratio, e.g. {@code TopKSparsity::new}
     */
    public static Result run(TrainableNetwork net, DataSetIterator test, List<String> layers, List<Double> ratios,
                             DoubleFunction<Projection> projection) {
        List<ConstrainableLayer> chosen = layers.isEmpty() ? net.constrainableLayers()
                : layers.stream().map(net::layer).toList();
        List<Projection> projections = ratios.stream().map(projection::apply).toList(); // bad ratios fail first
        double baseline = net.evaluate(test).accuracy();
        List<Point> points = new ArrayList<>();
        for (ConstrainableLayer layer : chosen) {
            INDArray live = layer.weights();
            INDArray original = live.dup();
            try {
                for (int i = 0; i < ratios.size(); i++) {
                    INDArray projected = projections.get(i).project(original);
                    live.assign(projected);
                    long kept = NonZeros.count(projected);
                    points.add(new Point(layer.name(), ratios.get(i), kept, net.evaluate(test).accuracy()));
                }
            } finally {
                live.assign(original);
            }
        }
        String name = projections.isEmpty() ? "" : projections.get(0).describe().replaceAll(":.*", "");
        return new Result(baseline, name, points);
    }

    /** Markdown file with the provenance and the table, beside the CSV and the chart. */
    public static final String REPORT_FILE = "sensitivity.md";

    /**
     * Writes {@value #CSV_FILE}, {@value #CHART_FILE} and {@value #REPORT_FILE} (the table under the command, git
     * commit, seed and machine that produced it) into {@code dir} (created if missing).
     */
    public static void write(Result result, Path dir, io.admmnn.experiments.pipeline.Provenance provenance, String data)
            throws IOException {
        Files.createDirectories(dir);
        AtomicFile.writeString(dir.resolve(REPORT_FILE), "# Pruning sensitivity\n\n"
                + provenance.markdownTable(true)
                + "| data | " + data + " |\n\n" + table(result) + "\n![sensitivity](" + CHART_FILE + ")\n");
        StringBuilder csv = new StringBuilder("layer,ratio,kept,accuracy,baseline\n");
        for (Point p : result.points()) {
            csv.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.6f%n", p.layer(), p.ratio(), p.kept(), p.accuracy(),
                    result.baseline()));
        }
        AtomicFile.writeString(dir.resolve(CSV_FILE), csv);
        List<Charts.Series> series = new ArrayList<>();
        result.byLayer().forEach((layer, pts) -> series.add(new Charts.Series(layer,
                pts.stream().map(Point::ratio).toList(), pts.stream().map(p -> 100 * p.accuracy()).toList())));
        Charts.lines(dir.resolve(CHART_FILE), "Pruning sensitivity (" + result.projection() + ", one layer at a time)",
                "pruning ratio of the layer", "test accuracy (%)", false, series);
    }

    /** Markdown table: one row per layer, one column per ratio, accuracies in percent. */
    public static String table(Result result) {
        Map<String, List<Point>> byLayer = result.byLayer();
        if (byLayer.isEmpty()) {
            return "";
        }
        List<Point> first = byLayer.values().iterator().next();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "Baseline test accuracy %.2f%%; %s of one layer "
                + "at a time, test accuracy (%%):%n%n| layer |", 100 * result.baseline(), result.projection()));
        first.forEach(p -> md.append(' ').append(p.ratio()).append(" |"));
        md.append("\n|---|").append("---:|".repeat(first.size())).append('\n');
        byLayer.forEach((layer, pts) -> {
            md.append("| ").append(layer).append(" |");
            pts.forEach(p -> md.append(String.format(Locale.ROOT, " %.2f |", 100 * p.accuracy())));
            md.append('\n');
        });
        return md.toString();
    }
}
