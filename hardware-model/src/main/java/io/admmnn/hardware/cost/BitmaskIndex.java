package io.admmnn.hardware.cost;

import io.admmnn.hardware.layer.LayerShape;

/** One bit per weight position, whatever the sparsity. */
public record BitmaskIndex() implements IndexFormat {

    @Override
    public String name() {
        return "bitmask";
    }

    @Override
    public IndexCost expected(LayerShape layer, long kept) {
        return new IndexCost(layer.weights(), 0);
    }

    @Override
    public IndexCost exact(LayerShape layer, boolean[] keptMask) {
        return new IndexCost(keptMask.length, 0);
    }
}
