package io.admmnn.hardware.cost;

import java.util.List;
import java.util.function.ToDoubleFunction;

/** Per-layer costs of a network and their totals; reductions are against 32-bit dense weights and MACs. */
public record NetworkCost(String network, List<LayerCost> layers) {

    public NetworkCost {
        layers = List.copyOf(layers);
    }

    private double sum(ToDoubleFunction<LayerCost> f) {
        return layers.stream().mapToDouble(f).sum();
    }

    public long weights() {
        return layers.stream().mapToLong(LayerCost::weights).sum();
    }

    public long kept() {
        return layers.stream().mapToLong(LayerCost::kept).sum();
    }

    /** Weights dense / kept. */
    public double weightCompression() {
        return (double) weights() / kept();
    }

    public double macsDense() {
        return sum(LayerCost::macsDense);
    }

    public double macsPruned() {
        return sum(LayerCost::macsPruned);
    }

    /** Dense MACs / MACs on kept weights. */
    public double macReduction() {
        return macsDense() / macsPruned();
    }

    public double valueBits() {
        return sum(LayerCost::valueBits);
    }

    public double indexBits() {
        return sum(LayerCost::indexBits);
    }

    /** 32-bit dense weight storage over stored value bits (ADMM-NN's "weight data" reduction). */
    public double sizeReductionWithoutIndex() {
        return 32.0 * weights() / valueBits();
    }

    /** 32-bit dense weight storage over value and index bits. */
    public double sizeReductionWithIndex() {
        return 32.0 * weights() / (valueBits() + indexBits());
    }

    /** Dense 32x32-bit BOPs over BOPs on kept weights at the layers' bits. */
    public double bopsReduction() {
        return 1024.0 * macsDense() / sum(LayerCost::bopsPruned);
    }

    public double energyPj() {
        return sum(LayerCost::energyPj);
    }
}
