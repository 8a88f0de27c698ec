package io.admmnn.dl4j.djpq;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parameter layout of a {@link DjpqLayer}: its named parameters back to back in the layer's flat vector, each a 1-D
 * view; none is a weight or a bias.
 */
final class DjpqParams implements ParamInitializer {

    static final DjpqParams INSTANCE = new DjpqParams();

    private DjpqParams() {
    }

    private static DjpqLayer djpq(Layer layer) {
        return (DjpqLayer) layer;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        DjpqLayer l = djpq(layer);
        return l.parameterKeys().stream().mapToLong(l::parameterLength).sum();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return djpq(layer).parameterKeys();
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return List.of();
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return false;
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        DjpqLayer l = djpq(conf.getLayer());
        Map<String, INDArray> views = split(l, paramsView);
        if (initializeParams) {
            views.forEach(l::initialize);
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return split(djpq(conf.getLayer()), gradientView);
    }

    private static Map<String, INDArray> split(DjpqLayer layer, INDArray flatView) {
        INDArray flat = flatView.reshape(flatView.length());
        Map<String, INDArray> views = new LinkedHashMap<>();
        long start = 0;
        for (String key : layer.parameterKeys()) {
            long n = layer.parameterLength(key);
            views.put(key, flat.get(NDArrayIndex.interval(start, start + n)));
            start += n;
        }
        return views;
    }
}
