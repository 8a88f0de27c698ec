package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Gates and quantizers inside a DL4J network: end-to-end gradients, JSON and model-file round trips. */
class DjpqNetworkTest {

    private static final int BATCH = 4;

    private static MultiLayerConfiguration conf(boolean withQuantizer) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new NoOp()).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(3).activation(Activation.IDENTITY).build())
                .layer(new VibGateLayer.Builder().klWeight(0.02).initialMu(0.9).initialLogD(-1.5).build())
                .layer(new ActivationLayer(Activation.TANH));
        if (withQuantizer) {
            b.layer(new DqQuantizerLayer.Builder().signed(true).initial(0.05, 0.8).build());
        }
        return b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(5, 5, 1))
                .build();
    }

    @Test
    void networkGradientOfEveryParameterMatchesCentralDifferencesOfTheScore() {
        MultiLayerNetwork net = new MultiLayerNetwork(conf(false));
        net.init();
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.DOUBLE, BATCH, 1, 5, 5);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, BATCH, 3);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        NetworkGradientCheck.assertMatchesCentralDifferences(net, x, y, 11, 1e-6);
        assertThat(net.getLayer(1).numParams()).isEqualTo(6); // mu and logD for 3 channels
    }

    @Test
    void configurationAndModelFileRoundTrip(@TempDir Path dir) throws Exception {
        MultiLayerConfiguration c = conf(true);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(c.toJson());
        assertThat(back).isEqualTo(c);
        VibGateLayer gate = (VibGateLayer) back.getConf(1).getLayer();
        assertThat(gate.getKlWeight()).isEqualTo(0.02);
        assertThat(gate.getSpatialSize()).isEqualTo(9);
        assertThat(((DqQuantizerLayer) back.getConf(3).getLayer()).isSigned()).isTrue();

        MultiLayerNetwork net = new MultiLayerNetwork(c);
        net.init();
        ((VibGate) net.getLayer(1)).mu().putScalar(1, 0.01); // prune channel 1
        File f = dir.resolve("djpq.zip").toFile();
        net.save(f, true);
        MultiLayerNetwork restored = MultiLayerNetwork.load(f, true);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 5, 5);
        assertThat(restored.output(x)).isEqualTo(net.output(x));
        assertThat(((VibGate) restored.getLayer(1)).keptChannels()).containsExactly(true, false, true);
        assertThat(((DqQuantizer) restored.getLayer(3)).freeze(false).bits()).isEqualTo(6); // log2(17) + 1 -> 6
    }
}
