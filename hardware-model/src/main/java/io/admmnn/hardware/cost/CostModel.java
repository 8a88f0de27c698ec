package io.admmnn.hardware.cost;

import io.admmnn.hardware.breakeven.BreakEvenAnalysis;
import io.admmnn.hardware.breakeven.HardwareProfile;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Computes {@link LayerCost}s: MACs dense and on kept weights, storage (values + indices + fillers), BOPs
 * (MACs x weight bits x activation bits, DJPQ) and energy from an {@link EnergyTable}
 * ({@code executed MACs * (mult + add) + stored bits / 32 * DRAM 32-bit read}; arithmetic is fp32 for 32-bit
 * weights, int8 when weights and activations have at most 8 bits, int32 otherwise).
 */
public record CostModel(EnergyTable energy, HardwareProfile profile) {

    /** Costs of {@code network} with a setting per layer (layers not named are 32-bit dense). */
    public NetworkCost evaluate(NetworkShape network, Map<String, LayerSetting> settings) {
        settings.keySet().forEach(network::layer);
        List<LayerCost> costs = new ArrayList<>();
        for (LayerShape layer : network.layers()) {
            costs.add(evaluate(layer, settings.getOrDefault(layer.name(), LayerSetting.dense32())));
        }
        return new NetworkCost(network.name(), costs);
    }

    /** Cost of one layer (expected index cost for uniformly random kept positions). */
    public LayerCost evaluate(LayerShape layer, LayerSetting s) {
        long kept = Math.max(1, Math.round(s.keptFraction() * layer.weights()));
        IndexFormat.IndexCost index = s.isSparse() ? s.index().expected(layer, kept) : new IndexFormat.IndexCost(0, 0);
        return cost(layer, s, kept, index);
    }

    /** Cost of one layer with its actual kept mask (flat positions in storage order). */
    public LayerCost evaluate(LayerShape layer, LayerSetting s, boolean[] keptMask) {
        long kept = 0;
        for (boolean b : keptMask) {
            kept += b ? 1 : 0;
        }
        IndexFormat.IndexCost index = s.isSparse() ? s.index().exact(layer, keptMask) : new IndexFormat.IndexCost(0, 0);
        return cost(layer, s, kept, index);
    }

    private LayerCost cost(LayerShape layer, LayerSetting s, long kept, IndexFormat.IndexCost index) {
        boolean sparse = s.isSparse();
        double macsPruned = (double) layer.macs() * kept / layer.weights();
        double valueBits = sparse ? (kept + index.fillerEntries()) * s.weightBits() : (double) layer.weights() * s.weightBits();
        double bitsProduct = (double) s.weightBits() * s.activationBits();
        String arithmetic = s.weightBits() == 32 ? "fp32" : s.weightBits() <= 8 && s.activationBits() <= 8 ? "int8" : "int32";
        double executed = sparse ? macsPruned : layer.macs();
        double energyPj = executed * (energy.pj(arithmetic + ".mult") + energy.pj(arithmetic + ".add"))
                + (valueBits + index.indexBits()) / 32.0 * energy.pj("dram.read32");
        BreakEvenAnalysis.LayerBreakEven be = BreakEvenAnalysis.of(layer, profile, s.weightBits(),
                sparse ? s.index() : new RelativeIndex(4));
        return new LayerCost(layer.name(), layer.isConvolution(), layer.weights(), kept, layer.macs(), macsPruned,
                valueBits, index.indexBits(), index.fillerEntries(), layer.macs() * bitsProduct, macsPruned * bitsProduct,
                energyPj, be.compute(), be.storage());
    }
}
