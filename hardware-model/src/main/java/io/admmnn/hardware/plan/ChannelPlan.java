package io.admmnn.hardware.plan;

import io.admmnn.hardware.cost.BopsCount;
import io.admmnn.hardware.cost.LayerBops;
import java.util.List;

/**
 * Output channels kept per layer and bits, with the BOPs they cost, as chosen by {@link ChannelBopsPlanner}.
 * BOPs per layer = MACs x b_w x b_a with the MACs counted on the kept input and output channels only; the reduction
 * is against the unpruned network at 32 x 32 bits.
 *
 * @param network         network name
 * @param targetReduction the reduction asked for (0 where the plan was only evaluated, not planned)
 * @param layers          one entry per layer with weights, in network order
 */
public record ChannelPlan(String network, double targetReduction, List<Layer> layers) {

    /**
     * @param layer          layer name
     * @param kept           output channels (conv filters, FC units) kept
     * @param total          output channels of the unpruned layer
     * @param weightBits     b_w
     * @param activationBits b_a, bits of the layer's input
     * @param macs           MACs per image on the kept input and output channels
     * @param denseMacs      MACs per image of the unpruned layer
     */
    public record Layer(String layer, int kept, int total, int weightBits, int activationBits, long macs,
                        long denseMacs) {

        /** {@code macs x b_w x b_a}. */
        public long bops() {
            return macs * weightBits * activationBits;
        }

        /** The filter-pruning ratio that keeps {@code kept} of {@code total}: {@code 1 - kept / total}. */
        public double ratio() {
            return 1 - (double) kept / total;
        }
    }

    public ChannelPlan {
        layers = List.copyOf(layers);
    }

    /** The plan as a BOPs count (dense execution: pruned channels are out of the shapes, so no zero is skipped). */
    public BopsCount bopsCount() {
        return new BopsCount(layers.stream().map(l -> new LayerBops(l.layer(), l.macs(), l.macs(), l.weightBits(),
                l.activationBits())).toList());
    }

    /** Total BOPs per image. */
    public long bops() {
        return bopsCount().bopsDense();
    }

    /** BOPs of the unpruned network at 32 x 32 bits. */
    public long referenceBops() {
        return layers.stream().mapToLong(l -> l.denseMacs() * LayerBops.FLOAT_BITS * LayerBops.FLOAT_BITS).sum();
    }

    /** {@code referenceBops / bops}. */
    public double reduction() {
        return (double) referenceBops() / bops();
    }
}
