package io.admmnn.dl4j.djpq;

import io.admmnn.dl4j.TestNetworks;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A DJPQ network inserted (default settings) into a 6-5-3 ReLU dense network trained by Adam, and the random
 * 8 x 6 batch in [0, 1) that calibrated its activation ranges.
 */
record SmallDjpqNetwork(DjpqNetwork djpq, INDArray input) {

    /** Weights seeded by {@code seed}, the batch by {@code seed + 1}. */
    static SmallDjpqNetwork of(long seed, double learningRate) {
        MultiLayerNetwork source = TestNetworks.dense(new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(learningRate)), Activation.RELU, 6, 5, 3);
        Nd4j.getRandom().setSeed(seed + 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 8, 6);
        return new SmallDjpqNetwork(DjpqNetwork.insert(source, InputType.feedForward(6), true,
                DjpqSettings.defaults(), x), x);
    }
}
