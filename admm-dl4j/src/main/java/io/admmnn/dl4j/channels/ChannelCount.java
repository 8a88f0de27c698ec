package io.admmnn.dl4j.channels;

import io.admmnn.core.tensor.NonZeros;
import io.admmnn.dl4j.activation.FakeQuantizePreProcessor;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MACs of a network with every channel that has no non-zero weight removed, counted as DJPQ counts its pruned
 * networks ({@code BopsLayer}): per weighted layer, an input channel is kept if any weight on it is non-zero and an
 * output channel if any of its weights is; {@code MACs = macsPerChannelPair x in kept x out kept} with
 * {@code macsPerChannelPair} = output positions x kernel area for a convolution, 1 for a dense layer, and H x W
 * for a dense layer fed by a flattened NCHW {@code C x H x W} map (whose input channels are then the C maps).
 * Units: MACs per example. Run {@link DeadChannels#fold} first, so that a removed output channel of layer L is also
 * an input channel of L+1 without weights.
 */
public final class ChannelCount {

    private ChannelCount() {
    }

    /**
     * One weighted layer.
     *
     * @param layer              layer name
     * @param inChannels         input channels (units of a dense layer, maps of a flattened input)
     * @param inChannelsKept     input channels with a non-zero weight
     * @param outChannels        output channels (units of a dense layer)
     * @param outChannelsKept    output channels with a non-zero weight
     * @param macsPerChannelPair MACs per (input channel, output channel) pair and example
     */
    public record Layer(String layer, int inChannels, int inChannelsKept, int outChannels, int outChannelsKept,
                        long macsPerChannelPair) {

        /** MACs per example with the channels removed. */
        public long macs() {
            return macsPerChannelPair * inChannelsKept * outChannelsKept;
        }

        /** MACs per example of the whole layer. */
        public long denseMacs() {
            return macsPerChannelPair * inChannels * outChannels;
        }
    }

    /**
     * Counts {@code net}'s weighted layers whose MACs are known from a forward pass of {@code example} (one input;
     * values unused), in network order. A layer of a type whose channel layout is unknown (depthwise, separable,
     * transposed convolutions...) counts as one channel in and out: all its MACs, or none if its weights are zero.
     */
    public static List<Layer> count(TrainableNetwork net, INDArray example) {
        Map<String, Long> reuse = net.weightReuse(example);
        List<Layer> layers = new ArrayList<>();
        for (ConstrainableLayer l : net.constrainableLayers()) {
            Long positions = reuse.get(l.name());
            if (positions == null) {
                continue; // no output size: no MAC count (as BOPs tables skip it)
            }
            if (!ChannelWeights.supports(l)) {
                int kept = NonZeros.count(l.weights()) > 0 ? 1 : 0;
                layers.add(new Layer(l.name(), 1, kept, 1, kept, positions * l.weights().length()));
                continue;
            }
            long group = l.isConvolution() ? 1 : flattenedMap(net, l);
            ChannelWeights w = ChannelWeights.of(l, group);
            long perPair = l.isConvolution() ? positions * w.positions : group;
            layers.add(new Layer(l.name(), w.inChannels, ChannelWeights.count(w.keptInputs()), w.outChannels,
                    ChannelWeights.count(w.keptOutputs()), perPair));
        }
        return layers;
    }

    /** H x W when {@code dense} flattens an NCHW map before it, else 1 (each input its own channel). */
    private static long flattenedMap(TrainableNetwork net, ConstrainableLayer dense) {
        if (!(net.model() instanceof MultiLayerNetwork mln)) {
            return 1;
        }
        InputPreProcessor p = mln.getLayerWiseConfigurations().getInputPreProcess(dense.index());
        if (p instanceof FakeQuantizePreProcessor q) {
            p = q.inner();
        }
        return p instanceof CnnToFeedForwardPreProcessor f && f.getFormat() == CNN2DFormat.NCHW
                ? f.getInputHeight() * f.getInputWidth() : 1;
    }
}
