package io.admmnn.experiments.inference;

import io.admmnn.experiments.pipeline.Provenance;
import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.breakeven.MeasuredProfiles;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown report of a {@link KernelSweep}: provenance, what ran, and the break-even table per batch. */
public final class BreakEvenReport {

    /** SkimCaffe's published speed-ups of AlexNet's convolutions (Park et al., ICLR 2017), quoted beside ours. */
    static final String SKIMCAFFE = "SkimCaffe (Park et al., ICLR 2017) published 3.1-7.3x for AlexNet's convolutions "
            + "at 85-93 % sparsity, on Xeon E5-2697 v4 / Xeon Phi with its own dense baseline";

    private BreakEvenReport() {
    }

    /**
     * @param extra     per layer, a further kept fraction that was measured (a model's), or empty
     * @param extraName what those kept fractions are, or null
     * @param backend   {@link io.admmnn.experiments.bench.BackendInfo#summary()}
     * @param blasCores the core of each mapped OpenBLAS file
     */
    public static String markdown(NetworkShape shape, MeasuredProfiles profiles, Map<String, Double> extra,
                                  String extraName, Provenance provenance, String denseKernels,
                                  Map<String, String> backend, String blasCores, int samples) {
        StringBuilder md = new StringBuilder("# Break-even of admm-runtime's sparse kernels: ").append(shape.name())
                .append("\n\n").append(provenance.markdownTable(true))
                .append("| dense kernels | ").append(denseKernels).append(" |\n")
                .append("| sparse kernels | admm-runtime: CSR rows times the input (fully connected), direct sparse "
                        + "convolution without im2col (SkimCaffe's; at stride 1 over output rows as wide as the input's, "
                        + "the sums held in vector registers; the runtime's dense convolution is the same at stride 1 "
                        + "over every weight), Vector API |\n")
                .append("| threads | one thread each: admm-runtime's kernels are single-threaded; ND4J OpenMP threads ")
                .append(backend.get("omp-threads")).append(", BLAS threads ").append(backend.get("blas-threads"))
                .append("; environment ").append(backend.get("env").isEmpty() ? "none of OPENBLAS_*/OMP_*/MKL_* set"
                        : "`" + backend.get("env") + "`").append(" |\n")
                .append("| BLAS | ").append(backend.get("blas-vendor")).append(", ").append(blasCores)
                .append("; libnd4j ").append(backend.get("libnd4j-build")).append(" |\n\n")
                .append(String.format(Locale.ROOT, "Each point is the median of %d timed samples after warm-up "
                        + "(until the time per call is steady; a sample is as many calls in a row as last about 2 ms, "
                        + "one for longer calls); the dense "
                        + "kernels are timed again beside every sparse point. Weights, inputs and kept positions are "
                        + "seeded random (kept with probability = the kept fraction). A grouped convolution runs its "
                        + "groups one after another on both sides. **Break-even** = the kept fraction below which "
                        + "the sparse kernel is faster (where sparse/dense time first reaches 1, interpolated "
                        + "linearly in log kept fraction); the pruning ratio is its inverse. **Best dense** is, at each "
                        + "point, the faster of the library's dense kernel (ND4J sgemm; DL4J's convolution forward "
                        + "with oneDNN) and admm-runtime's own (Vector API) dense kernel: where the runtime's dense "
                        + "kernel is the faster, a break-even against the library alone would credit sparsity with "
                        + "a faster dense engine. The break-even against each alone is given too; the one against "
                        + "admm-runtime's dense kernel is what `admm-nn infer --kernel-profile` uses to choose "
                        + "between the runtime's two kernels.%n%n", samples));
        for (int batch : profiles.batches()) {
            MeasuredProfile p = profiles.at(batch);
            md.append("## Batch ").append(batch).append("\n\n")
                    .append("| layer | break-even kept (vs best dense) | pruning ratio | best dense at kept 1 "
                            + "| sparse/best dense at the sparsest point | at 1/16 | at 1 | break-even vs library "
                            + "dense alone | vs admm-runtime dense alone |");
            if (!extra.isEmpty()) {
                md.append(" kept in ").append(extraName).append(" | speed-up there (best dense / sparse) |");
            }
            md.append("\n|---|---:|---:|---|---:|---:|---:|---:|---:|").append(extra.isEmpty() ? "" : "---:|---:|").append('\n');
            for (LayerShape layer : shape.layers()) {
                List<MeasuredProfile.Point> points = p.points(layer.name());
                double k = p.breakEvenKeptFraction(layer.name());
                double kr = p.runtimeBreakEvenKeptFraction(layer.name());
                MeasuredProfile.Point full = points.get(points.size() - 1);
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.3g (kept %.3g) | %s | %s | %s | %s |",
                        layer.name(), percent(k), String.format(Locale.ROOT, "%.2fx", 1 / k),
                        full.runtimeDenseIsBest() ? "admm-runtime" : "library", points.get(0).ratio(),
                        points.get(0).keptFraction(), ratioAt(points, 1.0 / 16), ratioAt(points, 1.0),
                        percent(p.libraryBreakEvenKeptFraction(layer.name())), Double.isNaN(kr) ? "-" : percent(kr)));
                if (!extra.isEmpty()) {
                    Double e = extra.get(layer.name());
                    MeasuredProfile.Point at = e == null ? null : points.stream()
                            .filter(pt -> pt.keptFraction() == e).findFirst().orElse(null);
                    md.append(e == null ? " - | - |" : String.format(Locale.ROOT, " %s | %s |", percent(e),
                            at == null ? "-" : String.format(Locale.ROOT, "%.2fx", 1 / at.ratio())));
                }
                md.append('\n');
            }
            md.append("\n![batch ").append(batch).append("](measured-batch-").append(batch).append(".png)\n\n");
        }
        if (shape.name().equals("alexnet")) {
            md.append("For comparison: ").append(SKIMCAFFE).append(".\n");
        }
        return md.toString();
    }

    private static String percent(double k) {
        return k >= 1 ? "100 % (sparse never slower)" : String.format(Locale.ROOT, "%.3g %%", 100 * k);
    }

    private static String ratioAt(List<MeasuredProfile.Point> points, double kept) {
        return points.stream().filter(p -> Math.abs(p.keptFraction() - kept) < 1e-12).findFirst()
                .map(p -> String.format(Locale.ROOT, "%.3g", p.ratio())).orElse("-");
    }
}
