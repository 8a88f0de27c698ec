package io.admmnn.dl4j.speed;

import io.admmnn.dl4j.hook.AdmmPenalty;
import io.admmnn.dl4j.hook.PrunedWeightMask;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.OptimizationAlgorithm;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
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
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.dataset.AsyncDataSetIterator;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A lean training step for a {@link MultiLayerNetwork} made only of ReLU {@link DenseLayer}s and a softmax + MCXENT
 * {@link OutputLayer} (e.g. LeNet-300-100), doing what DL4J's {@code fit} does with a fraction of its overhead.
 *
 * <p>The network stays the model: the step trains the network's own parameter array, gradient array and updater
 * state, runs the network's own {@link UpdaterBlock}s (so DL4J applies the regularizations before and after the
 * updater, and Adam, exactly as in {@code fit}), advances the iteration and epoch counts, calls the training
 * listeners and sets the score (the mean cross-entropy plus the regularization score, as DL4J reports it).
 * What it saves: DL4J's workspace bookkeeping, the forward pass that DL4J's backward pass repeats, the input
 * gradient of the first layer (a GEMM as big as the forward one, for nothing), and per-step allocations: every
 * activation and delta lives in a buffer allocated once per batch size, outside workspaces.
 *
 * <p>Per step: {@code z = a W + b} and ReLU in place (softmax for the output layer); the score from the
 * probabilities; {@code delta = p - y}; then per layer, from the last, {@code dW = a_prev^T delta} by GEMM straight
 * into the gradient array, {@code db} = column sums, and {@code delta_prev = (delta W^T) * relu'(a_prev)}, skipped
 * for the first layer; the gradient divided by the minibatch size (DL4J's {@code miniBatch(true)}); the updater
 * blocks; {@code params -= update}.
 *
 * <p>Only networks that {@link #ineligibility} accepts take this path; everything else (dropout, weight noise,
 * gradient normalization, constraints, L1/L2/weight decay or any regularization but the ADMM hooks, an updater other
 * than Adam, other layers, activations or losses, preprocessors, listeners that watch the forward or backward
 * pass) trains through DL4J's {@code fit}. The system property {@value #PROPERTY}{@code =false} forces DL4J's path.
 */
public final class LeanDenseTrainer {

    /** System property: {@code false} makes every network train through DL4J's own {@code fit}. */
    public static final String PROPERTY = "admmnn.leanTraining";

    private final MultiLayerNetwork net;
    private final int layerCount;
    private final INDArray params;
    private final INDArray gradient;
    private final INDArray[] weights;
    private final INDArray[] biases;
    private final INDArray[] weightGradients;
    private final INDArray[] biasGradients;
    private final IActivation[] activations;
    private final LossMCXENT loss;
    private final DataType dataType;
    private final List<UpdaterBlock> blocks;
    private final INDArray paramsArray;
    private final INDArray gradientArray;
    private final org.deeplearning4j.nn.api.Updater updater;
    private final Map<Long, Buffers> buffers = new HashMap<>();

    /** Activations and deltas for one batch size, ordered like DL4J's own, detached from any workspace. */
    private static final class Buffers {
        final INDArray[] out;   // a_i = f(z_i), [B, nOut_i]; for the output layer the probabilities
        final INDArray[] delta; // dL/dz_i, [B, nOut_i]
        final INDArray[] epsilon; // dL/da_i transposed, [nOut_i, B] 'f' (none for the output layer)
        final INDArray clipped; // the probabilities clipped for the score, [B, nOut_last]

        Buffers(INDArray[] out, INDArray[] delta, INDArray[] epsilon, INDArray clipped) {
            this.out = out;
            this.delta = delta;
            this.epsilon = epsilon;
            this.clipped = clipped;
        }
    }

    private LeanDenseTrainer(MultiLayerNetwork net) {
        this.net = net;
        Layer[] layers = net.getLayers();
        this.layerCount = layers.length;
        this.dataType = net.params().dataType();
        if (net.getFlattenedGradients() == null) {
            net.initGradientsView();
        }
        this.updater = net.getUpdater();
        this.blocks = ((BaseMultiLayerUpdater<?>) updater).getUpdaterBlocks();
        this.paramsArray = net.params();
        this.gradientArray = net.getFlattenedGradients();
        this.params = net.params().reshape(net.params().length());
        this.gradient = net.getFlattenedGradients().reshape(net.getFlattenedGradients().length());
        this.weights = new INDArray[layerCount];
        this.biases = new INDArray[layerCount];
        this.weightGradients = new INDArray[layerCount];
        this.biasGradients = new INDArray[layerCount];
        this.activations = new IActivation[layerCount];
        long offset = 0;
        for (int i = 0; i < layerCount; i++) {
            BaseLayer conf = (BaseLayer) layers[i].conf().getLayer();
            activations[i] = conf.getActivationFn();
            weights[i] = net.getParam(i + "_W");
            biases[i] = net.getParam(i + "_b");
            long nIn = weights[i].size(0);
            long nOut = weights[i].size(1);
            // DL4J's layout (DefaultParamInitializer): W [nIn, nOut] 'f', then b [nOut], per layer in order.
            weightGradients[i] = gradient.get(NDArrayIndex.interval(offset, offset + nIn * nOut)).reshape('f', nIn, nOut);
            offset += nIn * nOut;
            biasGradients[i] = gradient.get(NDArrayIndex.interval(offset, offset + nOut)).reshape(1, nOut);
            offset += nOut;
        }
        this.loss = (LossMCXENT) ((OutputLayer) layers[layerCount - 1].conf().getLayer()).getLossFn();
        checkAliasing();
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
     * Why {@code net} cannot take the lean path, or null if it can: it must be made of {@link DenseLayer}s with
     * ReLU and bias, ending in one {@link OutputLayer} with softmax and plain MCXENT; every layer trained by Adam,
     * with no dropout, weight noise, layer norm, gradient normalization or constraint, and no regularization but
     * {@link AdmmPenalty} and {@link PrunedWeightMask}; no input preprocessors, standard backprop, SGD with the
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
        if (!net.params().dataType().isFPType()) {
            return "parameters of type " + net.params().dataType();
        }
        for (int i = 0; i < layers.length; i++) {
            NeuralNetConfiguration nnc = layers[i].conf();
            org.deeplearning4j.nn.conf.layers.Layer l = nnc.getLayer();
            String name = "layer " + i + " (" + l.getClass().getSimpleName() + ")";
            boolean last = i == layers.length - 1;
            if (last ? l.getClass() != OutputLayer.class : l.getClass() != DenseLayer.class) {
                return name + ": only DenseLayers ending in an OutputLayer";
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
            if (base.getIDropout() != null) {
                return name + ": dropout";
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
        if (conf.getInputPreProcessors() != null && !conf.getInputPreProcessors().isEmpty()) {
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

    private static boolean isPlainRelu(IActivation a) {
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

    /** A network's own gradient array must be the one its updater blocks update; checked once, with sentinels. */
    private void checkAliasing() {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            gradient.assign(0);
            for (UpdaterBlock b : blocks) {
                b.getGradientView().assign(1);
                double inside = gradient.get(NDArrayIndex.interval(b.getParamOffsetStart(), b.getParamOffsetEnd()))
                        .sumNumber().doubleValue();
                double all = gradient.sumNumber().doubleValue();
                long n = b.getParamOffsetEnd() - b.getParamOffsetStart();
                gradient.assign(0);
                if (inside != n || all != n) {
                    throw new IllegalStateException("the updater's gradient view is not the network's gradient array");
                }
            }
        }
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
                || y.rank() != 2 || x.size(0) != y.size(0) || x.size(1) != weights[0].size(0)
                || y.size(1) != weights[layerCount - 1].size(1)) {
            net.fit(batch);
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            int iteration = net.getIterationCount();
            int epoch = net.getEpochCount();
            double dataLoss = computeGradient(x, y);
            net.setScore(dataLoss + net.calcRegularizationScore(true));
            for (UpdaterBlock b : blocks) {
                b.update(iteration, epoch); // BEFORE_UPDATER regularizations, Adam, POST_UPDATER ones
            }
            params.subi(gradient); // NegativeGradientStepFunction
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
     * Forward and backward pass on one minibatch: fills the network's gradient array with the gradient of the data
     * loss, divided by the minibatch size when the network is configured so (DL4J's default), and returns the data
     * loss (mean cross-entropy with DL4J's softmax clipping; the sum if {@code miniBatch(false)}). Regularizations
     * are not applied: in DL4J they belong to the updater step.
     */
    double computeGradient(INDArray features, INDArray labels) {
        long batchSize = features.size(0);
        Buffers buf = buffers.computeIfAbsent(batchSize, this::allocate);
        INDArray x = features.castTo(dataType);
        INDArray y = labels.castTo(dataType);
        INDArray in = x;
        for (int i = 0; i < layerCount; i++) {
            INDArray z = buf.out[i];
            in.mmuli(weights[i], z); // the calls DL4J's BaseLayer.preOutput makes, into a 'c' buffer like its own
            z.addiRowVector(biases[i]);
            activations[i].getActivation(z, true); // in place: ReLU, or softmax for the output layer
            in = z;
        }
        INDArray p = buf.out[layerCount - 1];
        // LossMCXENT.scoreArray: log of the probabilities clipped to [eps, 1 - eps], times the labels.
        double eps = loss.getSoftmaxClipEps();
        INDArray clipped = buf.clipped.assign(p);
        if (eps > 0) {
            BooleanIndexing.replaceWhere(clipped, eps, Conditions.lessThan(eps));
            BooleanIndexing.replaceWhere(clipped, 1.0 - eps, Conditions.greaterThan(1.0 - eps));
        }
        double score = -Transforms.log(clipped, false).muli(y).sumNumber().doubleValue();
        boolean miniBatch = net.conf().isMiniBatch();
        if (miniBatch) {
            score /= batchSize;
        }
        INDArray delta = buf.delta[layerCount - 1].assign(p).subi(y); // softmax + MCXENT: dL/dz = p - y
        for (int i = layerCount - 1; i >= 0; i--) {
            INDArray prev = i == 0 ? x : buf.out[i - 1];
            delta.sum(biasGradients[i], 0);
            Nd4j.gemm(prev, delta, weightGradients[i], true, false, 1.0, 0.0);
            if (i > 0) {
                // As DL4J's BaseLayer.backpropGradient: (W delta^T)^T into an 'f' buffer, then relu'(z) = [a > 0].
                INDArray epsilon = weights[i].mmuli(delta.transpose(), buf.epsilon[i - 1]).transpose();
                INDArray next = buf.delta[i - 1];
                Nd4j.exec(new RectifiedLinearDerivative(prev, epsilon, next));
                delta = next;
            }
        }
        if (miniBatch) {
            gradient.divi(batchSize);
        }
        return score;
    }

    private Buffers allocate(long batchSize) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray[] out = new INDArray[layerCount];
            INDArray[] delta = new INDArray[layerCount];
            INDArray[] epsilon = new INDArray[layerCount - 1];
            for (int i = 0; i < layerCount; i++) {
                out[i] = Nd4j.create(dataType, new long[]{batchSize, weights[i].size(1)}, 'c');
                delta[i] = Nd4j.create(dataType, new long[]{batchSize, weights[i].size(1)}, 'c');
                if (i < layerCount - 1) {
                    epsilon[i] = Nd4j.create(dataType, new long[]{weights[i].size(1), batchSize}, 'f');
                }
            }
            return new Buffers(out, delta, epsilon,
                    Nd4j.create(dataType, new long[]{batchSize, weights[layerCount - 1].size(1)}, 'c'));
        }
    }

    /**
     * Whether this trainer still works on the network's own arrays (parameters, gradient, updater): false after
     * something replaced them (e.g. {@code init()} again, or a new updater).
     */
    public boolean isCurrent() {
        return net.params() == paramsArray && net.getFlattenedGradients() == gradientArray && net.getUpdater() == updater;
    }
}
