package io.admmnn.experiments.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.channels.ChannelCount;
import io.admmnn.dl4j.channels.DeadChannels;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.core.tensor.NonZeros;
import io.admmnn.format.ActivationQuantization;
import io.admmnn.hardware.cost.BopsCount;
import io.admmnn.hardware.cost.LayerBops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The BOPs of a trained network per layer (DJPQ's count, {@link LayerBops}): MACs per image from one forward pass
 * (weights x reuse, as in the report's sparsity table), b_w from the weight quantization of the run (32 when a layer's
 * weights are not quantized), b_a from the network's installed activation quantizers (32 when not quantized);
 * and the same with the removed channels gone ({@link #channels}: MACs of kept input x kept output channels).
 */
public final class BopsTable {

    private BopsTable() {
    }

    /**
     * One layer as the run record keeps it.
     *
     * @param layer          layer name
     * @param macsDense      MACs per image, every weight executed
     * @param macsNonZero    MACs per image on non-zero weights
     * @param weightBits     b_w
     * @param activationBits b_a (of the layer's input)
     * @param bopsDense      macsDense x b_w x b_a
     * @param bopsNonZero    macsNonZero x b_w x b_a
     */
    public record Row(String layer, long macsDense, long macsNonZero, int weightBits, int activationBits,
                      long bopsDense, long bopsNonZero) {
    }

    /**
     * The whole network.
     *
     * @param layers           per weighted layer, in network order
     * @param bopsReference    32 x 32-bit dense BOPs (MACs x 1024)
     * @param bopsDense        dense-execution BOPs at the layers' bits
     * @param bopsNonZero      BOPs on non-zero weights at the layers' bits
     * @param reductionDense   bopsReference / bopsDense
     * @param reductionNonZero bopsReference / bopsNonZero
     */
    public record Summary(List<Row> layers, long bopsReference, long bopsDense, long bopsNonZero, double reductionDense,
                          double reductionNonZero) {
    }

    /**
     * One weighted layer with its removed channels gone ({@link ChannelCount}).
     *
     * @param layer           layer name
     * @param inChannels      input channels (units of a dense layer; the maps of a flattened input)
     * @param inChannelsKept  input channels with a non-zero weight
     * @param outChannels     output channels (units of a dense layer)
     * @param outChannelsKept output channels with a non-zero weight
     * @param macs            MACs per image of the kept channels
     * @param weightBits      b_w
     * @param activationBits  b_a (of the layer's input)
     * @param bops            macs x b_w x b_a
     */
    public record ChannelRow(String layer, int inChannels, int inChannelsKept, int outChannels, int outChannelsKept,
                             long macs, int weightBits, int activationBits, long bops) {
    }

    /**
     * BOPs with the removed channels gone, as DJPQ counts them: the same number for an ADMM run (whose dead channels
     * were folded, {@code DeadChannels}) and a DJPQ run (whose channels were removed).
     *
     * @param bopsReference      32 x 32-bit BOPs of the unpruned network
     * @param bops               sum of the layers' BOPs
     * @param reduction          bopsReference / bops
     * @param layers             per weighted layer, in network order
     * @param fold               ADMM runs: what folding the dead channels did, one line per pair of layers; else null
     * @param accuracyBeforeFold ADMM runs: test accuracy right before the fold; else null
     * @param accuracyAfterFold  ADMM runs: test accuracy right after it (the fold is exact: the same up to float
     *                           rounding); else null
     * @param countedBy          null when the run counted these itself; else they were counted afterwards, from the
     *                           run's saved network, by this command line and commit ({@code analyze bops}), and
     *                           the run's model files hold the network before the fold
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Channels(long bopsReference, long bops, double reduction, List<ChannelRow> layers, List<String> fold,
                           Double accuracyBeforeFold, Double accuracyAfterFold, String countedBy) {

        /**
         * The same with each listed layer's channel counts before its channels were removed ({@code layer -> {in,
         * out}}): a network whose channels were removed physically (DJPQ's) knows only the kept ones.
         */
        public Channels withChannelsBeforeRemoval(Map<String, int[]> inOut) {
            List<ChannelRow> rows = layers.stream().map(r -> {
                int[] c = inOut.get(r.layer());
                return c == null ? r : new ChannelRow(r.layer(), c[0], r.inChannelsKept(), c[1], r.outChannelsKept(),
                        r.macs(), r.weightBits(), r.activationBits(), r.bops());
            }).toList();
            return new Channels(bopsReference, bops, reduction, rows, fold, accuracyBeforeFold, accuracyAfterFold,
                    countedBy);
        }

        /** The same with what the fold did and the test accuracy before and after it. */
        public Channels withFold(DeadChannels.Result result, double before, double after) {
            List<String> lines = result.skipped() != null ? List.of(result.describe())
                    : result.pairs().stream().map(DeadChannels.Pair::describe).toList();
            return new Channels(bopsReference, bops, reduction, layers, lines, before, after, countedBy);
        }

        /** The same, noted as counted afterwards by {@code commandAndCommit} (see {@link #countedBy}). */
        public Channels withCountedBy(String commandAndCommit) {
            return new Channels(bopsReference, bops, reduction, layers, fold, accuracyBeforeFold, accuracyAfterFold,
                    commandAndCommit);
        }
    }

    /** The count of {@code net}; {@code example} is one input of its shape (values unused). */
    public static BopsCount count(TrainableNetwork net, INDArray example, Map<String, Integer> weightBits) {
        Map<String, Long> reuse = net.weightReuse(example);
        Bits bits = new Bits(net, weightBits);
        List<LayerBops> layers = new ArrayList<>();
        for (ConstrainableLayer l : net.constrainableLayers()) {
            Long r = reuse.get(l.name());
            if (r == null) {
                continue; // reuse unknown (no output size): no MAC count
            }
            INDArray w = l.weights();
            layers.add(new LayerBops(l.name(), r * w.length(), r * NonZeros.count(w), bits.weights(l.name()),
                    bits.activations(l.name())));
        }
        return new BopsCount(layers);
    }

    /**
     * BOPs of {@code net} with every channel without a non-zero weight removed, against {@code bopsReference}
     * (32 x 32-bit BOPs of the unpruned network); {@code example} is one input of its shape (values unused).
     */
    public static Channels channels(TrainableNetwork net, INDArray example, Map<String, Integer> weightBits,
                                    long bopsReference) {
        Bits bits = new Bits(net, weightBits);
        List<ChannelRow> rows = new ArrayList<>();
        long total = 0;
        for (ChannelCount.Layer l : ChannelCount.count(net, example)) {
            int bw = bits.weights(l.layer());
            int ba = bits.activations(l.layer());
            long bops = l.macs() * bw * ba;
            total += bops;
            rows.add(new ChannelRow(l.layer(), l.inChannels(), l.inChannelsKept(), l.outChannels(), l.outChannelsKept(),
                    l.macs(), bw, ba, bops));
        }
        return new Channels(bopsReference, total, (double) bopsReference / total, rows, null, null, null, null);
    }

    /** b_w from the run's weight quantization, b_a from the network's installed activation quantizers (else 32). */
    private record Bits(Map<String, Integer> weightBits, Map<String, ActivationQuantization> activationQuantizers) {

        Bits(TrainableNetwork net, Map<String, Integer> weightBits) {
            this(weightBits, ActivationQuantizers.installed(net));
        }

        int weights(String layer) {
            return weightBits.getOrDefault(layer, LayerBops.FLOAT_BITS);
        }

        int activations(String layer) {
            return ActivationQuantization.bitsOf(activationQuantizers.get(layer));
        }
    }

    /** The count as the run record keeps it (every derived number written out). */
    public static Summary summary(BopsCount count) {
        return summary(count, count.bopsReference());
    }

    /**
     * The count against another 32 x 32-bit reference: DJPQ's unpruned network, whose removed channels then count as
     * saved BOPs (the count itself has only the kept channels).
     */
    public static Summary summary(BopsCount count, long bopsReference) {
        List<Row> rows = count.layers().stream().map(l -> new Row(l.layer(), l.macsDense(), l.macsNonZero(),
                l.weightBits(), l.activationBits(), l.bopsDense(), l.bopsNonZero())).toList();
        return new Summary(rows, bopsReference, count.bopsDense(), count.bopsNonZero(),
                (double) bopsReference / count.bopsDense(), (double) bopsReference / count.bopsNonZero());
    }
}
