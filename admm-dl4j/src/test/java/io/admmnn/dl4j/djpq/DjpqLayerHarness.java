package io.admmnn.dl4j.djpq;

import java.util.function.BiFunction;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Builds one DJPQ layer outside a network, in double precision, with its parameter and gradient views bound. */
final class DjpqLayerHarness {

    private DjpqLayerHarness() {
    }

    static <L extends BaseLayer<?>> L build(DjpqLayer conf, InputType input,
                                            BiFunction<NeuralNetConfiguration, DataType, L> factory) {
        conf.setNIn(input, true);
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).layer(conf).build();
        DjpqLayer bound = (DjpqLayer) nnc.getLayer();
        long n = bound.initializer().numParams(bound);
        INDArray params = Nd4j.create(DataType.DOUBLE, 1, n);
        L layer = factory.apply(nnc, DataType.DOUBLE);
        layer.setParamsViewArray(params);
        layer.setParamTable(bound.initializer().init(nnc, params, true));
        layer.setConf(nnc);
        layer.setBackpropGradientsViewArray(Nd4j.create(DataType.DOUBLE, 1, n));
        return layer;
    }
}
