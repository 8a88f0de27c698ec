package io.admmnn.hardware.cost;

import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.LayerShape;

/**
 * Compressed sparse rows with one row per output unit (an FC output neuron, a conv filter): {@code rows + 1}
 * pointers of {@code ceil(log2(kept + 1))} bits and one column index of {@code ceil(log2(columns))} bits per
 * kept weight, where columns = inputs (FC) or {@code in/groups * kH * kW} (conv).
 */
public record CsrIndex() implements IndexFormat {

    @Override
    public String name() {
        return "csr";
    }

    static long rows(LayerShape layer) {
        return layer instanceof ConvLayer c ? c.outChannels() : ((FcLayer) layer).out();
    }

    static int bitsFor(long values) {
        return Math.max(1, 64 - Long.numberOfLeadingZeros(Math.max(1, values - 1)));
    }

    @Override
    public IndexCost expected(LayerShape layer, long kept) {
        long rows = rows(layer);
        long columns = layer.weights() / rows;
        return new IndexCost((double) (rows + 1) * bitsFor(kept + 1) + (double) kept * bitsFor(columns), 0);
    }

    @Override
    public IndexCost exact(LayerShape layer, boolean[] keptMask) {
        long kept = 0;
        for (boolean b : keptMask) {
            kept += b ? 1 : 0;
        }
        return expected(layer, kept);
    }
}
