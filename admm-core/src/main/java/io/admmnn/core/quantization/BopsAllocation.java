package io.admmnn.core.quantization;

import java.util.List;

/**
 * Weight and activation bits chosen per layer under a BOPs budget, and what they cost.
 *
 * @param layers     one entry per layer, in input order
 * @param error      total error, {@code sum_l error_l}
 * @param bops       total BOPs, {@code sum_l macs_l * b_w,l * b_a,l}
 * @param budgetBops the budget the choice was made under
 * @param referenceBops the 32 x 32-bit BOPs of the same MACs
 */
public record BopsAllocation(List<Layer> layers, double error, long bops, double budgetBops, long referenceBops) {

    public BopsAllocation {
        layers = List.copyOf(layers);
    }

    /**
     * One layer's choice.
     *
     * @param layer          layer name
     * @param weightBits     b_w
     * @param activationBits b_a
     * @param bops           {@code macs * b_w * b_a}
     * @param error          its weight error plus its activation error
     */
    public record Layer(String layer, int weightBits, int activationBits, long bops, double error) {
    }

    /** {@code referenceBops / bops}. */
    public double reduction() {
        return (double) referenceBops / bops;
    }
}
