package io.admmnn.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.network.TrainableNetwork;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** What the pipeline reads from a network it did not build: its number of classes and its outputs. */
class TrainableNetworkTest {

    @Test
    void outputSizeIsTheOutputLayersNOutForAMultiLayerNetworkAndAGraph() {
        TrainableNetwork mlp = TrainableNetwork.of(TestNetworks.mlp(new Sgd(0.1), 1));
        TrainableNetwork graph = TrainableNetwork.of(TestNetworks.convGraph(new Sgd(0.1), 1));
        assertThat(mlp.outputSize()).isEqualTo(3);
        assertThat(graph.outputSize()).isEqualTo(3);
        // Softmax rows of the right shape: a forward pass in inference mode.
        var y = mlp.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 6));
        assertThat(y.shape()).containsExactly(4, 3);
        assertThat(y.sum(1).toDoubleVector()).containsOnly(new double[] {1.0}, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(graph.output(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 1, 6, 6)).shape()).containsExactly(2, 3);
    }

    @Test
    void weightReuseIsOutputPositionsForAConvolutionAndOneForDenseLayers() {
        // 6x6 input, 3x3 kernel, stride 1: 4x4 outputs, each weight used 16 times per example.
        TrainableNetwork graph = TrainableNetwork.of(TestNetworks.convGraph(new Sgd(0.1), 1));
        assertThat(graph.weightReuse(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 1, 6, 6)))
                .containsExactly(Map.entry("conv", 16L), Map.entry("dense", 1L), Map.entry("out", 1L));
        TrainableNetwork mlp = TrainableNetwork.of(TestNetworks.mlp(new Sgd(0.1), 1));
        assertThat(mlp.weightReuse(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 6)))
                .containsExactly(Map.entry("fc1", 1L), Map.entry("out", 1L));
        assertThatThrownBy(() -> mlp.weightReuse(Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 6)))
                .hasMessageContaining("one example");
    }

    @Test
    void aNetworkEndingInADenseLayerIsNoClassifierToTrain() {
        var conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertThatThrownBy(() -> TrainableNetwork.of(net).outputSize()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the last layer (DenseLayer) is not an output layer with a loss");
    }

    @Test
    void aNetworkEndingInALossLayerWithoutNOutIsRejectedWithItsLayerType() {
        var conf = new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.IDENTITY).build())
                .layer(new LossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertThatThrownBy(() -> TrainableNetwork.of(net).outputSize()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LossLayer").hasMessageContaining("declares no number of outputs");
    }
}
