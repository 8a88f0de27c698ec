package io.admmnn.hardware.breakeven;

import io.admmnn.hardware.layer.LayerShape;
import java.util.List;
import java.util.Map;

/**
 * Time ratios measured on a machine ({@link CpuKernelBenchmark}): per layer, sparse and dense milliseconds at a
 * set of kept fractions; between measured points the ratio is interpolated linearly in log(kept fraction).
 *
 * @param machine     where it was measured
 * @param measurements per layer name, points sorted by kept fraction
 */
public record MeasuredProfile(String machine, Map<String, List<Point>> measurements) implements HardwareProfile {

    /** One measurement: median times of the dense and the sparse kernel. */
    public record Point(double keptFraction, double denseMillis, double sparseMillis) {
        public double ratio() {
            return sparseMillis / denseMillis;
        }
    }

    @Override
    public String name() {
        return "measured on " + machine;
    }

    @Override
    public double sparseOverDenseTime(LayerShape layer, double keptFraction) {
        List<Point> points = measurements.get(layer.name());
        if (points == null || points.isEmpty()) {
            throw new IllegalArgumentException("no measurement for layer '" + layer.name() + "'");
        }
        if (keptFraction <= points.get(0).keptFraction()) {
            return points.get(0).ratio() * keptFraction / points.get(0).keptFraction();
        }
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1);
            Point b = points.get(i);
            if (keptFraction <= b.keptFraction()) {
                double t = Math.log(keptFraction / a.keptFraction()) / Math.log(b.keptFraction() / a.keptFraction());
                return a.ratio() + t * (b.ratio() - a.ratio());
            }
        }
        return points.get(points.size() - 1).ratio();
    }
}
