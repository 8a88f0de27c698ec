package io.admmnn.dl4j.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.format.ActivationQuantization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Fake activation quantization in DL4J: forward levels, straight-through backward, fitting, JSON and save round trip. */
class FakeQuantizePreProcessorTest {

    /** conv (3x3, 4 filters, ReLU) -> dense 8 ReLU -> softmax 3, on 1x6x6 images; a CnnToFeedForward before "dense". */
    static MultiLayerNetwork convNet(long seed) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(4).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("dense").nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static INDArray images(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, 1, 6, 6).muli(2).subi(0.5);
    }

    @Test
    void forwardGivesTheLevelsAndBackwardPassesTheGradientOnlyInsideTheRange() {
        ActivationQuantization q = ActivationQuantization.ofRange(3, false, 1.0);
        FakeQuantizePreProcessor p = new FakeQuantizePreProcessor(q, null);
        INDArray x = images(5, 1);
        INDArray y = p.preProcess(x, 5, LayerWorkspaceMgr.noWorkspaces());
        float[] xs = FlatValues.readFloats(x);
        float[] ys = FlatValues.readFloats(y);
        for (int i = 0; i < xs.length; i++) {
            assertThat(ys[i]).isEqualTo(q.quantize(xs[i]));
        }
        INDArray eps = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, x.shape());
        float[] es = FlatValues.readFloats(eps);
        float[] gs = FlatValues.readFloats(p.backprop(eps, 5, LayerWorkspaceMgr.noWorkspaces()));
        int clipped = 0;
        for (int i = 0; i < xs.length; i++) {
            boolean inside = xs[i] >= 0 && xs[i] <= 1.0;
            assertThat(gs[i]).isEqualTo(inside ? es[i] : 0f);
            clipped += inside ? 0 : 1;
        }
        assertThat(clipped).isPositive().isLessThan(xs.length);
    }

    @Test
    void aQuantizedInnerLayerSeesItsInputOnTheLevels() {
        MultiLayerNetwork net = convNet(3);
        TrainableNetwork t = TrainableNetwork.of(net);
        INDArray x = images(4, 2);
        Map<String, ActivationQuantization> fitted = ActivationQuantizers.fit(t, x, Map.of("dense", 4), 100);
        ActivationQuantization q = fitted.get("dense");
        INDArray convOut = net.feedForward(x, false).get(1);
        assertThat(q.signed()).isFalse(); // after ReLU
        assertThat(q.qMax()).isCloseTo(convOut.maxNumber().doubleValue(), org.assertj.core.data.Offset.offset(1e-6));

        ActivationQuantizers.install(t, fitted);
        assertThat(net.getLayerWiseConfigurations().getInputPreProcess(1)).isInstanceOf(FakeQuantizePreProcessor.class);
        assertThat(((FakeQuantizePreProcessor) net.getLayerWiseConfigurations().getInputPreProcess(1)).inner())
                .isInstanceOf(CnnToFeedForwardPreProcessor.class);
        List<INDArray> acts = net.feedForward(x, false);
        float[] levels = FlatValues.readFloats(convOut.dup('c'));
        q.quantizeInPlace(levels, 0, levels.length);
        INDArray in = Nd4j.create(levels, new long[]{4, 4 * 4 * 4}, 'c');
        INDArray expected = org.nd4j.linalg.ops.transforms.Transforms.relu(
                in.mmul(net.getParam("1_W")).addiRowVector(net.getParam("1_b")));
        assertThat(acts.get(2).equalsWithEps(expected, 1e-5)).isTrue();
        assertThat(ActivationQuantizers.installed(t)).isEqualTo(fitted);
    }

    @Test
    void gradientsFollowTheStraightThroughEstimator() {
        INDArray x = images(8, 5);
        INDArray labels = Nd4j.eye(3).getRows(0, 1, 2, 0, 1, 2, 0, 1);
        // 16 bits over a range wider than every activation: the gradient is the float network's, up to rounding
        MultiLayerNetwork plain = convNet(7);
        MultiLayerNetwork fine = convNet(7);
        ActivationQuantizers.install(TrainableNetwork.of(fine),
                Map.of("dense", ActivationQuantization.ofRange(16, false, 100.0)));
        INDArray g0 = gradient(plain, x, labels);
        INDArray g1 = gradient(fine, x, labels);
        assertThat(g1.sub(g0).norm2Number().doubleValue()).isLessThan(1e-3 * g0.norm2Number().doubleValue());
        // a range below every positive activation: all clipped, so no gradient reaches the conv layer
        MultiLayerNetwork clipped = convNet(7);
        ActivationQuantizers.install(TrainableNetwork.of(clipped),
                Map.of("dense", ActivationQuantization.ofRange(2, false, 1e-9)));
        gradient(clipped, x, labels);
        assertThat(clipped.gradient().getGradientFor("0_W").amaxNumber().doubleValue()).isZero();
        assertThat(clipped.gradient().getGradientFor("1_W").amaxNumber().doubleValue()).isPositive();
    }

    private static INDArray gradient(MultiLayerNetwork net, INDArray x, INDArray labels) {
        net.setInput(x);
        net.setLabels(labels);
        net.computeGradientAndScore();
        return net.gradient().gradient().dup();
    }

    @Test
    void quantizersSurviveJsonAndModelFilesAndTraining(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = convNet(11);
        TrainableNetwork t = TrainableNetwork.of(net);
        INDArray x = images(16, 4);
        ActivationQuantizers.install(t, ActivationQuantizers.fit(t, x, Map.of("conv", 8, "dense", 3, "out", 2), 99));
        INDArray labels = Nd4j.eye(3).getRows(new int[]{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
        for (int i = 0; i < 3; i++) {
            net.fit(new DataSet(x, labels));
        }
        assertThat(net.score()).isFinite();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        assertThat(back.getInputPreProcessors()).isEqualTo(net.getLayerWiseConfigurations().getInputPreProcessors());

        java.io.File file = dir.resolve("net.zip").toFile();
        t.save(file, true);
        TrainableNetwork loaded = TrainableNetwork.load(file, true);
        assertThat(ActivationQuantizers.installed(loaded)).isEqualTo(ActivationQuantizers.installed(t)).hasSize(3);
        assertThat(loaded.output(x).equals(t.output(x))).isTrue();

        ActivationQuantizers.strip(net.getLayerWiseConfigurations());
        assertThat(ActivationQuantizers.installed(t)).isEmpty();
        assertThat(net.getLayerWiseConfigurations().getInputPreProcess(1)).isInstanceOf(CnnToFeedForwardPreProcessor.class);
    }

    @Test
    void aLayerWithoutWeightsIsAOneLineError() {
        TrainableNetwork t = TrainableNetwork.of(convNet(1));
        assertThatThrownBy(() -> ActivationQuantizers.fit(t, images(2, 1), Map.of("nope", 8), 100))
                .hasMessageContaining("nope");
    }
}
