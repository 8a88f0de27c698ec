package io.admmnn.hardware.plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-layer pruning ratios chosen by {@link PruningPlanner}, each with the reason for it.
 *
 * @param network  network name
 * @param target   the target, e.g. "weights 24.7x, MACs first"
 * @param profile  the hardware profile whose break-even ratios were respected
 * @param layers   one decision per layer, in network order
 */
public record PruningPlan(String network, String target, String profile, List<Decision> layers) {

    /**
     * @param layer        layer name
     * @param pruningRatio fraction of weights removed (0 = dense)
     * @param breakEven    the break-even pruning ratio (dense/kept) the planner respected for this layer
     * @param reason       one line explaining the choice
     */
    public record Decision(String layer, double pruningRatio, double breakEven, String reason) {
        public double keptFraction() {
            return 1 - pruningRatio;
        }
    }

    public PruningPlan {
        layers = List.copyOf(layers);
    }

    /** Pruning ratio per pruned layer (dense layers omitted): what an ADMM run takes. */
    public Map<String, Double> ratios() {
        Map<String, Double> r = new LinkedHashMap<>();
        layers.stream().filter(d -> d.pruningRatio() > 0).forEach(d -> r.put(d.layer(), d.pruningRatio()));
        return r;
    }

    /** Kept fraction per layer (1 for dense layers). */
    public Map<String, Double> keptFractions() {
        Map<String, Double> k = new LinkedHashMap<>();
        layers.forEach(d -> k.put(d.layer(), d.keptFraction()));
        return k;
    }
}
