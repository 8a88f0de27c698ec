package io.admmnn.dl4j.network;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer of a DL4J network that has a weight parameter {@code W} and can carry a constraint.
 *
 * @param name   the layer's name (MultiLayerNetwork layers without a name are called by their index)
 * @param index  position in the network's layer array
 * @param type   the configuration's simple class name, e.g. {@code ConvolutionLayer}
 * @param layer  the runtime layer
 */
public record ConstrainableLayer(String name, int index, String type, Layer layer) {

    /** The live weight tensor (a view into the network's parameters): dense {@code [nIn, nOut]} 'f',
     * convolution {@code [nOut, nIn, kH, kW]} 'c'. */
    public INDArray weights() {
        return layer.getParam("W");
    }

    /** The live bias vector, or null if the layer has none. */
    public INDArray bias() {
        return layer.paramTable().get("b");
    }

    /** The layer's configuration, whose regularization lists the updater reads on every step. */
    public BaseLayer config() {
        return (BaseLayer) layer.conf().getLayer();
    }

    /**
     * Per output unit (a convolution's filter {@code W[j, :, :, :]}, a dense layer's column {@code W[:, j]}): 1 if
     * any of its weights is non-zero, 0 if the unit is removed; a new vector of {@code nOut} values of W's type.
     */
    public INDArray keptUnits() {
        INDArray w = weights();
        return (w.rank() == 4 ? w.amax(1, 2, 3) : w.amax(0)).neq(0.0).castTo(w.dataType()).reshape(w.size(
                w.rank() == 4 ? 0 : 1));
    }

    /** Whether this is a convolution layer (its weights are 4-D). */
    public boolean isConvolution() {
        return weights().rank() == 4;
    }
}
