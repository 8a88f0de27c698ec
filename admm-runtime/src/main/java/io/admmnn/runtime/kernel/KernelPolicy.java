package io.admmnn.runtime.kernel;

/**
 * Chooses, per layer, the dense or the sparse kernel. The provisional policy compares the kept fraction with a
 * constant per layer kind; {@link #breakEven} compares it with a measured break-even kept fraction per layer (this
 * machine's timings of both kernels, e.g. from the profile file {@code admm-nn hardware measure} writes).
 */
@FunctionalInterface
public interface KernelPolicy {

    /**
     * Provisional break-even kept fraction for fully connected layers: sparse below it. Not measured; a guess
     * from the usual sparse-vs-dense GEMV crossover (index loads and gathers cost ~3-4x a dense multiply-add).
     */
    double PROVISIONAL_FULLY_CONNECTED = 0.25;

    /** Provisional break-even kept fraction for convolutions: sparse below it. Not measured (see above). */
    double PROVISIONAL_CONVOLUTION = 0.25;

    /**
     * The kernel for one layer.
     *
     * @param kind         fully connected or convolution
     * @param layer        the layer's name
     * @param keptFraction non-zero weights over all weights, in [0, 1]
     */
    KernelKind choose(LayerKind kind, String layer, double keptFraction);

    /** Sparse when the kept fraction is below the provisional constant of the layer's kind. */
    static KernelPolicy provisional() {
        return keptFractionBelow(PROVISIONAL_FULLY_CONNECTED, PROVISIONAL_CONVOLUTION);
    }

    /** Sparse when the kept fraction is below {@code fullyConnected} (or {@code convolution}) for that kind. */
    static KernelPolicy keptFractionBelow(double fullyConnected, double convolution) {
        return (kind, layer, kept) -> kept < (kind == LayerKind.FULLY_CONNECTED ? fullyConnected : convolution)
                ? KernelKind.SPARSE : KernelKind.DENSE;
    }

    /**
     * Sparse when the kept fraction is below the layer's measured break-even kept fraction; layers without one are
     * left to {@code fallback}.
     *
     * @param breakEvenKeptFraction per layer name, the kept fraction below which the sparse kernel is the faster
     */
    static KernelPolicy breakEven(java.util.Map<String, Double> breakEvenKeptFraction, KernelPolicy fallback) {
        java.util.Map<String, Double> measured = java.util.Map.copyOf(breakEvenKeptFraction);
        return (kind, layer, kept) -> {
            Double breakEven = measured.get(layer);
            if (breakEven == null) {
                return fallback.choose(kind, layer, kept);
            }
            return kept < breakEven ? KernelKind.SPARSE : KernelKind.DENSE;
        };
    }

    /** Always {@code kernel} (for tests and comparisons). */
    static KernelPolicy always(KernelKind kernel) {
        return (kind, layer, kept) -> kernel;
    }
}
