package io.admmnn.dl4j.speed;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import io.admmnn.core.admm.AdmmVariable;
import io.admmnn.dl4j.hook.AdmmPenalty;
import io.admmnn.dl4j.hook.PrunedWeightMask;
import java.lang.reflect.Method;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.stepfunctions.NegativeGradientStepFunction;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.solvers.BaseOptimizer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * A lean training step for a float {@link MultiLayerNetwork} made of ReLU {@link DenseLayer}s and a softmax +
 * MCXENT {@link OutputLayer} (e.g. LeNet-300-100), optionally behind convolution and pooling layers (e.g. LeNet-5;
 * {@link LeanConvStack}), trained by Adam: what DL4J's {@code fit} does, at a third of its cost on one core for
 * LeNet-300-100.
 *
 * <p>The network stays the model: the step trains the network's own parameter, gradient and updater-state arrays
 * (Adam's m and v where each {@link UpdaterBlock} keeps them), applies the regularizations the layers hold (the
 * ADMM penalty before Adam, the frozen-weight mask after it) with DL4J's arithmetic, fused into the Adam pass,
 * advances the iteration and epoch counts, calls the listeners' {@code iterationDone}, {@code onEpochStart} and
 * {@code onEpochEnd}, and sets the score (the mean cross-entropy plus the regularization score, as DL4J reports it).
 * Parameters, updater state and score agree with {@code fit}'s to float rounding (see the tests), with one
 * exception by default: under ADMM the penalty's target {@code T = Z - U} is read in bfloat16 ({@link Bf16Target}:
 * rounded once per ADMM round, relative error at most 2^-8, so the penalty gradient {@code rho (W - T)} is off by
 * at most {@code rho 2^-8 |T|} per weight), which halves the memory the penalty reads on every step and took about
 * 2.5 % of a step off LeNet-300-100's ADMM overhead (interleaved in one process, thread CPU time: step ratios
 * ADMM/plain of 1.02-1.045 against 1.045-1.07 with the float target); {@value #BF16_TARGET}{@code =false} keeps
 * DL4J's float target. Unlike after {@code fit}, the gradient array holds the gradient rather than the update
 * afterwards (nothing reads it).
 *
 * <p>Where the time goes instead: DL4J's step spends most of its time in ND4J op calls (10-60 us each, whatever
 * their size), workspace bookkeeping, a forward pass its backward pass repeats, the first layer's input gradient (a
 * GEMM as large as the forward one, for nothing) and libnd4j's Adam op (0.8 ms for 266,610 parameters). Here the
 * GEMMs go straight to OpenBLAS, the element-wise parts are Java loops ({@link DenseKernels}), Adam is a vectorized
 * Java loop ({@link FloatAdam}), and activations and deltas live in buffers allocated once per batch size, outside
 * workspaces.
 *
 * <p>Per step: {@code z = a W + b} and ReLU in place; for the output layer softmax, the score, and
 * {@code delta = p - y}; then per layer, from the last, {@code db} = column sums and {@code dW = a_prev^T delta}
 * straight into the gradient array, both divided by the minibatch size (DL4J's {@code miniBatch(true)}), and
 * {@code delta_prev = (delta W^T) * relu'(z_prev)}, skipped for the network's first layer (behind convolutions it
 * is their rows' gradient, {@link LeanConvStack#backward}); then per updater block, in one pass, the ADMM penalty,
 * Adam, the mask and {@code params -= update}.
 *
 * <p>Only networks that {@link #ineligibility} accepts take this path; everything else (dropout, weight noise,
 * gradient normalization, constraints, L1/L2/weight decay or any regularization but the ADMM hooks, an updater other
 * than Adam, other layers, activations or losses, other preprocessors, parameters that are not FLOAT, listeners that
 * watch the forward or backward pass, a ComputationGraph) trains through DL4J's {@code fit}. The system property
 * {@value #PROPERTY}{@code =false} forces DL4J's path.
 */
public final class LeanDenseTrainer {

    /** System property: {@code false} makes every network train through DL4J's own {@code fit}. */
    public static final String PROPERTY = "admmnn.leanTraining";

    /**
     * System property, read when a trainer is made: {@code false} makes the ADMM penalty use its float target
     * {@code Z - U} as DL4J's path does, instead of the bfloat16 copy ({@link Bf16Target}; the default where the JVM
     * runs with {@code --add-modules jdk.incubator.vector}, as the admm-nn launcher does).
     */
    public static final String BF16_TARGET = "admmnn.bf16Target";

    private final MultiLayerNetwork net;
    /** The convolution and pooling layers in front of the dense ones, or null if there are none. */
    private final LeanConvStack conv;
    /** How many layers {@link #conv} covers: the dense layer {@code d} is the network's layer {@code convCount + d}. */
    private final int convCount;
    /** Values per example at the network's input. */
    private final int inputSize;
    /** Dense layers (the last one the output layer); the arrays below are indexed by dense layer. */
    private final int layerCount;
    private final int[] nIn;
    private final int[] nOut;
    /** Offsets of each layer's W and b in the flat parameter (and gradient) array: DL4J's layout, W 'f' then b. */
    private final int[] weightAt;
    private final int[] biasAt;
    private final INDArray params;
    private final INDArray gradient;
    private final FloatBuffer paramValues;
    private final FloatBuffer gradientValues;
    private final FloatBuffer stateValues;
    private final FloatPointer[] weightPointers;
    private final FloatPointer[] weightGradientPointers;
    private final double clipEps;
    private final List<UpdaterBlock> blocks;
    private final org.deeplearning4j.nn.api.Updater updater;
    private final INDArray state;
    private final Map<Integer, Buffers> buffers = new HashMap<>();
    private final FloatAdam adam = new FloatAdam();
    /** Whether the ADMM penalty reads its target in bfloat16 ({@link #BF16_TARGET}). */
    private final boolean bf16Target;
    /** The bfloat16 copies of the ADMM targets, each with the {@link AdmmVariable#targetVersion} it was made from. */
    private final Map<AdmmVariable, PackedTarget> packedTargets = new java.util.WeakHashMap<>();

    private static final class PackedTarget {
        long version = -1;
        int[] values = new int[0];
    }

    /**
     * Per batch size, detached from any workspace: each layer's output ({@code a_i}, [B, nOut_i] 'c'; the output
     * layer's turns into {@code dL/dz} in place), {@code dL/dz_i} of the hidden layers, and staging for inputs and
     * labels that are not float 'c' arrays already.
     */
    private static final class Buffers {
        final List<INDArray> arrays = new ArrayList<>(); // the buffers and pointers do not keep the memory alive
        final FloatBuffer[] out;
        final FloatPointer[] outPointers;
        final FloatBuffer[] delta;
        final FloatPointer[] deltaPointers;
        final INDArray features;
        final INDArray labels;

        Buffers(int batch, int[] nOut, int nIn0) {
            int layers = nOut.length;
            out = new FloatBuffer[layers];
            outPointers = new FloatPointer[layers];
            delta = new FloatBuffer[layers];
            deltaPointers = new FloatPointer[layers];
            for (int i = 0; i < layers; i++) {
                INDArray o = keep(Nd4j.create(DataType.FLOAT, new long[]{batch, nOut[i]}, 'c'));
                out[i] = o.data().asNioFloat();
                outPointers[i] = pointer(o);
                if (i < layers - 1) {
                    INDArray d = keep(Nd4j.create(DataType.FLOAT, new long[]{batch, nOut[i]}, 'c'));
                    delta[i] = d.data().asNioFloat();
                    deltaPointers[i] = pointer(d);
                }
            }
            features = keep(Nd4j.create(DataType.FLOAT, new long[]{batch, nIn0}, 'c'));
            labels = keep(Nd4j.create(DataType.FLOAT, new long[]{batch, nOut[layers - 1]}, 'c'));
        }

        private INDArray keep(INDArray a) {
            arrays.add(a);
            return a;
        }
    }

    private LeanDenseTrainer(MultiLayerNetwork net) {
        this.net = net;
        this.bf16Target = bf16TargetEnabled();
        Layer[] layers = net.getLayers();
        this.convCount = leadingConvLayers(layers);
        this.layerCount = layers.length - convCount;
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();
        }
        this.updater = net.getUpdater();
        this.blocks = ((BaseMultiLayerUpdater<?>) updater).getUpdaterBlocks();
        this.params = net.params();
        this.gradient = net.getFlattenedGradients();
        for (UpdaterBlock b : blocks) {
            b.getGradientUpdater(); // initialises the updater state of a new network, as the first fit would
        }
        this.state = updater.getStateViewArray();
        for (INDArray a : new INDArray[]{params, gradient, state}) {
            if (a == null || a.isView() || a.dataType() != DataType.FLOAT || a.length() > Integer.MAX_VALUE) {
                throw new IllegalStateException("the network's parameters, gradient and updater state must be "
                        + "float arrays of their own");
            }
        }
        this.paramValues = params.data().asNioFloat();
        this.gradientValues = gradient.data().asNioFloat();
        this.stateValues = state.data().asNioFloat();
        FloatPointer paramsPointer = pointer(params);
        FloatPointer gradientPointer = pointer(gradient);
        this.nIn = new int[layerCount];
        this.nOut = new int[layerCount];
        this.weightAt = new int[layerCount];
        this.biasAt = new int[layerCount];
        this.weightPointers = new FloatPointer[layerCount];
        this.weightGradientPointers = new FloatPointer[layerCount];
        this.conv = convCount == 0 ? null : new LeanConvStack(net, convCount, paramsPointer, gradientPointer);
        int offset = conv == null ? 0 : conv.paramCount;
        for (int i = 0; i < layerCount; i++) {
            INDArray w = net.getParam((convCount + i) + "_W");
            nIn[i] = (int) w.size(0);
            nOut[i] = (int) w.size(1);
            weightAt[i] = offset;
            biasAt[i] = offset + nIn[i] * nOut[i];
            offset = biasAt[i] + nOut[i];
            weightPointers[i] = new FloatPointer(paramsPointer).position(weightAt[i]);
            weightGradientPointers[i] = new FloatPointer(gradientPointer).position(weightAt[i]);
            if (w.ordering() != 'f' || paramValues.get(weightAt[i] + nIn[i] - 1) != w.getFloat(nIn[i] - 1, 0)
                    || paramValues.get(biasAt[i]) != net.getParam((convCount + i) + "_b").getFloat(0)) {
                throw new IllegalStateException("layer " + (convCount + i) + ": parameters not in DL4J's dense layout");
            }
        }
        this.inputSize = conv == null ? nIn[0] : conv.inputSize;
        this.clipEps = ((LossMCXENT) ((OutputLayer) layers[layers.length - 1].conf().getLayer()).getLossFn())
                .getSoftmaxClipEps();
        checkLayout();
    }

    /**
     * The name of the lean step for an {@link #ineligibility eligible} {@code net}: "lean dense step", or "lean
     * convolutional step" where convolution and pooling layers come first.
     */
    public static String stepName(MultiLayerNetwork net) {
        return leadingConvLayers(net.getLayers()) == 0 ? "lean dense step" : "lean convolutional step";
    }

    /** How many of {@code layers}, from the first, are convolution or pooling layers. */
    private static int leadingConvLayers(Layer[] layers) {
        int n = 0;
        while (n < layers.length && (layers[n].conf().getLayer() instanceof ConvolutionLayer
                || layers[n].conf().getLayer() instanceof SubsamplingLayer)) {
            n++;
        }
        return n;
    }

    static FloatPointer pointer(INDArray a) {
        return new FloatPointer(a.data().addressPointer());
    }

    /**
     * The lean trainer of {@code net}.
     *
     * @throws IllegalArgumentException with the reason if {@code net} is not {@link #ineligibility eligible}
     */
    public static LeanDenseTrainer of(MultiLayerNetwork net) {
        String why = ineligibility(net);
        if (why != null) {
            throw new IllegalArgumentException("not eligible for the lean training step: " + why);
        }
        return new LeanDenseTrainer(net);
    }

    /** Whether the lean path is enabled (not switched off by {@code -D}{@value #PROPERTY}{@code =false}). */
    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    }

    /**
     * Whether a trainer made now holds ADMM penalty targets in bfloat16: the Vector API is there and
     * {@value #BF16_TARGET} is not {@code false}.
     */
    public static boolean bf16TargetEnabled() {
        return Bf16Target.AVAILABLE && !"false".equalsIgnoreCase(System.getProperty(BF16_TARGET, "true"));
    }

    /**
     * Why {@code net} cannot take the lean path, or null if it can: it must be made of {@link DenseLayer}s with
     * ReLU and bias, ending in one {@link OutputLayer} with softmax and plain MCXENT, optionally behind convolution
     * and pooling layers that {@link LeanConvStack#ineligibility} accepts; every layer trained by Adam,
     * with no dropout, weight noise, layer norm, gradient normalization or constraint, and no regularization but
     * {@link AdmmPenalty} and {@link PrunedWeightMask}; no other input preprocessors, standard backprop, SGD with the
     * plain negative-gradient step; and no listener that overrides {@code onForwardPass}, {@code onBackwardPass} or
     * {@code onGradientCalculation} (the lean step does not produce what those see).
     */
    public static String ineligibility(MultiLayerNetwork net) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        Layer[] layers = net.getLayers();
        if (layers == null || layers.length == 0) {
            return "no layers";
        }
        if (conf.getBackpropType() != BackpropType.Standard) {
            return "backprop type " + conf.getBackpropType();
        }
        if (net.params().dataType() != DataType.FLOAT) {
            return "parameters of type " + net.params().dataType() + " (only FLOAT)";
        }
        int convCount = leadingConvLayers(layers);
        for (int i = 0; i < layers.length; i++) {
            NeuralNetConfiguration nnc = layers[i].conf();
            org.deeplearning4j.nn.conf.layers.Layer l = nnc.getLayer();
            String name = "layer " + i + " (" + l.getClass().getSimpleName() + ")";
            boolean last = i == layers.length - 1;
            if (i >= convCount && (last ? l.getClass() != OutputLayer.class : l.getClass() != DenseLayer.class)) {
                return name + ": only convolution and pooling layers, then DenseLayers ending in an OutputLayer";
            }
            if (l.getIDropout() != null) {
                return name + ": dropout";
            }
            if (l instanceof SubsamplingLayer) {
                continue; // no parameters; the rest is LeanConvStack's check
            }
            BaseLayer base = (BaseLayer) l;
            if (nnc.getOptimizationAlgo() != OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT) {
                return name + ": optimization algorithm " + nnc.getOptimizationAlgo();
            }
            if (nnc.getStepFunction() != null && nnc.getStepFunction().getClass() != NegativeGradientStepFunction.class) {
                return name + ": step function " + nnc.getStepFunction();
            }
            if (nnc.isMiniBatch() != net.conf().isMiniBatch()) {
                return name + ": miniBatch differs between layers";
            }
            if (base.getWeightNoise() != null) {
                return name + ": weight noise";
            }
            if (base.getGradientNormalization() != null && base.getGradientNormalization() != GradientNormalization.None) {
                return name + ": gradient normalization " + base.getGradientNormalization();
            }
            if (base.getConstraints() != null && !base.getConstraints().isEmpty()) {
                return name + ": constraints";
            }
            for (String p : new String[]{"W", "b"}) {
                IUpdater u = base.getUpdaterByParam(p);
                if (!(u instanceof Adam)) {
                    return name + ": updater " + (u == null ? "none" : u.getClass().getSimpleName()) + " (only Adam)";
                }
                for (Regularization r : regularizations(base, p)) {
                    if (!(r instanceof AdmmPenalty) && !(r instanceof PrunedWeightMask)) {
                        return name + ": regularization " + r.getClass().getSimpleName();
                    }
                }
            }
            if (!layers[i].paramTable().keySet().equals(java.util.Set.of("W", "b"))) {
                return name + ": parameters " + layers[i].paramTable().keySet();
            }
            if (l instanceof DenseLayer d && (!d.hasBias() || d.hasLayerNorm())) {
                return name + ": no bias or layer norm";
            }
            if (i < convCount) {
                continue; // activation, bias and geometry: LeanConvStack's check
            }
            if (l instanceof OutputLayer o) {
                if (!o.hasBias()) {
                    return name + ": no bias";
                }
                ILossFunction lossFn = o.getLossFn();
                if (lossFn == null || lossFn.getClass() != LossMCXENT.class || ((LossMCXENT) lossFn).getWeights() != null) {
                    return name + ": loss " + lossFn + " (only unweighted MCXENT)";
                }
                if (!(base.getActivationFn() instanceof ActivationSoftmax)) {
                    return name + ": activation " + base.getActivationFn() + " (only softmax)";
                }
            } else if (!isPlainRelu(base.getActivationFn())) {
                return name + ": activation " + base.getActivationFn() + " (only ReLU)";
            }
        }
        if (convCount == layers.length) {
            return "no dense or output layer after the convolution layers";
        }
        if (convCount > 0) {
            String why = LeanConvStack.ineligibility(net, convCount,
                    (int) ((FeedForwardLayer) layers[convCount].conf().getLayer()).getNIn());
            if (why != null) {
                return why;
            }
        } else if (conf.getInputPreProcessors() != null && !conf.getInputPreProcessors().isEmpty()) {
            return "input preprocessors";
        }
        for (TrainingListener listener : net.getListeners()) {
            String hook = passHook(listener);
            if (hook != null) {
                return "listener " + listener.getClass().getSimpleName() + " overrides " + hook;
            }
        }
        return null;
    }

    private static List<Regularization> regularizations(BaseLayer layer, String param) {
        List<Regularization> r = layer.getRegularizationByParam(param);
        return r == null ? List.of() : r;
    }

    static boolean isPlainRelu(IActivation a) {
        return a instanceof ActivationReLU r && a.getClass() == ActivationReLU.class && r.getMax() == null
                && (r.getThreshold() == null || r.getThreshold() == 0.0)
                && (r.getNegativeSlope() == null || r.getNegativeSlope() == 0.0);
    }

    /** The forward/backward/gradient callback {@code listener} overrides, or null if it overrides none. */
    private static String passHook(TrainingListener listener) {
        try {
            Method[] hooks = {
                listener.getClass().getMethod("onForwardPass", Model.class, List.class),
                listener.getClass().getMethod("onForwardPass", Model.class, Map.class),
                listener.getClass().getMethod("onBackwardPass", Model.class),
                listener.getClass().getMethod("onGradientCalculation", Model.class)};
            for (Method m : hooks) {
                if (m.getDeclaringClass() != BaseTrainingListener.class) {
                    return m.getName();
                }
            }
            return null;
        } catch (NoSuchMethodException e) {
            return e.getMessage();
        }
    }

    /**
     * Checks, with sentinel values, that each updater block works on the stretch of the network's gradient array
     * and of its updater state (Adam's m, then v) that this trainer writes. The state is restored afterwards.
     */
    private void checkLayout() {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray savedState = state.dup();
            for (UpdaterBlock b : blocks) {
                int start = b.getParamOffsetStart();
                int n = b.getParamOffsetEnd() - start;
                int at = b.getUpdaterViewOffsetStart();
                gradient.assign(0);
                state.assign(0);
                b.getGradientView().assign(1);
                AdamUpdater a = (AdamUpdater) b.getGradientUpdater();
                a.getM().assign(1);
                a.getV().assign(2);
                if (sum(gradientValues, start, n) != n || sum(gradientValues, 0, (int) gradient.length()) != n
                        || sum(stateValues, at, n) != n || sum(stateValues, at + n, n) != 2.0 * n
                        || sum(stateValues, 0, (int) state.length()) != 3.0 * n) {
                    throw new IllegalStateException("an updater block does not work on the stretch of the network's "
                            + "gradient and updater state that the lean step writes");
                }
            }
            gradient.assign(0);
            state.assign(savedState);
        }
    }

    private static double sum(FloatBuffer values, int start, int n) {
        double s = 0;
        for (int i = start; i < start + n; i++) {
            s += values.get(i);
        }
        return s;
    }

    /**
     * One pass over {@code data}, as {@code MultiLayerNetwork.fit(DataSetIterator)}: listeners' {@code onEpochStart},
     * one step per minibatch (a minibatch with mask arrays goes through DL4J's {@code fit}), {@code onEpochEnd}, and
     * the epoch count incremented.
     */
    public void fitEpoch(DataSetIterator data) {
        DataSetIterator iter = data;
        boolean async = false;
        if (data.asyncSupported()) {
            iter = new AsyncDataSetIterator(data, Math.min(Nd4j.getAffinityManager().getNumberOfDevices() * 2, 2), true);
            async = true;
        }
        try {
            for (TrainingListener l : net.getListeners()) {
                l.onEpochStart(net);
            }
            if (!iter.hasNext() && iter.resetSupported()) {
                iter.reset();
            }
            while (iter.hasNext()) {
                DataSet batch = iter.next();
                if (batch.getFeatures() == null || batch.getLabels() == null) {
                    break;
                }
                fit(batch);
            }
            for (TrainingListener l : net.getListeners()) {
                l.onEpochEnd(net);
            }
        } finally {
            if (async) {
                ((AsyncDataSetIterator) iter).shutdown();
            }
        }
        net.incrementEpochCount();
    }

    /**
     * One training step on {@code batch}, as {@code MultiLayerNetwork.fit(DataSet)}; a batch with mask arrays, or
     * whose shapes do not fit the network, goes through DL4J's {@code fit} instead.
     */
    public void fit(DataSet batch) {
        INDArray x = batch.getFeatures();
        INDArray y = batch.getLabels();
        if (batch.getFeaturesMaskArray() != null || batch.getLabelsMaskArray() != null || x.rank() != 2
                || y.rank() != 2 || x.size(0) != y.size(0) || x.size(1) != inputSize
                || y.size(1) != nOut[layerCount - 1]) {
            net.fit(batch);
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            int iteration = net.getIterationCount();
            int epoch = net.getEpochCount();
            double dataLoss = computeGradient(x, y);
            net.setScore(dataLoss + net.calcRegularizationScore(true));
            for (UpdaterBlock b : blocks) {
                update(b, iteration, epoch); // and the NegativeGradientStepFunction's params -= update
            }
            for (TrainingListener l : net.getListeners()) {
                l.iterationDone(net, iteration, epoch);
            }
            BaseOptimizer.incrementIterationCount(net, 1);
            BaseOptimizer.applyConstraints(net);
            int it = net.getIterationCount();
            for (Layer layer : net.getLayers()) { // MultiLayerNetwork.synchronizeIterEpochCounts
                layer.setIterationCount(it);
                layer.setEpochCount(epoch);
            }
        }
    }

    /**
     * What DL4J's {@link UpdaterBlock#update} does, followed by the block's share of the step {@code params -= update}:
     * the block's regularizations that apply before the updater (the ADMM penalty), Adam (in Java,
     * {@link FloatAdam}: libnd4j's op spends 0.8 ms on LeNet-300-100), and those that apply after it (the
     * frozen-weight mask). Where the hooks' arrays line up with the parameters (always, for the hooks this
     * project sets), all of it is one pass over the block ({@link FloatAdam#step}); otherwise the hooks run through
     * DL4J's calls.
     */
    private void update(UpdaterBlock block, int iteration, int epoch) {
        AdamUpdater adamUpdater = (AdamUpdater) block.getGradientUpdater();
        Adam config = adamUpdater.getConfig();
        int start = block.getParamOffsetStart();
        int n = block.getParamOffsetEnd() - start;
        int at = block.getUpdaterViewOffsetStart();
        // AdamUpdater.setStateViewArray: the block's state view holds m (first half) then v.
        List<FloatAdam.Segment> segments = fusedSegments(block);
        if (segments != null) {
            adam.step(config, iteration, epoch, paramValues, gradientValues, stateValues, at, at + n, start, segments);
            return;
        }
        double lr = config.getLearningRate(iteration, epoch);
        regularize(block, Regularization.ApplyStep.BEFORE_UPDATER, lr, iteration, epoch);
        adam.apply(config, iteration, epoch, gradientValues, start, stateValues, at, at + n, n);
        regularize(block, Regularization.ApplyStep.POST_UPDATER, lr, iteration, epoch);
        adam.subtract(paramValues, gradientValues, start, n);
    }

    /**
     * The block's parameters as {@link FloatAdam.Segment}s with their ADMM target and mask, or null if something does
     * not line up: a parameter's views elsewhere than the block's next stretch of the flat arrays, or a hook's
     * array not a float array of its own in the parameter's shape and order.
     */
    private List<FloatAdam.Segment> fusedSegments(UpdaterBlock block) {
        List<FloatAdam.Segment> segments = new ArrayList<>();
        long next = block.getParamOffsetStart();
        for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
            INDArray paramView = p.getParamView();
            INDArray gradView = p.getGradView();
            if (paramView.offset() != next || gradView.offset() != next || gradView.length() != paramView.length()
                    || paramView.elementWiseStride() != 1 || gradView.elementWiseStride() != 1) {
                return null;
            }
            INDArray shaped = ((Layer) p.getLayer()).getParam(p.getParamName());
            FloatBuffer target = null;
            int[] target16 = null;
            float rho = 0f;
            FloatBuffer mask = null;
            List<Regularization> all = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
            for (Regularization r : all == null ? List.<Regularization>of() : all) {
                if (r instanceof AdmmPenalty penalty && target == null && target16 == null) {
                    AdmmVariable variable = penalty.activeVariable();
                    if (variable != null) {
                        if (!linesUp(variable.penaltyTarget(), shaped)) {
                            return null;
                        }
                        rho = (float) variable.rho(); // as the BLAS axpy call takes it for float arrays
                        if (bf16Target) {
                            target16 = packed(variable, (int) paramView.length());
                        } else {
                            target = variable.penaltyTarget().data().asNioFloat();
                        }
                    }
                } else if (r instanceof PrunedWeightMask pruned && mask == null) {
                    INDArray m = pruned.activeMask();
                    if (m != null) {
                        mask = valuesLike(m, shaped);
                        if (mask == null) {
                            return null;
                        }
                    }
                } else {
                    return null;
                }
            }
            segments.add(new FloatAdam.Segment((int) next, (int) paramView.length(), target, target16, rho, mask));
            next += paramView.length();
        }
        return next == block.getParamOffsetEnd() ? segments : null;
    }

    /** {@code variable}'s target ({@code n} values) in bfloat16, rounded again after it changed. */
    private int[] packed(AdmmVariable variable, int n) {
        PackedTarget p = packedTargets.computeIfAbsent(variable, v -> new PackedTarget());
        if (p.version != variable.targetVersion()) {
            if (p.values.length != Bf16Target.packedLength(n)) {
                p.values = new int[Bf16Target.packedLength(n)];
            }
            Bf16Target.pack(variable.penaltyTarget().data().asNioFloat(), n, p.values);
            p.version = variable.targetVersion();
        }
        return p.values;
    }

    /** The values of {@code a} in {@code like}'s element order, if {@code a} {@link #linesUp} with it. */
    private static FloatBuffer valuesLike(INDArray a, INDArray like) {
        return linesUp(a, like) ? a.data().asNioFloat() : null;
    }

    /** Whether {@code a} is a float array of its own shaped and ordered like {@code like}. */
    private static boolean linesUp(INDArray a, INDArray like) {
        return a.dataType() == DataType.FLOAT && !a.isView() && a.offset() == 0 && a.elementWiseStride() == 1
                && java.util.Arrays.equals(a.shape(), like.shape()) && (a.rank() <= 1 || a.ordering() == like.ordering());
    }

    /** UpdaterBlock.applyRegularizationAllVariables. */
    private static void regularize(UpdaterBlock block, Regularization.ApplyStep step, double lr, int iteration,
                                   int epoch) {
        for (UpdaterBlock.ParamState p : block.getLayersAndVariablesInBlock()) {
            List<Regularization> all = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
            for (Regularization r : all == null ? List.<Regularization>of() : all) {
                if (r.applyStep() == step) {
                    r.apply(p.getParamView(), p.getGradView(), lr, iteration, epoch);
                }
            }
        }
    }

    /**
     * Forward and backward pass on one minibatch: fills the network's gradient array with the gradient of the data
     * loss, divided by the minibatch size when the network is configured so (DL4J's default), and returns the data
     * loss (mean cross-entropy with DL4J's softmax clipping; the sum if {@code miniBatch(false)}). Regularizations
     * are not applied: in DL4J they belong to the updater step.
     *
     * <p>GEMMs go straight to OpenBLAS (ND4J's matmul op costs 20 us a call on top, more than the small ones take);
     * bias, ReLU, softmax and their derivatives are Java loops over the buffers (ND4J's ops cost 10-60 us each).
     * Public for the gradient check and for timing the parts of a step; training calls {@link #fit}.
     */
    public double computeGradient(INDArray features, INDArray labels) {
        int batch = (int) features.size(0);
        Buffers buf = buffers.computeIfAbsent(batch, b -> allocate(b));
        INDArray xRows = asFloatRows(features, buf.features);
        FloatPointer x = conv == null ? pointer(xRows) : conv.forward(xRows.data().asNioFloat(), batch, paramValues);
        FloatBuffer y = asFloatRows(labels, buf.labels).data().asNioFloat();
        int last = layerCount - 1;
        FloatPointer in = x;
        for (int i = 0; i <= last; i++) { // z = a W + b (W is [nIn, nOut] 'f', i.e. row-major W^T)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, nOut[i], nIn[i], 1f, in, nIn[i],
                    weightPointers[i], nIn[i], 0f, buf.outPointers[i], nOut[i]);
            if (i < last) {
                DenseKernels.addBiasRelu(buf.out[i], batch, nOut[i], paramValues, biasAt[i]);
            }
            in = buf.outPointers[i];
        }
        boolean miniBatch = net.conf().isMiniBatch();
        // softmax, the score, and dL/dz = p - y in place of the output layer's z
        double score = DenseKernels.softmaxCrossEntropy(buf.out[last], batch, nOut[last], paramValues, biasAt[last],
                y, clipEps);
        if (miniBatch) {
            score /= batch;
        }
        // DL4J divides the gradient by the minibatch size after backprop; the GEMMs that produce it do it here.
        float scale = miniBatch ? 1f / batch : 1f;
        FloatBuffer delta = buf.out[last];
        FloatPointer deltaPointer = buf.outPointers[last];
        for (int i = last; i >= 0; i--) {
            FloatPointer previous = i == 0 ? x : buf.outPointers[i - 1];
            DenseKernels.columnSums(delta, batch, nOut[i], scale, gradientValues, biasAt[i]);
            // dW^T = delta^T a_prev: dW is [nIn, nOut] 'f', i.e. row-major [nOut, nIn]
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nOut[i], nIn[i], batch, scale, deltaPointer, nOut[i],
                    previous, nIn[i], 0f, weightGradientPointers[i], nIn[i]);
            if (i > 0) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, nIn[i], nOut[i], 1f, deltaPointer,
                        nOut[i], weightPointers[i], nIn[i], 0f, buf.deltaPointers[i - 1], nIn[i]);
                DenseKernels.reluDerivative(buf.delta[i - 1], buf.out[i - 1], batch * nIn[i]);
                delta = buf.delta[i - 1];
                deltaPointer = buf.deltaPointers[i - 1];
            } else if (conv != null) { // the network's first layer's input gradient is of no use: not computed
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, nIn[0], nOut[0], 1f, deltaPointer,
                        nOut[0], weightPointers[0], nIn[0], 0f, conv.rowsGradient(batch), nIn[0]);
                conv.backward(batch, scale, gradientValues);
            }
        }
        return score;
    }

    /** {@code a} itself if it is a float row-major array of its own, else {@code staging} holding its values. */
    private static INDArray asFloatRows(INDArray a, INDArray staging) {
        if (a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() && a.elementWiseStride() == 1) {
            return a;
        }
        return staging.assign(a);
    }

    private Buffers allocate(int batch) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return new Buffers(batch, nOut, inputSize);
        }
    }

    /**
     * Whether this trainer still works on the network's own arrays (parameters, gradient, updater): false after
     * something replaced them (e.g. {@code init()} again, or a new updater).
     */
    public boolean isCurrent() {
        return net.params() == params && net.getFlattenedGradients() == gradient && net.getUpdater() == updater
                && net.getUpdater().getStateViewArray() == state;
    }
}
