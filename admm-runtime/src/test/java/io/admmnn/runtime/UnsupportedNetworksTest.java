package io.admmnn.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.format.CompressedModelFile;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.format.SparseIndexFormat;
import io.admmnn.runtime.model.CompressedModel;
import io.admmnn.runtime.model.UnsupportedLayerException;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** A network the runtime cannot run fails at load, with one line naming the layer and its type. */
class UnsupportedNetworksTest {

    @Test
    void anUnknownLayerTypeFailsAtLoadWithOneLineNamingIt(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(4).build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new DenseLayer.Builder().name("fc").nOut(5).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("out").nOut(3).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1)).build());
        net.init();
        Path file = Dl4jReference.write(net, dir, "bn");

        assertThatThrownBy(() -> CompressedModel.load(file)).isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("layer 'bn' has type BatchNormalization")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aComputationGraphFailsAtLoadWithOneLine(@TempDir Path dir) throws Exception {
        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in").setInputTypes(InputType.feedForward(4))
                .addLayer("fc", new DenseLayer.Builder().nOut(3).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX)
                        .build(), "fc")
                .setOutputs("out").build());
        graph.init();
        Path file = dir.resolve("graph.admmnn");
        CompressedModelFile.write(TrainableNetwork.of(graph), file, layer -> SparseIndexFormat.relative(4));

        assertThatThrownBy(() -> CompressedModel.load(file)).isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("ComputationGraph")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
