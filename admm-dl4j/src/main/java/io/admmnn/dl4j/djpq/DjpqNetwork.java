package io.admmnn.dl4j.djpq;

import io.admmnn.core.djpq.BopsLayer;
import io.admmnn.core.djpq.BopsTerm;
import io.admmnn.core.djpq.DqBits;
import io.admmnn.core.djpq.VibGates;
import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.format.ActivationQuantization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A DL4J network prepared for DJPQ: before each convolution, dense or output layer an activation quantizer and a
 * weight quantizer ({@link DqQuantizerLayer}, {@link DqWeightQuantizerLayer}), after each convolution and dense layer
 * a VIB gate ({@link VibGateLayer}); the output layer's classes are never gated. Works on any
 * {@code MultiLayerNetwork} of convolution, dense, output, pooling and activation layers.
 *
 * <p>Math: the relative BOPs of {@link BopsTerm} with the expected active channels {@code A = sum_c p_c} of the
 * gates and the continuous bits of the quantizers (training), or the kept channels and inferred integer bits
 * (reporting). The BOPs term enters training through {@link #bopsPenalty}.
 */
public final class DjpqNetwork {

    /**
     * One weighted layer and its companions, as layer indices in the DJPQ network ({@code -1}: none).
     *
     * @param name       the weighted layer's name
     * @param activationQuantizer index of its input activation quantizer
     * @param weightQuantizer     index of its weight quantizer
     * @param layer      index of the weighted layer
     * @param gate       index of its output gate, or -1 (output layer)
     * @param inputGate  index of the gate of the channels it reads, or -1 (network input)
     * @param shape      its shape for the BOPs count
     */
    public record Unit(String name, int activationQuantizer, int weightQuantizer, int layer, int gate, int inputGate,
                       BopsLayer shape) {
    }

    /**
     * What DJPQ made of one weighted layer.
     *
     * @param name        layer name
     * @param keptIn      kept input channels (all when the input is not gated)
     * @param keptOut     kept output channels
     * @param shape       the unpruned shape
     * @param weights     the weight quantizer frozen to bits and range ({@link DqBits#freeze}, signed)
     * @param activations the input activation quantizer frozen to bits and range
     */
    public record LayerResult(String name, int keptIn, int keptOut, BopsLayer shape, ActivationQuantization weights,
                              ActivationQuantization activations) {
    }

    /**
     * The fine-tuned DJPQ network as a plain DL4J network, what the compressed model file holds.
     *
     * @param network        the weighted, pooling and activation layers only, weights on their quantizers' levels
     *                       and activation quantizers installed as input preprocessors (FLOAT networks)
     * @param activations    the input activation quantizer of each weighted layer, by the plain network's layer
     *                       names (as installed)
     * @param weightBits     the learned weight bit width b_w of each weighted layer, by the same names
     */
    public record Export(MultiLayerNetwork network, Map<String, ActivationQuantization> activations,
                         Map<String, Integer> weightBits) {
    }

    private final MultiLayerNetwork net;
    private final List<Unit> units;
    private final DjpqSettings settings;

    private DjpqNetwork(MultiLayerNetwork net, List<Unit> units, DjpqSettings settings) {
        this.net = net;
        this.units = List.copyOf(units);
        this.settings = settings;
    }

    public MultiLayerNetwork network() {
        return net;
    }

    public List<Unit> units() {
        return units;
    }

    public DjpqSettings settings() {
        return settings;
    }

    /**
     * Builds the DJPQ network around a trained {@code source} (copying its parameters): quantizer ranges start at
     * the largest |w| of each layer and at the largest activation a calibration batch produces, at the settings'
     * initial bit widths; gates start at the settings' KL weight and threshold, {@code mu = 1, logD = -9}, or, with
     * {@link DjpqSettings#fixedGates}, frozen at {@link #nonZeroChannels} ({@code mu = 0}: a channel of the source
     * that is all zero stays closed and is removed by {@link #prunedAndFixed}).
     *
     * @param input             the network's input type (as given to {@code setInputType})
     * @param inputNonNegative  whether network inputs are >= 0 (images scaled to [0, 1])
     * @param calibration       a batch of inputs for the activation ranges
     */
    public static DjpqNetwork insert(MultiLayerNetwork source, InputType input, boolean inputNonNegative,
                                     DjpqSettings settings, INDArray calibration) {
        MultiLayerConfiguration sc = source.getLayerWiseConfigurations();
        List<INDArray> acts = source.feedForward(calibration, false);
        NeuralNetConfiguration.ListBuilder lb = new NeuralNetConfiguration.Builder().seed(sc.getConf(0).getSeed())
                .dataType(sc.getDataType()).updater(firstUpdater(sc)).list();
        int n = sc.getConfs().size();
        int[] newIndex = new int[n];
        boolean nonNegative = inputNonNegative;
        int k = 0;
        for (int i = 0; i < n; i++) {
            org.deeplearning4j.nn.conf.layers.Layer l = sc.getConf(i).getLayer().clone();
            if (isWeighted(l)) {
                String name = l.getLayerName() != null ? l.getLayerName() : "layer" + i;
                double aRange = Math.max(1e-6, (nonNegative ? acts.get(i).maxNumber() : acts.get(i).amaxNumber())
                        .doubleValue());
                int aLevels = settings.initialActivationBits() - (nonNegative ? 0 : 1);
                lb.layer(k++, new DqQuantizerLayer.Builder().signed(!nonNegative)
                        .initial(aRange / (Math.pow(2, Math.max(1, aLevels)) - 1), aRange).name(name + "-aq").build());
                double wRange = Math.max(1e-6, source.getLayer(i).getParam("W").amaxNumber().doubleValue());
                lb.layer(k++, new DqWeightQuantizerLayer.WeightBuilder()
                        .initial(wRange / (Math.pow(2, settings.initialWeightBits() - 1) - 1), wRange)
                        .name(name + "-wq").build());
                ((BaseLayer) l).setWeightNoise(new DqWeightNoise());
                newIndex[i] = k;
                lb.layer(k++, l);
                if (!(l instanceof OutputLayer)) {
                    requireFoldable(name, ((BaseLayer) l).getActivationFn());
                    VibGateLayer gate = new VibGateLayer.Builder().klWeight(settings.klWeight())
                            .threshold(settings.gateThreshold()).name(name + "-gate").build();
                    gate.setFrozen(settings.fixedGates());
                    lb.layer(k++, gate);
                }
                nonNegative = nonNegativeActivation(((BaseLayer) l).getActivationFn());
            } else {
                newIndex[i] = k;
                lb.layer(k++, l);
                if (l instanceof ActivationLayer a) {
                    nonNegative = nonNegativeActivation(a.getActivationFn());
                } else if (!(l instanceof SubsamplingLayer)) {
                    throw new IllegalArgumentException("DJPQ handles convolution, dense, output, pooling and activation"
                            + " layers; layer " + i + " is " + l.getClass().getSimpleName());
                }
            }
        }
        MultiLayerNetwork net = new MultiLayerNetwork(lb.setInputType(input).build());
        net.init();
        for (int i = 0; i < n; i++) {
            if (source.getLayer(i).numParams() > 0) {
                net.getLayer(newIndex[i]).params().assign(source.getLayer(i).params());
            }
        }
        if (settings.fixedGates()) {
            for (int j = 0; j < k; j++) {
                if (net.getLayer(j) instanceof VibGate g) { // gating the weighted layer before it
                    g.mu().assign(Nd4j.createFromArray(nonZeroChannels(net.getLayer(j - 1)))
                            .castTo(g.mu().dataType()));
                }
            }
        }
        return wrap(net, input, settings);
    }

    /**
     * 1 for each output channel of a convolution or dense layer with a non-zero weight
     * ({@link ConstrainableLayer#keptUnits}) or bias, 0 for a channel that is all zero: the fixed gates' {@code mu}.
     */
    static double[] nonZeroChannels(Layer layer) {
        ConstrainableLayer c = new ConstrainableLayer(layer.conf().getLayer().getLayerName(), layer.getIndex(),
                layer.getClass().getSimpleName(), layer);
        double[] mu = FlatValues.readDoubles(c.keptUnits());
        double[] bias = c.bias() == null ? new double[mu.length] : FlatValues.readDoubles(c.bias());
        for (int u = 0; u < mu.length; u++) {
            mu[u] = mu[u] != 0 || bias[u] != 0 ? 1 : 0;
        }
        return mu;
    }

    /** Re-attaches to a DJPQ network (e.g. one loaded from a checkpoint): binds the weight quantizers, finds units. */
    public static DjpqNetwork wrap(MultiLayerNetwork net, InputType input, DjpqSettings settings) {
        bind(net);
        List<InputType> types = net.getLayerWiseConfigurations().getLayerActivationTypes(input);
        List<Unit> units = new ArrayList<>();
        int lastGate = -1;
        Layer[] layers = net.getLayers();
        for (int j = 0; j < layers.length; j++) {
            if (layers[j] instanceof VibGate) {
                lastGate = j;
            }
            if (!(layers[j] instanceof DqWeightQuantizer)) {
                continue;
            }
            int w = j + 1;
            int aq = j - 1;
            int gate = w + 1 < layers.length && layers[w + 1] instanceof VibGate ? w + 1 : -1;
            BopsLayer shape = shape(layers[w], types.get(w - 1), types.get(w));
            int inputGate = lastGate >= 0 && net.getLayer(lastGate).conf().getLayer() instanceof VibGateLayer g
                    && g.getNOut() == shape.inChannels() ? lastGate : -1;
            units.add(new Unit(layers[w].conf().getLayer().getLayerName(), aq, j, w, gate, inputGate, shape));
        }
        return new DjpqNetwork(net, units, settings);
    }

    /** Joins every weight quantizer to the layer after it (needed after init, load or clone). */
    public static void bind(MultiLayerNetwork net) {
        Layer[] layers = net.getLayers();
        for (int j = 0; j < layers.length; j++) {
            if (layers[j] instanceof DqWeightQuantizer q) {
                if (j + 1 >= layers.length || !(layers[j + 1].conf().getLayer() instanceof BaseLayer b)
                        || !(b.getWeightNoise() instanceof DqWeightNoise noise)) {
                    throw new IllegalArgumentException("weight quantizer at layer " + j
                            + " is not followed by a layer with quantized weights");
                }
                q.bind(layers[j + 1]);
                noise.bind(q);
            }
        }
    }

    /**
     * The fine-tuning network: every gate's pruned channels removed (from its layer's outputs and from the next
     * weighted layer's inputs), each kept channel's test-time gate {@code mu_c} folded into its layer's weights and
     * bias and the gates themselves removed, the quantizers fixed to their frozen bits and range (power-of-two widths
     * when so set) and computing with {@link ActivationQuantization}. It holds only what the compressed model file
     * can hold ({@link #exported}), so the file computes exactly what fine-tuning trained.
     *
     * <p>Math of the fold: the DJPQ network's test-time output of channel c is {@code mu_c * act(z_c)},
     * {@code z_c = q_w(W_c) x + b_c}; it equals {@code act(mu_c z_c)} for the identity (any {@code mu_c}), ReLU and
     * leaky ReLU ({@code mu_c >= 0}); a ReLU channel with {@code mu_c < 0} gives values {@code <= 0}, which the next
     * layer's unsigned activation quantizer clips to 0, so it is folded with 0. The weights are then quantized as
     * {@code q_w(mu_c W_c)}, not {@code mu_c q_w(W_c)} (one grid per layer cannot hold per-channel scales, and the
     * model file stores one grid per layer), on the layer's weight grid scaled (bits unchanged) by the factor that
     * brings the folded levels closest, in squared error, to the DJPQ network's effective weights
     * {@code mu_c q_w(W_c)} ({@link #foldedRangeScale}): the pruned network starts close to, not exactly at, the DJPQ
     * network's function (exactly when every kept {@code mu_c} is 1), and fine-tuning adapts it. At least one channel of each layer is kept (the one with the largest
     * {@code mu^2 / sigma^2}). Its BOPs shapes are the pruned ones: report BOPs against the unpruned network with
     * {@link #finalBops()} of this (trained) network.
     */
    public DjpqNetwork prunedAndFixed(InputType input) {
        MultiLayerConfiguration c = net.getLayerWiseConfigurations();
        int n = c.getConfs().size();
        int[][] keptByGate = new int[n][];
        double[][] foldByGate = new double[n][];
        double[] rangeScale = new double[n]; // by weight quantizer: the factor on its step and range
        java.util.Arrays.fill(rangeScale, 1.0);
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            if (u.gate() >= 0) {
                keptByGate[u.gate()] = keptIndices(gate(u.gate()));
                foldByGate[u.gate()] = foldedGates(i, keptByGate[u.gate()]);
                rangeScale[u.weightQuantizer()] = foldedRangeScale(u, keptByGate, foldByGate[u.gate()]);
            }
        }
        NeuralNetConfiguration.ListBuilder lb = new NeuralNetConfiguration.Builder().seed(c.getConf(0).getSeed())
                .dataType(c.getDataType()).updater(firstUpdater(c)).list();
        int[] newIndex = new int[n];
        int k = 0;
        for (int j = 0; j < n; j++) {
            org.deeplearning4j.nn.conf.layers.Layer l = c.getConf(j).getLayer().clone();
            if (l instanceof VibGateLayer) {
                newIndex[j] = -1; // folded into the layer before it
                continue;
            }
            if (l instanceof DqQuantizerLayer q) {
                q.setNIn(0);
                q.setNOut(0);
                q.setFrozen(true);
            }
            Unit u = unitAt(j);
            if (u != null) {
                org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) l;
                ff.setNIn(0); // from the input type, i.e. the kept channels of the layer before
                if (u.gate() >= 0) {
                    ff.setNOut(keptByGate[u.gate()].length);
                }
            }
            newIndex[j] = k;
            lb.layer(k++, l);
        }
        MultiLayerNetwork pruned = new MultiLayerNetwork(lb.setInputType(input).build());
        pruned.init();
        for (int j = 0; j < n; j++) {
            if (newIndex[j] < 0) {
                continue;
            }
            Layer from = net.getLayer(j);
            Layer to = pruned.getLayer(newIndex[j]);
            if (from instanceof DqQuantizer q) {
                ActivationQuantization f = q.freeze(settings.powerOfTwo());
                ((DqQuantizer) to).set(f.step() * rangeScale[j], f.qMax() * rangeScale[j]); // same bits
            } else if (unitAt(j) != null) {
                Unit u = unitAt(j);
                copyKept(u, from, to, keptByGate, u.gate() >= 0 ? foldByGate[u.gate()] : null);
            } else if (from.numParams() > 0) {
                to.params().assign(from.params());
            }
        }
        return wrap(pruned, input, settings);
    }

    /**
     * The factors folded into the kept channels {@code kept} of unit {@code unit} (see {@link #prunedAndFixed}).
     *
     * @throws IllegalArgumentException if the layer's activation does not commute with the gate
     */
    private double[] foldedGates(int unit, int[] kept) {
        Unit u = units.get(unit);
        IActivation a = ((BaseLayer) net.getLayer(u.layer()).conf().getLayer()).getActivationFn();
        double[] mu = gate(u.gate()).mu().toDoubleVector();
        double[] fold = new double[kept.length];
        for (int i = 0; i < kept.length; i++) {
            double m = mu[kept[i]];
            if (a instanceof ActivationIdentity || m >= 0 && a instanceof ActivationLReLU) {
                fold[i] = m;
            } else if (a instanceof ActivationReLU) {
                if (m < 0 && !clippedAtZeroByTheNextQuantizer(unit)) {
                    throw new IllegalArgumentException("DJPQ: channel " + kept[i] + " of layer " + u.name()
                            + " has a negative gate after its ReLU and the next layer does not clip its input at 0:"
                            + " it cannot be folded into the weights");
                }
                fold[i] = Math.max(m, 0.0); // m < 0: mu * relu(z) <= 0 is clipped to 0 by the next quantizer
            } else {
                throw new IllegalArgumentException("DJPQ: the gate mu = " + m + " of layer " + u.name() + " cannot be"
                        + " folded into its weights through its " + a + " activation");
            }
        }
        return fold;
    }

    /**
     * The factor on a weight quantizer's step and range after folding (1 when every kept channel folds to 1): the
     * {@link #leastSquaresScale} of the kept, folded weights {@code mu_c W_c} against the DJPQ network's effective
     * weights {@code mu_c q_w(W_c)}, searched below the largest folded magnitude the grid represented,
     * {@code max_c |mu_c| min(qMax, max|W_c|) / qMax} (above it the grid is only coarser and clips nothing more).
     */
    private double foldedRangeScale(Unit u, int[][] keptByGate, double[] fold) {
        if (java.util.Arrays.stream(fold).allMatch(f -> f == 1.0)) {
            return 1.0; // nothing folded: the learned quantizer as it is
        }
        ActivationQuantization f = quantizer(u.weightQuantizer()).freeze(settings.powerOfTwo());
        INDArray w = net.getLayer(u.layer()).getParam("W");
        INDArray levels = w.dup('c');
        double[] v = FlatValues.readDoubles(levels);
        f.quantizeInPlace(v, 0, v.length);
        FlatValues.write(levels, v);
        double[] folded = FlatValues.readDoubles(keptWeights(u, w, keptByGate, fold));
        double[] target = FlatValues.readDoubles(keptWeights(u, levels, keptByGate, fold));
        int[] kept = keptByGate[u.gate()];
        double[] channelMax = (w.rank() == 4 ? Transforms.abs(w, true).max(1, 2, 3) : Transforms.abs(w, true).max(0))
                .toDoubleVector();
        double largest = 0;
        for (int i = 0; i < kept.length; i++) {
            largest = Math.max(largest, Math.abs(fold[i]) * Math.min(f.qMax(), channelMax[kept[i]]));
        }
        return largest > 0 ? leastSquaresScale(f, folded, target, largest / f.qMax()) : 1.0;
    }

    /** Candidate scales per {@link #leastSquaresScale} search, from {@code 1/4} of the largest to the largest. */
    static final int SCALE_CANDIDATES = 97;

    /**
     * The factor {@code s} on the step and range of the signed quantizer {@code f} (bits unchanged) that minimises
     * {@code sum_i (q_s(values_i) - target_i)^2}, among {@code largest * k / 128}, {@code k = 32..128}; the larger on
     * ties.
     */
    static double leastSquaresScale(ActivationQuantization f, double[] values, double[] target, double largest) {
        double best = largest;
        double bestError = Double.POSITIVE_INFINITY;
        for (int k = 128; k > 128 - SCALE_CANDIDATES; k--) {
            double s = largest * k / 128;
            ActivationQuantization q = DqBits.freeze(f.step() * s, f.qMax() * s, true, false);
            double e = 0;
            for (int i = 0; i < values.length; i++) {
                double d = q.quantize(values[i]) - target[i];
                e += d * d;
            }
            if (e < bestError) {
                bestError = e;
                best = s;
            }
        }
        return best;
    }

    /**
     * Whether the outputs of unit {@code unit}'s gate reach the next unit's activation quantizer through pooling
     * only and that quantizer is unsigned: then values {@code <= 0} become exactly 0 there.
     */
    private boolean clippedAtZeroByTheNextQuantizer(int unit) {
        if (unit + 1 >= units.size()) {
            return false;
        }
        int next = units.get(unit + 1).activationQuantizer();
        for (int j = units.get(unit).gate() + 1; j < next; j++) {
            if (!(net.getLayer(j).conf().getLayer() instanceof SubsamplingLayer)) {
                return false;
            }
        }
        return !((DqQuantizerLayer) net.getLayer(next).conf().getLayer()).isSigned();
    }

    /** Fails early for gated layers whose gate {@link #prunedAndFixed} could not fold into the weights. */
    private static void requireFoldable(String layer, IActivation a) {
        if (!(a instanceof ActivationIdentity || a instanceof ActivationReLU || a instanceof ActivationLReLU)) {
            throw new IllegalArgumentException("DJPQ gates layer " + layer + ", whose " + a + " activation does not"
                    + " let the gate be folded into its weights for export: use identity, ReLU or leaky ReLU");
        }
    }

    /**
     * The fine-tuned network ({@link #prunedAndFixed}'s) as a plain DL4J network for the compressed model file: the
     * DJPQ layers removed, each weighted layer's weights replaced by their levels {@code q_w(W)} (what it computed
     * with) and its input activation quantizer installed as {@link ActivationQuantizers} records; biases, pooling and
     * activations copied. It computes exactly what this network computes (same levels, same code).
     *
     * @throws IllegalStateException    if this network still has gates (call {@link #prunedAndFixed} first)
     * @throws IllegalArgumentException if the network is not FLOAT (the file and the activation quantizers need it)
     */
    public Export exported(InputType input) {
        if (units.stream().anyMatch(u -> u.gate() >= 0)) {
            throw new IllegalStateException("DJPQ export needs the pruned-and-fixed network (gates folded)");
        }
        MultiLayerConfiguration c = net.getLayerWiseConfigurations();
        if (c.getDataType() != org.nd4j.linalg.api.buffer.DataType.FLOAT) {
            throw new IllegalArgumentException("DJPQ export needs a FLOAT network, was " + c.getDataType());
        }
        NeuralNetConfiguration.ListBuilder lb = new NeuralNetConfiguration.Builder().seed(c.getConf(0).getSeed())
                .dataType(c.getDataType()).updater(firstUpdater(c)).list();
        List<Integer> copied = new ArrayList<>();
        for (int j = 0; j < c.getConfs().size(); j++) {
            org.deeplearning4j.nn.conf.layers.Layer l = c.getConf(j).getLayer().clone();
            if (l instanceof DjpqLayer) {
                continue;
            }
            if (l instanceof BaseLayer b) {
                b.setWeightNoise(null);
            }
            lb.layer(copied.size(), l);
            copied.add(j);
        }
        MultiLayerNetwork plain = new MultiLayerNetwork(lb.setInputType(input).build());
        plain.init();
        for (int i = 0; i < copied.size(); i++) {
            Layer from = net.getLayer(copied.get(i));
            Layer to = plain.getLayer(i);
            if (from.numParams() > 0) {
                to.params().assign(from.params());
            }
        }
        TrainableNetwork t = TrainableNetwork.of(plain);
        List<ConstrainableLayer> weighted = t.constrainableLayers();
        if (weighted.size() != units.size()) {
            throw new IllegalStateException("DJPQ export: " + weighted.size() + " weighted layers for " + units.size()
                    + " DJPQ units");
        }
        Map<String, ActivationQuantization> activations = new LinkedHashMap<>();
        Map<String, Integer> weightBits = new LinkedHashMap<>();
        for (int u = 0; u < units.size(); u++) {
            Unit unit = units.get(u);
            DqWeightQuantizer wq = (DqWeightQuantizer) net.getLayer(unit.weightQuantizer());
            INDArray levels = wq.quantize(net.getLayer(unit.layer()).getParam("W"));
            weighted.get(u).layer().getParam("W").assign(levels);
            activations.put(weighted.get(u).name(), quantizer(unit.activationQuantizer()).frozen());
            weightBits.put(weighted.get(u).name(), wq.frozen().bits());
        }
        ActivationQuantizers.install(t, activations);
        return new Export(plain, activations, weightBits);
    }

    private Unit unitAt(int layerIndex) {
        for (Unit u : units) {
            if (u.layer() == layerIndex) {
                return u;
            }
        }
        return null;
    }

    private static int[] keptIndices(VibGate g) {
        boolean[] kept = g.keptChannels();
        int[] idx = java.util.stream.IntStream.range(0, kept.length).filter(i -> kept[i]).toArray();
        if (idx.length > 0) {
            return idx;
        }
        double[] p = g.activeProbabilities();
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return new int[]{best};
    }

    private static long[] longs(int[] v) {
        return java.util.Arrays.stream(v).asLongStream().toArray();
    }

    private static long[] all(long n) {
        return java.util.stream.LongStream.range(0, n).toArray();
    }

    /**
     * Copies the kept output channels (and the kept input channels) of a weighted layer's W and b, each output
     * channel times its {@code fold} factor (null: 1).
     */
    private static void copyKept(Unit u, Layer from, Layer to, int[][] keptByGate, double[] fold) {
        long[] out = u.gate() >= 0 ? longs(keptByGate[u.gate()]) : all(u.shape().outChannels());
        INDArray keptBias = select(from.getParam("b").reshape(from.getParam("b").length()), 0, out);
        if (fold != null) {
            keptBias.muli(org.nd4j.linalg.factory.Nd4j.createFromArray(fold).castTo(keptBias.dataType()));
        }
        to.getParam("W").assign(keptWeights(u, from.getParam("W"), keptByGate, fold));
        INDArray tb = to.getParam("b");
        tb.assign(keptBias.reshape(tb.shape()));
    }

    /**
     * The kept output channels (and kept input channels) of a weight array {@code w} shaped as unit {@code u}'s W,
     * each output channel times its {@code fold} factor (null: 1), a new array.
     */
    private static INDArray keptWeights(Unit u, INDArray w, int[][] keptByGate, double[] fold) {
        long[] out = u.gate() >= 0 ? longs(keptByGate[u.gate()]) : all(u.shape().outChannels());
        long[] inChannels = u.inputGate() >= 0 ? longs(keptByGate[u.inputGate()]) : all(u.shape().inChannels());
        INDArray kept;
        if (w.rank() == 4) { // [out, in, kH, kW]
            kept = select(select(w, 0, out), 1, inChannels);
        } else { // [in, out]
            long per = u.shape().macsPerChannelPair(); // rows per input channel: H * W of a flattened map, else 1
            long[] rows = new long[inChannels.length * (int) per];
            for (int i = 0; i < inChannels.length; i++) {
                for (int s = 0; s < per; s++) {
                    rows[i * (int) per + s] = inChannels[i] * per + s;
                }
            }
            kept = select(select(w, 0, rows), 1, out);
        }
        if (fold != null) {
            INDArray f = org.nd4j.linalg.factory.Nd4j.createFromArray(fold).castTo(kept.dataType());
            int outAxis = w.rank() == 4 ? 0 : 1;
            org.nd4j.linalg.factory.Nd4j.getExecutioner().exec(
                    new org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp(kept, f, kept, outAxis));
        }
        return kept;
    }

    /**
     * The entries {@code idx} along {@code axis} of a copy of {@code view}, a new array (slice by slice: ND4J's
     * index-array {@code get} on parameter views failed in M2.1).
     */
    private static INDArray select(INDArray view, int axis, long[] idx) {
        INDArray a = view.dup(); // sub-views of a parameter view failed (data() null) on its last slice in M2.1
        long[] shape = a.shape().clone();
        shape[axis] = idx.length;
        INDArray r = org.nd4j.linalg.factory.Nd4j.create(a.dataType(), shape);
        org.nd4j.linalg.indexing.INDArrayIndex[] src = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        org.nd4j.linalg.indexing.INDArrayIndex[] dst = new org.nd4j.linalg.indexing.INDArrayIndex[a.rank()];
        for (int k = 0; k < idx.length; k++) {
            for (int d = 0; d < a.rank(); d++) {
                src[d] = d == axis ? org.nd4j.linalg.indexing.NDArrayIndex.point(idx[k])
                        : org.nd4j.linalg.indexing.NDArrayIndex.all();
                dst[d] = d == axis ? org.nd4j.linalg.indexing.NDArrayIndex.point(k)
                        : org.nd4j.linalg.indexing.NDArrayIndex.all();
            }
            r.get(dst).assign(a.get(src));
        }
        return r;
    }

    private static org.nd4j.linalg.learning.config.IUpdater firstUpdater(MultiLayerConfiguration sc) {
        for (NeuralNetConfiguration c : sc.getConfs()) {
            if (c.getLayer() instanceof BaseLayer b && b.getIUpdater() != null) {
                return b.getIUpdater().clone();
            }
        }
        return new org.nd4j.linalg.learning.config.Adam(1e-3);
    }

    private static boolean isWeighted(org.deeplearning4j.nn.conf.layers.Layer l) {
        return l instanceof ConvolutionLayer && !(l instanceof SubsamplingLayer)
                || l instanceof DenseLayer || l instanceof OutputLayer;
    }

    private static boolean nonNegativeActivation(IActivation a) {
        return a instanceof ActivationReLU || a instanceof ActivationReLU6 || a instanceof ActivationSigmoid
                || a instanceof ActivationSoftmax;
    }

    private static BopsLayer shape(Layer layer, InputType in, InputType out) {
        org.deeplearning4j.nn.conf.layers.Layer c = layer.conf().getLayer();
        String name = c.getLayerName();
        if (c instanceof ConvolutionLayer conv) {
            InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) out;
            long perPair = (long) conv.getKernelSize()[0] * conv.getKernelSize()[1] * o.getHeight() * o.getWidth();
            return new BopsLayer(name, perPair, (int) conv.getNIn(), (int) conv.getNOut());
        }
        org.deeplearning4j.nn.conf.layers.FeedForwardLayer ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) c;
        if (in instanceof InputType.InputTypeConvolutional cnn) {
            return new BopsLayer(name, cnn.getHeight() * cnn.getWidth(), (int) cnn.getChannels(), (int) ff.getNOut());
        }
        return new BopsLayer(name, 1, (int) ff.getNIn(), (int) ff.getNOut());
    }

    private VibGate gate(int index) {
        return (VibGate) net.getLayer(index);
    }

    private DqQuantizer quantizer(int index) {
        return (DqQuantizer) net.getLayer(index);
    }

    /** The BOPs shapes of the weighted layers, in order. */
    public List<BopsLayer> shapes() {
        return units.stream().map(Unit::shape).toList();
    }

    private double trainingBits(DqQuantizer q) {
        double b = q.continuousBits();
        return settings.powerOfTwo() ? DqBits.powerOfTwoBits((int) Math.ceil(b - 1e-9)) : b;
    }

    /** The training-time relative BOPs: expected active channels, continuous (or power-of-two) bits. */
    public BopsTerm.Value expectedBops() {
        int n = units.size();
        double[] in = new double[n];
        double[] out = new double[n];
        double[] bw = new double[n];
        double[] ba = new double[n];
        for (int u = 0; u < n; u++) {
            Unit unit = units.get(u);
            in[u] = unit.inputGate() < 0 ? unit.shape().inChannels() : sum(gate(unit.inputGate()).activeProbabilities());
            out[u] = unit.gate() < 0 ? unit.shape().outChannels() : sum(gate(unit.gate()).activeProbabilities());
            bw[u] = trainingBits(quantizer(unit.weightQuantizer()));
            ba[u] = trainingBits(quantizer(unit.activationQuantizer()));
        }
        return BopsTerm.evaluate(shapes(), in, out, bw, ba);
    }

    /** The per-layer outcome: kept channels and the quantizers frozen to bits (power-of-two when so set). */
    public List<LayerResult> results() {
        List<LayerResult> r = new ArrayList<>();
        for (Unit unit : units) {
            int keptIn = unit.inputGate() < 0 ? unit.shape().inChannels() : count(gate(unit.inputGate()).keptChannels());
            int keptOut = unit.gate() < 0 ? unit.shape().outChannels() : count(gate(unit.gate()).keptChannels());
            r.add(new LayerResult(unit.name(), keptIn, keptOut, unit.shape(),
                    quantizer(unit.weightQuantizer()).freeze(settings.powerOfTwo()),
                    quantizer(unit.activationQuantizer()).freeze(settings.powerOfTwo())));
        }
        return r;
    }

    /** The relative BOPs of the pruned, fixed-bit network (kept channels, integer bits). */
    public BopsTerm.Value finalBops() {
        List<LayerResult> r = results();
        int n = r.size();
        double[] in = new double[n];
        double[] out = new double[n];
        double[] bw = new double[n];
        double[] ba = new double[n];
        for (int u = 0; u < n; u++) {
            in[u] = r.get(u).keptIn();
            out[u] = r.get(u).keptOut();
            bw[u] = r.get(u).weights().bits();
            ba[u] = r.get(u).activations().bits();
        }
        return BopsTerm.evaluate(shapes(), in, out, bw, ba);
    }

    /**
     * A listener that adds {@code bopsWeight * B * d(BOPs/BOPs_dense)/d(theta)} to the gate and quantizer gradients
     * right after DL4J computed them ({@code B} the minibatch size, which DL4J divides the gradient by afterwards),
     * unless the settings' BOPs target is reached ({@link DjpqSettings#bopsTermActive}), and then clips every
     * quantizer's step and range gradient ({@link #clipQuantizerGradients}).
     */
    public TrainingListener bopsPenalty() {
        return new BaseTrainingListener() {
            @Override
            public void onGradientCalculation(Model model) {
                if (settings.bopsTermActive(finalBops().relative())) {
                    addBopsGradient(settings.bopsWeight() * model.batchSize());
                }
                clipQuantizerGradients(model.batchSize());
            }
        };
    }

    /** Adds {@code scale * d(relative expected BOPs)/d(theta)} to the gate and quantizer gradient views. */
    void addBopsGradient(double scale) {
        if (scale == 0) {
            return;
        }
        BopsTerm.Value v = expectedBops();
        int layers = net.getLayers().length;
        double[][] byP = new double[layers][];
        for (int u = 0; u < units.size(); u++) {
            Unit unit = units.get(u);
            if (unit.gate() >= 0) {
                addTo(byP, unit.gate(), v.byActiveOut()[u]);
            }
            if (unit.inputGate() >= 0) {
                addTo(byP, unit.inputGate(), v.byActiveIn()[u]);
            }
            DqQuantizer wq = quantizer(unit.weightQuantizer());
            DqQuantizer aq = quantizer(unit.activationQuantizer());
            wq.addToGradient(scale * v.byWeightBits()[u] * DqBits.continuousBitsByStep(wq.step(), wq.range()),
                    scale * v.byWeightBits()[u] * DqBits.continuousBitsByRange(wq.step(), wq.range()));
            aq.addToGradient(scale * v.byActivationBits()[u] * DqBits.continuousBitsByStep(aq.step(), aq.range()),
                    scale * v.byActivationBits()[u] * DqBits.continuousBitsByRange(aq.step(), aq.range()));
        }
        for (int j = 0; j < layers; j++) {
            if (byP[j] == null) {
                continue;
            }
            VibGate g = gate(j);
            double t = ((VibGateLayer) g.conf().getLayer()).getThreshold();
            double[] mu = FlatValues.readDoubles(g.mu()); // no native copy: this runs outside the workspaces
            double[] logD = FlatValues.readDoubles(g.logD());
            double[] dMu = new double[mu.length];
            double[] dLogD = new double[mu.length];
            for (int c = 0; c < mu.length; c++) {
                dMu[c] = scale * byP[j][0] * VibGates.activeProbabilityByMu(mu[c], logD[c], t);
                dLogD[c] = scale * byP[j][0] * VibGates.activeProbabilityByLogD(mu[c], logD[c], t);
            }
            g.addToGradient(dMu, dLogD);
        }
    }

    /**
     * Clips each learning quantizer's step and range gradient per example to {@code [-d, d]} ({@code d} its step),
     * as the DQ reference code does: the summed gradient DL4J divides by the minibatch size {@code batch} to
     * {@code [-batch * d, batch * d]}. Keeps one minibatch from moving a fine step by many times its size.
     */
    void clipQuantizerGradients(int batch) {
        for (Unit unit : units) {
            quantizer(unit.weightQuantizer()).clipGradient(batch);
            quantizer(unit.activationQuantizer()).clipGradient(batch);
        }
    }

    private static void addTo(double[][] byP, int index, double value) {
        if (byP[index] == null) {
            byP[index] = new double[1];
        }
        byP[index][0] += value;
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s;
    }

    private static int count(boolean[] v) {
        int c = 0;
        for (boolean b : v) {
            c += b ? 1 : 0;
        }
        return c;
    }
}
