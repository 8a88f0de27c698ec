package io.admmnn.experiments.zoo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Built-in networks for 28x28 grey images and 10 classes. Layer names follow the reference code so that
 * per-layer results can be compared by name.
 */
public enum ZooModel {

    /** LeNet-300-100: fc1 784-300 ReLU, fc2 300-100 ReLU, fc3 100-10 softmax; 266,200 weights. */
    LENET_300_100("lenet-300-100") {
        @Override
        MultiLayerConfiguration configuration(NeuralNetConfiguration.Builder base) {
            return base.list()
                    .layer(new DenseLayer.Builder().name("fc1").nIn(784).nOut(300).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().name("fc2").nIn(300).nOut(100).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("fc3").nIn(100).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .build();
        }
    },

    /**
     * LeNet-5 as in Caffe's examples (the "20-50-500" variant used by ADMM-NN): conv1 5x5x20, max-pool 2,
     * conv2 5x5x50, max-pool 2, ip1 800-500 ReLU, ip2 500-10 softmax; no activation after the convolutions,
     * as in Caffe; 430,500 weights.
     */
    LENET_5("lenet-5") {
        @Override
        MultiLayerConfiguration configuration(NeuralNetConfiguration.Builder base) {
            return base.list()
                    .layer(new ConvolutionLayer.Builder(5, 5).name("conv1").nOut(20).activation(Activation.IDENTITY)
                            .build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool1")
                            .kernelSize(2, 2).stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).name("conv2").nOut(50).activation(Activation.IDENTITY)
                            .build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool2")
                            .kernelSize(2, 2).stride(2, 2).build())
                    .layer(new DenseLayer.Builder().name("ip1").nOut(500).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("ip2").nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(28, 28, 1))
                    .build();
        }
    };

    private final String id;

    ZooModel(String id) {
        this.id = id;
    }

    abstract MultiLayerConfiguration configuration(NeuralNetConfiguration.Builder base);

    /** The name used on the command line and in configs, e.g. {@code lenet-5}. */
    public String id() {
        return id;
    }

    /** A freshly initialised network trained with Adam at {@code learningRate}, weights drawn from {@code seed}. */
    public MultiLayerNetwork build(long seed, double learningRate) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(seed)
                .weightInit(WeightInit.XAVIER).updater(new Adam(learningRate));
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(base));
        net.init();
        return net;
    }

    /** Looks a model up by id (case-insensitive; "lenet300", "lenet5" accepted too). */
    public static ZooModel byId(String id) {
        String key = id.toLowerCase(Locale.ROOT).replace("_", "-");
        for (ZooModel m : values()) {
            if (m.id.equals(key) || m.id.replace("-", "").equals(key.replace("-", ""))) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown model '" + id + "'; built-in models: "
                + Arrays.stream(values()).map(ZooModel::id).collect(Collectors.joining(", ")));
    }

    /** Layer name to weight count, for planning and reports. */
    public Map<String, Long> weightCounts() {
        MultiLayerNetwork net = build(0, 1e-3);
        Map<String, Long> counts = new LinkedHashMap<>();
        for (var layer : net.getLayers()) {
            if (layer.paramTable().containsKey("W")) {
                counts.put(layer.conf().getLayer().getLayerName(), layer.getParam("W").length());
            }
        }
        return counts;
    }
}
