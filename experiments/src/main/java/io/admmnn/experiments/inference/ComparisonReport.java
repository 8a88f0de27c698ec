package io.admmnn.experiments.inference;

import io.admmnn.experiments.pipeline.Provenance;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The Markdown report and charts of an {@link InferenceComparison}. */
public final class ComparisonReport {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * A speed target of issue 14: admm-runtime's batch-1 latency {@code latency} times lower than PyTorch's, and its
     * batch-N throughput {@code throughput} times higher (NaN: no target).
     */
    public record Target(String model, double latency, double throughput) {

        /** The targets for a built-in model id, or none. */
        public static Target of(String model) {
            return switch (model) {
                case "lenet-5" -> new Target(model, 3, 2);
                case "lenet-300-100" -> new Target(model, 2, Double.NaN);
                default -> new Target(model, Double.NaN, Double.NaN);
            };
        }
    }

    /**
     * Everything the report shows.
     *
     * @param facts rows for the provenance table (policy, threads, BLAS, ...), in order
     */
    public record Contents(String title, Provenance provenance, Map<String, String> facts,
                           List<InferenceComparison.Side> sides, InferenceComparison.Side runtime,
                           InferenceComparison.Side torch, Target target, List<String> checks,
                           List<InferenceComparison.LayerTime> profile) {
    }

    private ComparisonReport() {
    }

    public static String markdown(Contents c) {
        StringBuilder md = new StringBuilder("# ").append(c.title()).append("\n\n")
                .append(c.provenance().markdownTable(false));
        c.facts().forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        int batch = c.runtime().batch();
        md.append("\n| | batch-1 latency (ms, median) | batch-").append(batch).append(" throughput (images/s) | ")
                .append("admm-runtime's latency is ... lower | admm-runtime's throughput is ... higher |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (InferenceComparison.Side s : c.sides()) {
            md.append(String.format(Locale.ROOT, "| %s | %.4g | %.4g | %s | %s |%n", s.name(), s.batch1Millis(),
                    s.throughput(), s == c.runtime() ? "-" : String.format(Locale.ROOT, "%.2fx",
                            s.batch1Millis() / c.runtime().batch1Millis()), s == c.runtime() ? "-"
                            : String.format(Locale.ROOT, "%.2fx", c.runtime().throughput() / s.throughput())));
        }
        md.append("\n");
        md.append(targets(c));
        if (!c.checks().isEmpty()) {
            md.append("## Checks\n\n");
            c.checks().forEach(line -> md.append("- ").append(line).append('\n'));
            md.append('\n');
        }
        md.append("## Where admm-runtime's time goes\n\nEach layer's forward pass timed alone on its real input "
                        + "(medians; the whole network's time above also holds the calls between layers).\n\n")
                .append("| layer | type | kernel (batch 1 / ").append(batch).append(") | batch 1 (ms) | share | batch ")
                .append(batch).append(" (ms) | share |\n|---|---|---|---:|---:|---:|---:|\n");
        double one = c.profile().stream().mapToDouble(InferenceComparison.LayerTime::batch1Millis).sum();
        double many = c.profile().stream().mapToDouble(InferenceComparison.LayerTime::batchMillis).sum();
        for (InferenceComparison.LayerTime l : c.profile()) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4g | %.1f %% | %.4g | %.1f %% |%n", l.layer(),
                    l.type(), l.kernel(), l.batch1Millis(), 100 * l.batch1Millis() / one, l.batchMillis(),
                    100 * l.batchMillis() / many));
        }
        md.append("\n![batch-1 latency](latency.png) ![throughput](throughput.png)\n");
        return md.toString();
    }

    private static String targets(Contents c) {
        Target t = c.target();
        if (c.torch() == null) {
            return "PyTorch was not run (--skip-torch): no ratio against it.\n\n";
        }
        if (Double.isNaN(t.latency()) && Double.isNaN(t.throughput())) {
            return "No speed target of issue 14 for " + t.model() + ".\n\n";
        }
        StringBuilder md = new StringBuilder("## Targets (issue 14, " + t.model() + ")\n\n"
                + "| target | measured | |\n|---|---:|---|\n");
        double latency = c.torch().batch1Millis() / c.runtime().batch1Millis();
        double throughput = c.runtime().throughput() / c.torch().throughput();
        if (!Double.isNaN(t.latency())) {
            md.append(row(String.format(Locale.ROOT, "batch-1 latency >= %.0fx lower than PyTorch dense", t.latency()),
                    latency, t.latency()));
        }
        if (!Double.isNaN(t.throughput())) {
            md.append(row(String.format(Locale.ROOT, "batch-%d throughput >= %.0fx higher than PyTorch dense",
                    c.runtime().batch(), t.throughput()), throughput, t.throughput()));
        }
        md.append("\nWhere a target is missed, the table below says which layers the runtime's time is spent on.\n\n");
        return md.toString();
    }

    private static String row(String what, double measured, double target) {
        return String.format(Locale.ROOT, "| %s | %.2fx | %s |%n", what, measured, measured >= target ? "met"
                : String.format(Locale.ROOT, "**missed** by a factor %.2f (admm-runtime would have to be %.0f %% "
                        + "faster)", target / measured, 100 * (target / measured - 1)));
    }

    /** A bar chart (PNG bytes) of one value per side. */
    public static byte[] chartPng(String title, String yAxis, List<InferenceComparison.Side> sides,
                                  java.util.function.ToDoubleFunction<InferenceComparison.Side> value) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(700).height(450).title(title).yAxisTitle(yAxis).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.addSeries(yAxis, sides.stream().map(InferenceComparison.Side::name).toList(),
                sides.stream().map(s -> value.applyAsDouble(s)).toList());
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
