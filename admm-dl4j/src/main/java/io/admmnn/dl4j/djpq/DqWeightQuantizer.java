package io.admmnn.dl4j.djpq;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime weight quantizer of {@link DqWeightQuantizerLayer}: an identity on the activations that owns the step
 * and range of the next layer's weights. That layer computes with {@code W_q = q(W)} (through {@link DqWeightNoise}),
 * so its weight gradient is {@code dL/dW_q}; this layer's backward pass (which DL4J runs right after the next
 * layer's) turns it into the straight-through {@code dL/dW = dL/dW_q * 1[|W| < qMax]} and fills
 * {@code dL/dd = sum dL/dW_q * (n - u)}, {@code dL/dqMax = sum dL/dW_q * sign(W) 1[|W| >= qMax]}.
 */
public class DqWeightQuantizer extends DqQuantizer {

    private static final long serialVersionUID = 1L;
    private static final String WEIGHTS = "W";

    private transient Layer weighted;
    /** The buffer of {@link #quantizedWeights}, outside any workspace. */
    private transient INDArray quantized;

    public DqWeightQuantizer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Joins this quantizer to the layer whose weights it quantizes. */
    void bind(Layer weightedLayer) {
        this.weighted = weightedLayer;
    }

    /** The layer whose weights this quantizer owns (null before {@link DjpqNetwork#bind}). */
    public Layer weighted() {
        return weighted;
    }

    /** The quantized copy {@code d * round(clip(W, -qMax, qMax) / d)} of a weight array (signed). */
    public INDArray quantize(INDArray weights) {
        return levels(weights);
    }

    /**
     * {@link #quantize} of the bound layer's {@code weights} into a buffer this quantizer keeps and overwrites on
     * every call (allocated outside the workspaces, once per shape). For {@link DqWeightNoise}: DL4J asks for the
     * quantized weights on every forward pass, outside its workspaces, and keeps them only until that pass's
     * backward pass; a new array each time would be freed only when the garbage collector ran, which with a large
     * heap it seldom does (issue 15: off-heap memory grew by gigabytes per epoch).
     */
    INDArray quantizedWeights(INDArray weights) {
        quantized = OffHeap.reuse(quantized, weights.dataType(), weights.shape(), weights.ordering());
        return levelsInto(weights, quantized);
    }

    /**
     * Identity on the activations; refreshes {@link #quantizedWeights}' buffer to the bound layer's current
     * {@code q(W)} first. DL4J's convolution layer keeps the array its weight noise returned until its backward pass
     * clears it, and skips that clearing when its oneDNN helper runs the backward pass (DL4J 1.0.0-M2.1): without the
     * refresh, every training pass of an epoch would compute with the {@code q(W)} of the epoch's first pass while
     * {@code W} kept learning, and the network evaluated after the epoch would be one it never trained (issue 15).
     */
    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (training) {
            project();
        }
        if (quantized != null && weighted != null) {
            quantizedWeights(weighted.getParam(WEIGHTS));
        }
        return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (weighted == null) {
            throw new IllegalStateException(layerConf().getLayerName()
                    + ": weight quantizer not bound to its layer; call DjpqNetwork.bind(net) after init or load");
        }
        INDArray w = weighted.getParam(WEIGHTS);
        INDArray dW = weighted.conf().getLayer().initializer()
                .getGradientsFromFlattened(weighted.conf(), weighted.getGradientsViewArray()).get(WEIGHTS);
        SteQuantization.Gradients g = SteQuantization.backward(w, dW, step(), range(), true, this::round);
        dW.assign(g.input());
        Gradient gradient = SteQuantization.parameterGradient(gradientViews, g, !layerConf().isFrozen());
        return new Pair<>(gradient, workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon));
    }
}
