package io.admmnn.experiments.zoo;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.data.ImageShape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Built-in networks: LeNets and a quarter-width VGG-7 for 28x28 grey images of 10 classes (MNIST,
 * Fashion-MNIST), AlexNet for 227x227 RGB ImageNet images of 1000 classes. Layer names follow the reference code (and the hardware model's {@code NetworkShape}) so that
 * per-layer results can be compared by name.
 */
public enum ZooModel {

    /** LeNet-300-100: fc1 784-300 ReLU, fc2 300-100 ReLU, fc3 100-10 softmax; 266,200 weights. */
    LENET_300_100("lenet-300-100", Holder.MNIST_LIKE) {
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
    LENET_5("lenet-5", Holder.MNIST_LIKE) {
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
    },

    /**
     * VGG-7 (the DJPQ / TWN paper's CIFAR-10 network: 2x conv 128, pool, 2x conv 256, pool, 2x conv 512, pool,
     * fc 1024, fc classes) at a quarter of its channels, without BatchNorm, on 28x28x1 inputs: conv1, conv2 3x3x32;
     * max-pool 2/2 (28 -> 14); conv3, conv4 3x3x64; max-pool 2/2 (14 -> 7); conv5, conv6 3x3x128; max-pool 2/2
     * (7 -> 3, the last row and column dropped as in PyTorch's default floor mode); fc7 1152-256; fc8 256-10
     * softmax. Every convolution has padding 1 (the map keeps its size) and ReLU, and so has fc7.
     * 583,456 weights (584,170 parameters with biases), 29,424,640 MACs per image ({@code NetworkShape.vgg7Quarter()}).
     */
    VGG_7_QUARTER("vgg-7-quarter", Holder.MNIST_LIKE) {
        @Override
        MultiLayerConfiguration configuration(NeuralNetConfiguration.Builder base) {
            return base.list()
                    .layer(conv3x3("conv1", 32))
                    .layer(conv3x3("conv2", 32))
                    .layer(maxPool2("pool1"))
                    .layer(conv3x3("conv3", 64))
                    .layer(conv3x3("conv4", 64))
                    .layer(maxPool2("pool2"))
                    .layer(conv3x3("conv5", 128))
                    .layer(conv3x3("conv6", 128))
                    .layer(maxPool2("pool3"))
                    .layer(new DenseLayer.Builder().name("fc7").nOut(256).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("fc8").nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(28, 28, 1))
                    .build();
        }

        private static ConvolutionLayer conv3x3(String name, int out) {
            return new ConvolutionLayer.Builder(3, 3).padding(1, 1).name(name).nOut(out).activation(Activation.RELU)
                    .build();
        }

        private static SubsamplingLayer maxPool2(String name) {
            return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name(name).kernelSize(2, 2)
                    .stride(2, 2).build();
        }
    },

    /**
     * BVLC AlexNet (Caffe's {@code bvlc_alexnet}) on 227x227x3 NCHW inputs: conv1 96x11x11 stride 4, ReLU, LRN,
     * max-pool 3/2; conv2 256x5x5 pad 2, ReLU, LRN, max-pool 3/2; conv3 384x3x3, conv4 384x3x3, conv5 256x3x3
     * (pad 1, ReLU), max-pool 3/2 (6x6x256 = 9216); fc6 4096 and fc7 4096 (ReLU, dropout 0.5); fc8 1000 softmax.
     * LRN as Caffe's: {@code x / (1 + 1e-4/5 * sum of 5 neighbouring channels' x^2)^0.75}.
     *
     * <p>DL4J has no grouped convolution, so conv2, conv4 and conv5 are ungrouped here: each has twice the weights
     * (and MACs) of Caffe's 2-group layers that {@code NetworkShape.alexnet()} counts: conv2 614,400 vs 307,200,
     * conv4 1,327,104 vs 663,552, conv5 884,736 vs 442,368; 62,367,776 weights in all vs 60,954,656 (+1,413,120,
     * +2.3 %). The other five layers match exactly.
     */
    ALEXNET("alexnet", new ImageShape(3, 227, 227, 1000)) {
        @Override
        MultiLayerConfiguration configuration(NeuralNetConfiguration.Builder base) {
            return base.list()
                    .layer(conv("conv1", 11, 4, 0, 96))
                    .layer(lrn("norm1"))
                    .layer(maxPool3Stride2("pool1"))
                    .layer(conv("conv2", 5, 1, 2, 256))
                    .layer(lrn("norm2"))
                    .layer(maxPool3Stride2("pool2"))
                    .layer(conv("conv3", 3, 1, 1, 384))
                    .layer(conv("conv4", 3, 1, 1, 384))
                    .layer(conv("conv5", 3, 1, 1, 256))
                    .layer(maxPool3Stride2("pool5"))
                    .layer(new DenseLayer.Builder().name("fc6").nOut(4096).activation(Activation.RELU).dropOut(0.5)
                            .build())
                    .layer(new DenseLayer.Builder().name("fc7").nOut(4096).activation(Activation.RELU).dropOut(0.5)
                            .build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("fc8").nOut(1000)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(227, 227, 3))
                    .build();
        }

        private static ConvolutionLayer conv(String name, int kernel, int stride, int pad, int out) {
            return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(pad, pad).name(name)
                    .nOut(out).activation(Activation.RELU).build();
        }

        private static LocalResponseNormalization lrn(String name) {
            // DL4J divides by (k + alpha * sum)^beta; Caffe by (1 + alpha/n * sum)^beta with alpha 1e-4, n 5.
            return new LocalResponseNormalization.Builder().name(name).k(1).n(5).alpha(1e-4 / 5).beta(0.75).build();
        }

        private static SubsamplingLayer maxPool3Stride2(String name) {
            return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name(name).kernelSize(3, 3)
                    .stride(2, 2).build();
        }
    };

    /** Enum constants cannot read the enum's own static fields in their constructor arguments. */
    private static final class Holder {
        static final ImageShape MNIST_LIKE = new ImageShape(1, 28, 28, 10);
    }

    private final String id;
    private final ImageShape input;

    ZooModel(String id, ImageShape input) {
        this.id = id;
        this.input = input;
    }

    /** The images and classes this network takes. */
    public ImageShape input() {
        return input;
    }

    /**
     * Checks that this network takes {@code dataset}'s images: same size and channels, and, for the in-memory sets,
     * as many outputs as classes (an image folder may have fewer classes than outputs).
     *
     * @throws IllegalArgumentException naming both shapes otherwise
     */
    public void requireFits(DatasetId dataset) {
        ImageShape data = dataset.shape();
        if (input.channels() != data.channels() || input.height() != data.height() || input.width() != data.width()
                || (dataset.inMemory() && input.classes() != data.classes())) {
            throw new IllegalArgumentException(id + " takes " + input + "; " + dataset.id() + " has " + data);
        }
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

    /** Looks a model up by id (case-insensitive; "lenet300", "lenet5", "vgg7quarter" accepted too). */
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
        return TrainableNetwork.of(build(0, 1e-3)).weightCounts();
    }
}
