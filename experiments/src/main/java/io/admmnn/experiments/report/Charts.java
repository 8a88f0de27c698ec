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
import org.knowm.xchart.style.Styler;

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

    /** Renders in memory and replaces {@code file} in one rename, so a crash never leaves half a PNG. */
    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) throws IOException {
        AtomicFile.writeBytes(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
