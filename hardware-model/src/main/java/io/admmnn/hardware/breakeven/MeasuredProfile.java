package io.admmnn.hardware.breakeven;

import io.admmnn.hardware.layer.LayerShape;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Time ratios measured on a machine at one batch size ({@link MeasuredProfiles} holds several): per layer, the
 * sparse kernel's and the dense kernels' milliseconds (the best dense is the faster of the library's and admm-runtime's) at a set of kept fractions; between measured points the
 * ratio is interpolated linearly in log(kept fraction), below the first point it falls in proportion to the kept
 * fraction, above the last it stays.
 *
 * @param machine      where it was measured
 * @param measurements per layer name, points sorted by kept fraction
 */
public record MeasuredProfile(String machine, Map<String, List<Point>> measurements) implements HardwareProfile {

    /**
     * One measurement: median times of the dense kernels and the sparse kernel. The baseline of {@link #ratio()}
     * is the faster of the library's dense kernel and admm-runtime's own: a break-even against the slower one would
     * credit sparsity with what is only a faster dense engine (on small stride-1 convolutions admm-runtime's dense
     * kernel beats DL4J's oneDNN forward several times over).
     *
     * @param denseMillis        the library's dense kernel (ND4J sgemm; DL4J's convolution forward, oneDNN)
     * @param sparseMillis       the sparse kernel
     * @param runtimeDenseMillis admm-runtime's own dense kernel (the alternative the runtime itself has), NaN if
     *                           not measured
     */
    public record Point(double keptFraction, double denseMillis, double sparseMillis, double runtimeDenseMillis) {

        /** A point without a runtime-dense time. */
        public Point(double keptFraction, double denseMillis, double sparseMillis) {
            this(keptFraction, denseMillis, sparseMillis, Double.NaN);
        }

        /** The faster dense time: the library's, or admm-runtime's when measured and faster (ms). */
        public double bestDenseMillis() {
            return Double.isNaN(runtimeDenseMillis) ? denseMillis : Math.min(denseMillis, runtimeDenseMillis);
        }

        /** Whether admm-runtime's own dense kernel is the faster dense kernel at this point. */
        public boolean runtimeDenseIsBest() {
            return !Double.isNaN(runtimeDenseMillis) && runtimeDenseMillis < denseMillis;
        }

        /** Sparse time over the best dense time ({@link #bestDenseMillis()}). */
        public double ratio() {
            return sparseMillis / bestDenseMillis();
        }

        /** Sparse time over the library's dense time (ND4J sgemm, DL4J/oneDNN convolution). */
        public double libraryRatio() {
            return sparseMillis / denseMillis;
        }

        /** Sparse time over admm-runtime's dense time (NaN if not measured). */
        public double runtimeRatio() {
            return sparseMillis / runtimeDenseMillis;
        }
    }

    @Override
    public String name() {
        return "measured on " + machine;
    }

    @Override
    public double sparseOverDenseTime(LayerShape layer, double keptFraction) {
        return interpolate(points(layer.name()), Point::ratio, keptFraction);
    }

    /** The points of {@code layer}; an unmeasured layer is an error. */
    public List<Point> points(String layer) {
        List<Point> points = measurements.get(layer);
        if (points == null || points.isEmpty()) {
            throw new IllegalArgumentException("no measurement for layer '" + layer + "' (measured: "
                    + String.join(", ", measurements.keySet()) + ")");
        }
        return points;
    }

    /**
     * The compute break-even kept fraction of {@code layer} against the best dense kernel (the faster of the
     * library's and admm-runtime's at each point): the kept fraction where
     * the interpolated sparse/dense time first reaches 1, scanning up from the sparsest point (1.0 if sparse is
     * never slower; below the first point the ratio falls in proportion, so a layer slower there breaks even at
     * {@code k0 / ratio(k0)}).
     */
    public double breakEvenKeptFraction(String layer) {
        return crossing(points(layer), Point::ratio);
    }

    /** As {@link #breakEvenKeptFraction}, against the library's dense kernel alone (ND4J sgemm, DL4J/oneDNN). */
    public double libraryBreakEvenKeptFraction(String layer) {
        return crossing(points(layer), Point::libraryRatio);
    }

    /** As {@link #breakEvenKeptFraction}, against admm-runtime's own dense kernel (NaN if that was not measured). */
    public double runtimeBreakEvenKeptFraction(String layer) {
        List<Point> points = points(layer);
        return points.stream().anyMatch(p -> Double.isNaN(p.runtimeDenseMillis())) ? Double.NaN
                : crossing(points, Point::runtimeRatio);
    }

    static double interpolate(List<Point> points, ToDoubleFunction<Point> ratio, double keptFraction) {
        Point first = points.get(0);
        if (keptFraction <= first.keptFraction()) {
            return ratio.applyAsDouble(first) * keptFraction / first.keptFraction();
        }
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1);
            Point b = points.get(i);
            if (keptFraction <= b.keptFraction()) {
                double t = Math.log(keptFraction / a.keptFraction()) / Math.log(b.keptFraction() / a.keptFraction());
                return ratio.applyAsDouble(a) + t * (ratio.applyAsDouble(b) - ratio.applyAsDouble(a));
            }
        }
        return ratio.applyAsDouble(points.get(points.size() - 1));
    }

    /** Where {@link #interpolate} first reaches 1, scanning up from the smallest kept fraction. */
    static double crossing(List<Point> points, ToDoubleFunction<Point> ratio) {
        Point first = points.get(0);
        double r0 = ratio.applyAsDouble(first);
        if (r0 >= 1) {
            return first.keptFraction() / r0;
        }
        for (int i = 1; i < points.size(); i++) {
            Point a = points.get(i - 1);
            Point b = points.get(i);
            double ra = ratio.applyAsDouble(a);
            double rb = ratio.applyAsDouble(b);
            if (rb >= 1) {
                double t = (1 - ra) / (rb - ra);
                return a.keptFraction() * Math.pow(b.keptFraction() / a.keptFraction(), t);
            }
        }
        return 1.0;
    }
}
