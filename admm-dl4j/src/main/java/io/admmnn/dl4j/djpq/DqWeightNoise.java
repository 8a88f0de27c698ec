package io.admmnn.dl4j.djpq;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Makes a convolution or dense layer compute with quantized weights {@code q(W)} (in training and at test time), the
 * quantizer being the {@link DqWeightQuantizer} right before the layer; biases stay in floating point. DL4J's own
 * weight-noise hook, so the layer's backward pass yields {@code dL/dq(W)}. DL4J calls it outside its workspaces on
 * every forward pass, so {@code q(W)} goes into a buffer the quantizer keeps ({@link DqWeightQuantizer#quantizedWeights}),
 * not into new arrays that only the garbage collector would free. Its JSON holds nothing; the quantizer is bound by
 * {@link DjpqNetwork#bind}.
 */
public final class DqWeightNoise implements IWeightNoise {

    private static final long serialVersionUID = 1L;

    private transient DqWeightQuantizer quantizer;

    void bind(DqWeightQuantizer q) {
        this.quantizer = q;
    }

    @Override
    public INDArray getParameter(Layer layer, String paramKey, int iteration, int epoch, boolean train,
                                 LayerWorkspaceMgr workspaceMgr) {
        INDArray p = layer.getParam(paramKey);
        if (!"W".equals(paramKey)) {
            return p;
        }
        if (quantizer == null) {
            throw new IllegalStateException(layer.conf().getLayer().getLayerName()
                    + ": quantized weights not bound to their quantizer; call DjpqNetwork.bind(net) after init or load");
        }
        return quantizer.quantizedWeights(p);
    }

    @Override
    public DqWeightNoise clone() {
        DqWeightNoise copy = new DqWeightNoise();
        copy.quantizer = quantizer;
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DqWeightNoise;
    }

    @Override
    public int hashCode() {
        return DqWeightNoise.class.hashCode();
    }

    @Override
    public String toString() {
        return "DqWeightNoise";
    }
}
