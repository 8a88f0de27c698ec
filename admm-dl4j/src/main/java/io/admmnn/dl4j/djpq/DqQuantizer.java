package io.admmnn.dl4j.djpq;

import io.admmnn.core.djpq.DqBits;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.format.ActivationQuantization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The runtime DQ quantizer of {@link DqQuantizerLayer}. Forward {@code y = d * n}, {@code n = round(u)},
 * {@code u = c / d}, {@code c = clip(x, lo, qMax)}. Backward with the rounding passed straight through
 * ({@code dn/du = 1}): {@code dy/dx = 1} inside {@code (lo, qMax)}, else 0; {@code dy/dd = n - u};
 * {@code dy/dqMax = 1} where {@code x >= qMax}, {@code -1} where {@code x <= -qMax} (signed). The step is kept in
 * at most 16 bits ({@link SteQuantization#project}), also between an update and the next training pass. A frozen quantizer (fine-tuning) computes its levels with
 * {@link ActivationQuantization} itself ({@link #frozen()}), the code the compressed model file's readers run, so
 * the fine-tuned network and its exported file compute the same values.
 */
public class DqQuantizer extends BaseLayer<DqQuantizerLayer> {

    private static final long serialVersionUID = 1L;

    public DqQuantizer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no weight noise
    }

    /** The learned step {@code d}, within its bounds ({@link SteQuantization#project}). */
    public double step() {
        return projected()[0];
    }

    /** The learned range {@code qMax}, within its bounds ({@link SteQuantization#project}). */
    public double range() {
        return projected()[1];
    }

    public boolean signed() {
        return layerConf().isSigned();
    }

    /** The continuous (differentiable) bit width {@code log2(qMax/d + 1) + s}. */
    public double continuousBits() {
        return DqBits.continuousBits(step(), range(), signed());
    }

    /** The quantizer frozen for export: bits and range (power-of-two widths when asked); {@link DqBits#freeze}. */
    public ActivationQuantization freeze(boolean powerOfTwo) {
        return DqBits.freeze(step(), range(), signed(), powerOfTwo);
    }

    /** The quantizer as it stands (set to frozen values by {@link DjpqNetwork#prunedAndFixed}), as a record. */
    public ActivationQuantization frozen() {
        return freeze(false);
    }

    /**
     * The levels of {@code x}, a new array: {@link #frozen()}'s {@link ActivationQuantization#quantizeInPlace} when
     * this quantizer is frozen (the file's code, bit for bit), else the ND4J forward pass of training.
     */
    protected INDArray levels(INDArray x) {
        return levelsInto(x, layerConf().isFrozen() ? x.ulike() : null);
    }

    /**
     * {@link #levels} written into {@code y} (shaped as {@code x}), returned; {@code y == null}: a new array (not
     * frozen only).
     */
    protected INDArray levelsInto(INDArray x, INDArray y) {
        if (!layerConf().isFrozen()) {
            return y == null ? SteQuantization.forward(x, step(), range(), signed(), this::round)
                    : SteQuantization.forwardInto(x, y, step(), range(), signed(), this::round);
        }
        ActivationQuantization q = frozen();
        if (FlatValues.isDouble(x)) {
            double[] v = FlatValues.readDoubles(x);
            q.quantizeInPlace(v, 0, v.length);
            FlatValues.write(y, v);
        } else {
            float[] v = FlatValues.readFloats(x);
            q.quantizeInPlace(v, 0, v.length);
            FlatValues.write(y, v);
        }
        return y;
    }

    /** Sets step and range (e.g. to the frozen, power-of-two-rounded values for fine-tuning). */
    public void set(double step, double range) {
        params.get(DqQuantizerLayer.STEP).assign(step);
        params.get(DqQuantizerLayer.RANGE).assign(range);
    }

    /** Adds to the step and range gradients (outside backpropagation, e.g. the BOPs term). */
    void addToGradient(double byStep, double byRange) {
        if (layerConf().isFrozen()) {
            return;
        }
        gradientViews.get(DqQuantizerLayer.STEP).addi(byStep);
        gradientViews.get(DqQuantizerLayer.RANGE).addi(byRange);
    }

    /** Clips the step and range gradients to {@code [-batch * d, batch * d]} (no-op when frozen). */
    void clipGradient(int batch) {
        if (layerConf().isFrozen()) {
            return;
        }
        double bound = batch * step();
        for (String p : new String[]{DqQuantizerLayer.STEP, DqQuantizerLayer.RANGE}) {
            INDArray g = gradientViews.get(p);
            g.assign(Math.max(-bound, Math.min(bound, g.getDouble(0))));
        }
    }

    /**
     * The stored {@code {d, qMax}} kept in their bounds ({@link SteQuantization#project}): what this quantizer
     * computes with, also between an update that moved them out and the next training pass, which stores them.
     */
    private double[] projected() {
        return SteQuantization.project(params.get(DqQuantizerLayer.STEP).getDouble(0),
                params.get(DqQuantizerLayer.RANGE).getDouble(0), signed());
    }

    /** Stores {@link #projected()} after an update moved step or range out of their bounds (not when frozen). */
    protected void project() {
        if (layerConf().isFrozen()) {
            return;
        }
        double[] p = projected();
        if (p[0] != params.get(DqQuantizerLayer.STEP).getDouble(0)
                || p[1] != params.get(DqQuantizerLayer.RANGE).getDouble(0)) {
            set(p[0], p[1]);
        }
    }

    /** Rounding to the nearest integer; the gradient passes straight through it. */
    protected INDArray round(INDArray u) {
        return Transforms.round(u, true);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (training) {
            project();
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, levels(input));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        SteQuantization.Gradients g = SteQuantization.backward(input, epsilon, step(), range(), signed(), this::round);
        Gradient gradient = SteQuantization.parameterGradient(gradientViews, g, !layerConf().isFrozen());
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, g.input()));
    }

    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        return 0;
    }
}
