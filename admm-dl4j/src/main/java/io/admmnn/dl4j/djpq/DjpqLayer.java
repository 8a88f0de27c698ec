package io.admmnn.dl4j.djpq;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Configuration shared by the DJPQ layers: a shape-preserving layer over a convolutional ({@code [B, C, H, W]},
 * NCHW) or feed-forward ({@code [B, C]}) activation with a few named parameters of its own, none of them weights or
 * biases (so no global L2 or weight decay reaches them). {@code nIn = nOut = C}; {@code spatialSize = H * W} (1 for
 * feed-forward input), known once the input type is set.
 */
public abstract class DjpqLayer extends FeedForwardLayer {

    private static final long serialVersionUID = 1L;

    /** {@code H * W} of the input (1 for feed-forward input). */
    protected long spatialSize = 1;

    protected DjpqLayer() {
    }

    protected DjpqLayer(FeedForwardLayer.Builder<?> builder) {
        super(builder);
    }

    /** Parameter names, in their order in the layer's flat parameter vector. */
    public abstract List<String> parameterKeys();

    /** Length of one parameter. */
    public abstract long parameterLength(String key);

    /** Writes a parameter's initial values into its view. */
    public abstract void initialize(String key, INDArray view);

    /** Creates the runtime layer (parameters are bound by {@link #instantiate}). */
    protected abstract org.deeplearning4j.nn.layers.BaseLayer<?> create(NeuralNetConfiguration conf, DataType dataType);

    public long getSpatialSize() {
        return spatialSize;
    }

    public void setSpatialSize(long spatialSize) {
        this.spatialSize = spatialSize;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray paramsView, boolean initializeParams,
                                                       DataType dataType) {
        org.deeplearning4j.nn.layers.BaseLayer<?> layer = create(conf, dataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> table = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return DjpqParams.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return inputType;
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long channels;
        long spatial;
        if (inputType instanceof InputType.InputTypeConvolutional cnn) {
            if (cnn.getFormat() != CNN2DFormat.NCHW) {
                throw new IllegalArgumentException(getLayerName() + ": DJPQ layers need NCHW activations, got "
                        + cnn.getFormat());
            }
            channels = cnn.getChannels();
            spatial = cnn.getHeight() * cnn.getWidth();
        } else if (inputType instanceof InputType.InputTypeConvolutionalFlat flat) {
            channels = flat.getFlattenedSize(); // flattened images, e.g. the raw MNIST input: no channels to gate
            spatial = 1;
        } else if (inputType instanceof InputType.InputTypeFeedForward ff) {
            channels = ff.getSize();
            spatial = 1;
        } else {
            throw new IllegalArgumentException(getLayerName() + ": DJPQ layers take convolutional or feed-forward "
                    + "input, got " + inputType);
        }
        if (nIn <= 0 || override) {
            nIn = channels;
            nOut = channels;
            spatialSize = spatial;
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return List.of();
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long params = initializer().numParams(this);
        return new LayerMemoryReport.Builder(getLayerName(), getClass(), inputType, inputType)
                .standardMemory(params, params)
                .workingMemory(0, inputType.arrayElementsPerExample(), 0, inputType.arrayElementsPerExample())
                .cacheMemory(0, 0)
                .build();
    }
}
