package io.admmnn.experiments.report;

import io.admmnn.core.io.AtomicFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts for results folders (XChart, rendered headless, each file replaced atomically). */
public final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** A named series of (x, y) points. */
    public record Series(String name, List<Double> x, List<Double> y) {
    }

    /** Writes a line chart of {@code series} to {@code file} (PNG). */
    public static void lines(Path file, String title, String xTitle, String yTitle, boolean logY, List<Series> series)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Series s : series) {
            if (!s.x().isEmpty()) {
                chart.addSeries(s.name(), s.x(), s.y());
            }
        }
        save(chart, file);
    }

    /** Writes a bar chart with one bar per category and series to {@code file} (PNG). */
    public static void bars(Path file, String title, String yTitle, boolean logY, List<String> categories,
                            List<Series> series) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500).title(title).yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Series s : series) {
            chart.addSeries(s.name(), categories, s.y());
        }
        save(chart, file);
    }

    /** Writes a scatter chart of {@code points} (one series each) with {@code line} drawn through its points (PNG). */
    public static void scatterWithLine(Path file, String title, String xTitle, String yTitle, boolean logX,
                                       List<Series> points, Series line) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        for (Series s : points) {
            chart.addSeries(s.name(), s.x(), s.y());
        }
        chart.addSeries(line.name(), line.x(), line.y())
                .setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
        save(chart, file);
    }

    /**
     * Repeated measurements of one configuration: each point as a faint mark, their mean as a marker and the sample
     * standard deviation as bars in x and y (no bar in a direction where it is null or 0).
     */
    public record Spread(String name, List<Double> x, List<Double> y, double meanX, double meanY, Double stdX,
                         Double stdY) {
    }

    /** A horizontal dashed reference line at {@code y}, across the chart. */
    public record Level(String name, double y) {
    }

    /**
     * Writes a chart of {@code spreads} (one legend entry each: its mean, bars and points share a colour) and the
     * {@code levels} to {@code file} (PNG). On a logarithmic x axis a bar reaching zero or below is cut at the
     * smallest point of its spread.
     */
    public static void spreads(Path file, String title, String xTitle, String yTitle, boolean logX, List<Spread> spreads,
                               List<Level> levels) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        java.awt.Color[] palette = chart.getStyler().getSeriesColors();
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < spreads.size(); i++) {
            Spread s = spreads.get(i);
            java.awt.Color colour = palette[i % palette.length];
            double low = s.meanX() - (s.stdX() == null ? 0 : s.stdX());
            if (logX && low <= 0) {
                low = s.x().stream().mapToDouble(Double::doubleValue).min().orElse(s.meanX());
            }
            double high = s.meanX() + (s.stdX() == null ? 0 : s.stdX());
            xMin = Math.min(xMin, Math.min(low, s.x().stream().mapToDouble(Double::doubleValue).min().orElse(low)));
            xMax = Math.max(xMax, Math.max(high, s.x().stream().mapToDouble(Double::doubleValue).max().orElse(high)));
            chart.addSeries(s.name() + " (each)", s.x(), s.y()).setMarker(SeriesMarkers.CIRCLE)
                    .setMarkerColor(new java.awt.Color(colour.getRed(), colour.getGreen(), colour.getBlue(), 80))
                    .setShowInLegend(false);
            if (high > low) {
                bar(chart, s.name() + " (x spread)", colour, List.of(low, high), List.of(s.meanY(), s.meanY()));
            }
            if (s.stdY() != null && s.stdY() > 0) {
                bar(chart, s.name() + " (y spread)", colour, List.of(s.meanX(), s.meanX()),
                        List.of(s.meanY() - s.stdY(), s.meanY() + s.stdY()));
            }
            chart.addSeries(s.name(), List.of(s.meanX()), List.of(s.meanY())).setMarker(SeriesMarkers.DIAMOND)
                    .setMarkerColor(colour);
        }
        if (xMin > xMax) {
            xMin = 1;
            xMax = 10;
        }
        List<Double> across;
        if (logX) {
            // XChart labels a log axis at powers of ten only: a range between two of them would have no numbers.
            across = List.of(Math.pow(10, Math.floor(Math.log10(xMin / 1.2))), Math.pow(10, Math.ceil(Math.log10(xMax * 1.2))));
            chart.getStyler().setXAxisMin(across.get(0)).setXAxisMax(across.get(1));
        } else { // a little beyond the outermost points, so that the lines visibly span the data
            across = List.of(xMin - 0.05 * (xMax - xMin + 1), xMax + 0.05 * (xMax - xMin + 1));
        }
        java.awt.Color[] grey = {java.awt.Color.DARK_GRAY, java.awt.Color.GRAY};
        for (int i = 0; i < levels.size(); i++) {
            Level l = levels.get(i);
            XYSeries line = chart.addSeries(l.name(), across, List.of(l.y(), l.y()));
            line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE);
            line.setLineStyle(SeriesLines.DASH_DASH).setLineColor(grey[i % grey.length]);
        }
        save(chart, file);
    }

    /** An error bar: a solid line between two points, not in the legend. */
    private static void bar(XYChart chart, String name, java.awt.Color colour, List<Double> x, List<Double> y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line).setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour).setLineStyle(SeriesLines.SOLID).setShowInLegend(false);
    }

    /** Renders in memory and replaces {@code file} in one rename, so a crash never leaves half a PNG. */
    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        AtomicFile.writeBytes(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
