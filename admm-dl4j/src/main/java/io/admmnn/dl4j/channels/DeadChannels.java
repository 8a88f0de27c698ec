package io.admmnn.dl4j.channels;

import io.admmnn.dl4j.activation.FakeQuantizePreProcessor;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Folds dead channels of a sequential network into the next weighted layer, exactly: a channel c of a weighted
 * layer L whose weights are all zero outputs the constant {@code v = act(b_c)} at every position; through the
 * parameter-free layers up to the next weighted layer L+1 (activation layers, max/average pooling without padding,
 * dropout, flattening, L+1's activation quantizer) it stays a constant {@code v'}, so L+1 computes
 * {@code sum_k W'[o][c][k] v' = v' * sum_k W'[o][c][k]} from it at every output position. Math of the fold:
 * {@code b'_o += v' * sum_k W'[o][c][k]} and {@code W'[o][c][.] = 0}; the network then computes the same function
 * (up to float rounding of the sum) and channel c is removable from both layers. Exact only where every position of
 * L+1 sees channel c at all its kernel positions: no padding (Truncate or Strict mode, padding 0), no pooling with
 * padding, no normalization between; any other pair is left as it is, with the reason in the {@link Result}. One
 * exception: a channel whose constant is {@code v' = 0} (a removed filter with its bias, {@code ReLU(b <= 0)})
 * equals L+1's zero padding, so L+1 drops it ({@code W'[o][c][.] = 0}, nothing added to b') even where it pads;
 * a dead channel with {@code v' != 0} in front of a padding L+1 stays, with the reason.
 */
public final class DeadChannels {

    /** Elementwise activations (a constant in, a constant out); softmax and anything unknown are not. */
    private static final Set<String> ELEMENTWISE = Set.of("ActivationIdentity", "ActivationReLU", "ActivationReLU6",
            "ActivationLReLU", "ActivationELU", "ActivationSELU", "ActivationTanH", "ActivationSigmoid",
            "ActivationHardTanH", "ActivationHardSigmoid", "ActivationSoftPlus", "ActivationSoftSign",
            "ActivationCube", "ActivationRationalTanh", "ActivationRectifiedTanh", "ActivationSwish",
            "ActivationGELU", "ActivationMish", "ActivationThresholdedReLU");

    private DeadChannels() {
    }

    /**
     * One pair of consecutive weighted layers.
     *
     * @param from           layer L
     * @param to             layer L+1
     * @param deadChannels   output channels of L whose weights are all zero
     * @param foldedChannels how many of them were folded into L+1 (removable from both layers)
     * @param reason         why the others were not, or null when all were
     */
    public record Pair(String from, String to, int deadChannels, int foldedChannels, String reason) {

        /** Whether all the dead channels were folded. */
        public boolean folded() {
            return foldedChannels == deadChannels;
        }

        /**
         * One line, e.g. {@code conv1 -> conv2: 10 dead channels folded}, or
         * {@code conv1 -> conv2: 10 dead channels, 7 folded, 3 not (reason)}.
         */
        public String describe() {
            String head = String.format(Locale.ROOT, "%s -> %s: %d dead channel%s", from, to, deadChannels,
                    deadChannels == 1 ? "" : "s");
            if (folded()) {
                return head + " folded";
            }
            return foldedChannels == 0 ? head + " not folded (" + reason + ")" : String.format(Locale.ROOT,
                    "%s, %d folded, %d not (%s)", head, foldedChannels, deadChannels - foldedChannels, reason);
        }
    }

    /**
     * What {@link #fold} did.
     *
     * @param pairs   every pair of consecutive weighted layers, in network order
     * @param skipped why no pair was looked at (a ComputationGraph), or null
     */
    public record Result(List<Pair> pairs, String skipped) {

        /** Channels folded in all. */
        public int foldedChannels() {
            return pairs.stream().mapToInt(Pair::foldedChannels).sum();
        }

        /** One line per pair (or why none). */
        public String describe() {
            if (skipped != null) {
                return "no channels folded: " + skipped;
            }
            StringBuilder sb = new StringBuilder();
            pairs.forEach(p -> sb.append(sb.length() == 0 ? "" : "; ").append(p.describe()));
            return sb.length() == 0 ? "no pairs of weighted layers" : sb.toString();
        }
    }

    /** Folds every dead channel of {@code net} that can be folded exactly, in place; see the class comment. */
    public static Result fold(TrainableNetwork net) {
        if (!(net.model() instanceof MultiLayerNetwork mln)) {
            return new Result(List.of(), "a ComputationGraph is not sequential");
        }
        List<ConstrainableLayer> weighted = net.constrainableLayers();
        List<Pair> pairs = new ArrayList<>();
        for (int n = 0; n + 1 < weighted.size(); n++) {
            // in order: a channel of L+1 left dead by this fold is folded into L+2 with its new bias
            pairs.add(foldPair(mln, weighted.get(n), weighted.get(n + 1)));
        }
        return new Result(pairs, null);
    }

    private static Pair foldPair(MultiLayerNetwork mln, ConstrainableLayer from, ConstrainableLayer to) {
        if (!ChannelWeights.supports(from)) {
            return skip(from, to, -1, from.name() + " is a " + from.type());
        }
        ChannelWeights source = ChannelWeights.of(from, 1);
        boolean[] alive = source.keptOutputs();
        int dead = source.outChannels - ChannelWeights.count(alive);
        if (dead == 0) {
            return new Pair(from.name(), to.name(), 0, 0, null);
        }
        Chain chain = new Chain(mln, from, to);
        String problem = chain.problem();
        if (problem != null) {
            return skip(from, to, dead, problem);
        }
        ChannelWeights target = ChannelWeights.of(to, chain.group);
        if (target.inChannels != source.outChannels) {
            return skip(from, to, dead, to.name() + " has " + target.inChannels + " input channels, " + from.name()
                    + " " + source.outChannels + " outputs");
        }
        String padding = chain.padding();
        INDArray liveBias = to.bias();
        double[] bias = liveBias.dup().castTo(DataType.DOUBLE).toDoubleVector();
        INDArray fromBias = from.bias();
        int folded = 0;
        int firstKept = -1;
        float firstKeptValue = 0f;
        for (int c = 0; c < alive.length; c++) {
            if (alive[c]) {
                continue;
            }
            float v = chain.constant(fromBias == null ? 0f : fromBias.getFloat(c));
            if (v != 0f && padding != null) {
                if (firstKept < 0) { // L+1 sees v' inside the map and 0 in its padding: no bias does both
                    firstKept = c;
                    firstKeptValue = v;
                }
                continue;
            }
            for (int o = 0; o < target.outChannels && v != 0f; o++) {
                bias[o] += v * target.inputSum(o, c);
            }
            target.zeroInput(c);
            folded++;
        }
        target.writeBack();
        liveBias.assign(Nd4j.createFromArray(bias).reshape(liveBias.shape()).castTo(liveBias.dataType()));
        return new Pair(from.name(), to.name(), dead, folded, firstKept < 0 ? null : String.format(Locale.ROOT,
                "%s; a dead channel's constant is not 0, e.g. channel %d: %s", padding, firstKept, firstKeptValue));
    }

    private static Pair skip(ConstrainableLayer from, ConstrainableLayer to, int dead, String reason) {
        return new Pair(from.name(), to.name(), Math.max(dead, 0), 0, reason);
    }

    /**
     * The layers from L's output to L+1's input: whether a constant channel stays a constant through them, the
     * constant it becomes, and the inputs per channel of a dense L+1 (H x W when a map is flattened on the way).
     */
    private static final class Chain {
        private final MultiLayerNetwork mln;
        private final ConstrainableLayer from;
        private final ConstrainableLayer to;
        long group = 1;

        Chain(MultiLayerNetwork mln, ConstrainableLayer from, ConstrainableLayer to) {
            this.mln = mln;
            this.from = from;
            this.to = to;
        }

        /** Why the fold would not be exact, or null. */
        String problem() {
            MultiLayerConfiguration conf = mln.getLayerWiseConfigurations();
            BaseLayer l = from.config();
            if (!ELEMENTWISE.contains(l.getActivationFn().getClass().getSimpleName())) {
                return from.name() + "'s activation " + l.getActivationFn() + " is not elementwise";
            }
            if (l.getWeightNoise() != null || to.config().getWeightNoise() != null) {
                return "weight noise on " + from.name() + " or " + to.name();
            }
            boolean flattened = false;
            for (int k = from.index() + 1; k <= to.index(); k++) {
                InputPreProcessor p = conf.getInputPreProcess(k);
                if (p instanceof FakeQuantizePreProcessor q) {
                    p = q.inner();
                }
                if (p instanceof CnnToFeedForwardPreProcessor f) {
                    if (f.getFormat() != CNN2DFormat.NCHW) {
                        return "a flatten of " + f.getFormat() + " maps before layer " + k;
                    }
                    flattened = true;
                    group = f.getInputHeight() * f.getInputWidth();
                } else if (p != null) {
                    return "input preprocessor " + p.getClass().getSimpleName() + " before layer " + k;
                }
                if (k < to.index()) {
                    String between = passesConstant(conf.getConf(k).getLayer());
                    if (between != null) {
                        return "layer " + k + " " + between;
                    }
                }
            }
            boolean fromConv = from.isConvolution();
            Layer target = to.config();
            if (target instanceof ConvolutionLayer conv) {
                if (!fromConv) {
                    return "a dense layer feeds a convolution";
                }
            } else if (fromConv && !flattened) {
                return "no flatten between " + from.name() + " and " + to.name();
            }
            if (!ChannelWeights.supports(to)) {
                return to.name() + " is a " + to.type();
            }
            if (to.bias() == null) {
                return to.name() + " has no bias";
            }
            return null;
        }

        /**
         * How L+1 pads its input (zeros, which only a constant of 0 equals), or null when it does not: then every
         * output position sees a dead channel's constant at all its kernel positions.
         */
        String padding() {
            if (to.config() instanceof ConvolutionLayer conv && (conv.getConvolutionMode() == ConvolutionMode.Same
                    || Arrays.stream(conv.getPadding()).anyMatch(x -> x != 0))) {
                return to.name() + " pads its input (mode " + conv.getConvolutionMode() + ", padding "
                        + Arrays.toString(conv.getPadding()) + ")";
            }
            return null;
        }

        /** Why a layer between L and L+1 may not keep a constant channel constant, or null if it does. */
        private static String passesConstant(Layer layer) {
            if (layer instanceof ActivationLayer a) {
                return ELEMENTWISE.contains(a.getActivationFn().getClass().getSimpleName()) ? null
                        : "has the activation " + a.getActivationFn();
            }
            if (layer.getClass() == DropoutLayer.class) {
                return null; // dropout acts in training only
            }
            if (layer.getClass() == SubsamplingLayer.class) {
                SubsamplingLayer s = (SubsamplingLayer) layer;
                if (s.getPoolingType() != PoolingType.MAX && s.getPoolingType() != PoolingType.AVG) {
                    return "pools by " + s.getPoolingType();
                }
                if (s.getConvolutionMode() == ConvolutionMode.Same || Arrays.stream(s.getPadding()).anyMatch(x -> x != 0)) {
                    return "pools with padding";
                }
                return null;
            }
            return "is a " + layer.getClass().getSimpleName();
        }

        /** The constant L+1 sees from a dead channel of bias {@code bias}. */
        float constant(float bias) {
            MultiLayerConfiguration conf = mln.getLayerWiseConfigurations();
            float v = activate(from.config().getActivationFn(), bias);
            for (int k = from.index() + 1; k <= to.index(); k++) {
                if (conf.getInputPreProcess(k) instanceof FakeQuantizePreProcessor q) {
                    v = q.quantization().quantize(v);
                }
                if (k < to.index() && conf.getConf(k).getLayer() instanceof ActivationLayer a) {
                    v = activate(a.getActivationFn(), v);
                }
            }
            return v;
        }

        private static float activate(IActivation fn, float x) {
            return fn.getActivation(Nd4j.createFromArray(new float[][] {{x}}), false).getFloat(0);
        }
    }
}
