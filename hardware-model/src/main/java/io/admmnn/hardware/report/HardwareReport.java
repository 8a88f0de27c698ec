package io.admmnn.hardware.report;

import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.cost.LayerCost;
import io.admmnn.hardware.cost.NetworkCost;
import io.admmnn.hardware.plan.PruningPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** Markdown, CSV and PNG renderings of {@link NetworkCost}s, plans and measured break-even sweeps. */
public final class HardwareReport {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private HardwareReport() {
    }

    /** The per-layer cost table with totals, in Markdown. */
    public static String costTable(String title, NetworkCost cost) {
        StringBuilder md = new StringBuilder("### ").append(title).append("\n\n");
        md.append("| layer | weights | kept | ratio | MACs dense | MACs kept | value bits | index bits | fillers | storage (bytes) | BOPs dense | BOPs kept | energy (uJ) | break-even compute | break-even storage | above break-even |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (LayerCost l : cost.layers()) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2fx | %.4g | %.4g | %.0f | %.0f | %.0f | %.0f | %.3g | %.3g | %.3g | %s | %s | %s |\n",
                    l.layer(), l.weights(), l.kept(), l.ratio(), (double) l.macsDense(), l.macsPruned(), l.valueBits(),
                    l.indexBits(), l.fillers(), l.storageBits() / 8, l.bopsDense(), l.bopsPruned(), l.energyPj() / 1e6,
                    ratio(l.breakEvenCompute()), ratio(l.breakEvenStorage()),
                    l.kept() == l.weights() ? "dense" : l.aboveComputeBreakEven() ? "yes" : "**no**"));
        }
        md.append(String.format(Locale.ROOT, "| **total** | %d | %d | **%.2fx** | %.4g | %.4g | %.0f | %.0f | | %.0f | | | %.3g | | | |\n\n",
                cost.weights(), cost.kept(), cost.weightCompression(), cost.macsDense(), cost.macsPruned(), cost.valueBits(),
                cost.indexBits(), (cost.valueBits() + cost.indexBits()) / 8, cost.energyPj() / 1e6));
        md.append(String.format(Locale.ROOT, "Weights %.2fx fewer; MACs %.2fx fewer; weight storage %.1fx smaller without "
                        + "index storage, %.1fx with it; BOPs %.1fx fewer than 32x32-bit dense; energy %.3g uJ per image.\n\n",
                cost.weightCompression(), cost.macReduction(), cost.sizeReductionWithoutIndex(),
                cost.sizeReductionWithIndex(), cost.bopsReduction(), cost.energyPj() / 1e6));
        return md.toString();
    }

    /** A plan's decisions in Markdown. */
    public static String planTable(PruningPlan plan) {
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "### Plan for %s: %s\n\nProfile: %s\n\n",
                plan.network(), plan.target(), plan.profile()));
        md.append("| layer | kept | pruning ratio | break-even respected | why |\n|---|---:|---:|---:|---|\n");
        for (PruningPlan.Decision d : plan.layers()) {
            md.append(String.format(Locale.ROOT, "| %s | %.2f%% | %.4f | %s | %s |\n", d.layer(), 100 * d.keptFraction(),
                    d.pruningRatio(), ratio(d.breakEven()), d.reason()));
        }
        return md.append('\n').toString();
    }

    /** The per-layer table as CSV (one header line, one line per layer). */
    public static String csv(NetworkCost cost) {
        List<String> lines = new ArrayList<>();
        lines.add("layer,weights,kept,ratio,macs_dense,macs_kept,value_bits,index_bits,fillers,storage_bytes,bops_dense,bops_kept,energy_pj,breakeven_compute,breakeven_storage");
        for (LayerCost l : cost.layers()) {
            lines.add(String.format(Locale.ROOT, "%s,%d,%d,%.6f,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.6g,%.6g,%.6g,%.6g,%.6g",
                    l.layer(), l.weights(), l.kept(), l.ratio(), l.macsDense(), l.macsPruned(), l.valueBits(), l.indexBits(),
                    l.fillers(), l.storageBits() / 8, l.bopsDense(), l.bopsPruned(), l.energyPj(), l.breakEvenCompute(),
                    l.breakEvenStorage()));
        }
        return String.join("\n", lines) + "\n";
    }

    /** Bar chart (PNG bytes) of MACs per layer, dense against each cost's kept MACs. */
    public static byte[] macsChartPng(String title, List<String> names, List<NetworkCost> costs) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500).title(title)
                .yAxisTitle("million MACs per image").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        List<String> layers = costs.get(0).layers().stream().map(LayerCost::layer).toList();
        chart.addSeries("dense", layers, costs.get(0).layers().stream().map(l -> l.macsDense() / 1e6).toList());
        for (int i = 0; i < costs.size(); i++) {
            chart.addSeries(names.get(i), layers, costs.get(i).layers().stream().map(l -> l.macsPruned() / 1e6).toList());
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * Chart (PNG bytes) of measured times against kept fraction, per layer: the sparse kernel (solid, circles) and the
     * best dense kernel (dashed, no markers: the faster of the library's and admm-runtime's dense kernels; one time per
     * kept fraction, measured beside each sparse point), both axes
     * logarithmic. Where a layer's two lines cross is its compute break-even.
     */
    public static byte[] measuredChartPng(String title, MeasuredProfile profile) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(600).title(title).xAxisTitle("kept fraction")
                .yAxisTitle("milliseconds (median)").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        java.awt.Color[] colors = chart.getStyler().getSeriesColors();
        int i = 0;
        for (var e : profile.measurements().entrySet()) {
            java.awt.Color color = colors[i++ % colors.length];
            List<Double> kept = e.getValue().stream().map(MeasuredProfile.Point::keptFraction).toList();
            var sparse = chart.addSeries(e.getKey() + " sparse", kept,
                    e.getValue().stream().map(MeasuredProfile.Point::sparseMillis).toList());
            sparse.setLineColor(color);
            sparse.setMarkerColor(color);
            sparse.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
            var dense = chart.addSeries(e.getKey() + " dense", kept,
                    e.getValue().stream().map(MeasuredProfile.Point::bestDenseMillis).toList());
            dense.setLineColor(color);
            dense.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
            dense.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "never" : String.format(Locale.ROOT, "%.2fx", r);
    }
}
