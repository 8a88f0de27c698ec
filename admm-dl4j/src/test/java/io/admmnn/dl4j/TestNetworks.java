package io.admmnn.dl4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small networks and synthetic data for the integration tests. */
public final class TestNetworks {

    private TestNetworks() {
    }

    static MultiLayerNetwork mlp(IUpdater updater, long seed) {
        return dense(new NeuralNetConfiguration.Builder().seed(seed).updater(updater), Activation.TANH, 6, 5, 3);
    }

    /**
     * An initialised MLP on {@code base}: DenseLayers fc1, fc2, ... with {@code hidden} activation, then a softmax
     * + MCXENT OutputLayer "out"; {@code sizes} from the input to the classes.
     */
    public static MultiLayerNetwork dense(NeuralNetConfiguration.Builder base, Activation hidden, int... sizes) {
        NeuralNetConfiguration.ListBuilder list = base.list();
        int last = sizes.length - 2;
        for (int i = 0; i < last; i++) {
            list.layer(new DenseLayer.Builder().name("fc" + (i + 1)).nIn(sizes[i]).nOut(sizes[i + 1])
                    .activation(hidden).build());
        }
        MultiLayerConfiguration conf = list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out")
                .nIn(sizes[last]).nOut(sizes[last + 1]).activation(Activation.SOFTMAX).build()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static ComputationGraph convGraph(IUpdater updater, long seed) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(updater)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(6, 6, 1))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.RELU).build(), "conv")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    /** {@code batches} minibatches of {@code batchSize} random examples with {@code features} inputs. */
    static DataSetIterator data(long[] featureShape, int classes, int batchSize, int batches, long seed) {
        Random random = new Random(seed);
        List<DataSet> list = new ArrayList<>();
        for (int b = 0; b < batches * batchSize; b++) {
            long[] shape = featureShape.clone();
            shape[0] = 1;
            float[] x = new float[(int) java.util.Arrays.stream(shape).reduce(1, (p, q) -> p * q)];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] y = new float[classes];
            y[random.nextInt(classes)] = 1;
            list.add(new DataSet(Nd4j.create(x, shape), Nd4j.create(y, new long[]{1, classes})));
        }
        return new ListDataSetIterator<>(list, batchSize);
    }
}
