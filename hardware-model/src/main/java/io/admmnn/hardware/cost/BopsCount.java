package io.admmnn.hardware.cost;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The BOPs of a network, per layer and in total, with the reductions against the float network counted as
 * 32 x 32 bits per dense MAC: {@code reduction = sum(MACs_dense x 1024) / sum(MACs x b_w x b_a)}, for dense
 * execution and for zero-skipping execution (DJPQ reports the first; unstructured sparsity only helps the second).
 *
 * @param layers the weighted layers, in network order
 */
public record BopsCount(List<LayerBops> layers) {

    public BopsCount {
        layers = List.copyOf(layers);
    }

    private long sum(ToLongFunction<LayerBops> f) {
        return layers.stream().mapToLong(f).sum();
    }

    public long bopsReference() {
        return sum(LayerBops::bopsReference);
    }

    public long bopsDense() {
        return sum(LayerBops::bopsDense);
    }

    public long bopsNonZero() {
        return sum(LayerBops::bopsNonZero);
    }

    /** 32 x 32-bit dense BOPs over the dense-execution BOPs at the layers' bits. */
    public double reductionDense() {
        return (double) bopsReference() / bopsDense();
    }

    /** 32 x 32-bit dense BOPs over the BOPs on non-zero weights at the layers' bits. */
    public double reductionNonZero() {
        return (double) bopsReference() / bopsNonZero();
    }
}
