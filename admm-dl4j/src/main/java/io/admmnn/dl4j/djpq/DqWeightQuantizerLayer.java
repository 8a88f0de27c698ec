package io.admmnn.dl4j.djpq;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Configuration of a learned DQ quantizer of the <em>weights</em> of the weighted layer right after it: it holds
 * that layer's step {@code d} and range {@code qMax} (signed, {@code [-qMax, qMax]}) and passes activations through
 * unchanged. The weighted layer reads its quantized weights through {@link DqWeightNoise}; the two are joined by
 * {@link DjpqNetwork#bind} after the network is built or loaded.
 */
public class DqWeightQuantizerLayer extends DqQuantizerLayer {

    private static final long serialVersionUID = 1L;

    /** For JSON. */
    public DqWeightQuantizerLayer() {
        setSigned(true);
    }

    private DqWeightQuantizerLayer(Builder b) {
        super(b.signed(true));
    }

    @Override
    protected org.deeplearning4j.nn.layers.BaseLayer<?> create(NeuralNetConfiguration conf, DataType dataType) {
        return new DqWeightQuantizer(conf, dataType);
    }

    /** Builder (always signed). */
    public static class WeightBuilder extends Builder {
        @Override
        @SuppressWarnings("unchecked")
        public DqWeightQuantizerLayer build() {
            return new DqWeightQuantizerLayer(this);
        }
    }
}
