package io.admmnn.dl4j.channels;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Folding dead channels of LeNet-5-shaped networks with random weights and biases: the outputs stay the same, the
 * weights on the dead channels become zero, a padded convolution drops only the dead channels whose constant is 0
 * (its padding's value); and the channel count against the
 * MACs of networks rebuilt without the removed channels.
 */
class DeadChannelsTest {

    private static final int[] DEAD_CONV1 = {1, 4};
    private static final int[] DEAD_CONV2 = {0, 3, 5};
    private static final int[] DEAD_IP1 = {2, 7, 11};
    private static final double TOLERANCE = 1e-5;

    /**
     * conv1 5x5x{c1}, max-pool 2, tanh, conv2 5x5x{c2} (padding {pad}), average-pool 2, ip1 {h} ReLU, dropout,
     * ip2 10 softmax, on 28x28x1 rows of pixels.
     */
    private static MultiLayerNetwork lenet(long seed, int c1, int c2, int h, int pad) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(5, 5).name("conv1").nOut(c1).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ActivationLayer.Builder().activation(Activation.TANH).build())
                .layer(new ConvolutionLayer.Builder(5, 5).name("conv2").nOut(c2).padding(pad, pad)
                        .activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("ip1").nOut(h).activation(Activation.RELU).build())
                .layer(new DropoutLayer.Builder(0.5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("ip2").nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build());
        net.init();
        // random biases: with DL4J's zero biases a dead channel would output 0 and the fold would be trivial
        Nd4j.getRandom().setSeed(seed + 1);
        for (String name : List.of("conv1", "conv2", "ip1", "ip2")) {
            INDArray b = TrainableNetwork.of(net).layer(name).bias();
            b.assign(Nd4j.rand(DataType.FLOAT, b.shape()).subi(0.5));
        }
        return net;
    }

    private static MultiLayerNetwork lenetWithDeadChannels(long seed, int pad) {
        MultiLayerNetwork net = lenet(seed, 6, 8, 20, pad);
        TrainableNetwork t = TrainableNetwork.of(net);
        for (int c : DEAD_CONV1) {
            t.layer("conv1").weights().get(NDArrayIndex.point(c)).assign(0);
        }
        for (int c : DEAD_CONV2) {
            t.layer("conv2").weights().get(NDArrayIndex.point(c)).assign(0);
        }
        for (int c : DEAD_IP1) {
            t.layer("ip1").weights().get(NDArrayIndex.all(), NDArrayIndex.point(c)).assign(0);
        }
        return net;
    }

    private static INDArray images(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, 32, 784);
    }

    @Test
    void foldKeepsTheOutputsAndZeroesTheWeightsOnDeadChannels() {
        MultiLayerNetwork net = lenetWithDeadChannels(7, 0);
        INDArray x = images(3);
        INDArray before = net.output(x, false).dup();
        MultiLayerNetwork zeroedOnly = net.clone();

        DeadChannels.Result result = DeadChannels.fold(TrainableNetwork.of(net));

        assertThat(result.pairs()).extracting(DeadChannels.Pair::deadChannels).containsExactly(2, 3, 3);
        assertThat(result.pairs()).allSatisfy(p -> assertThat(p.folded()).as(p.describe()).isTrue());
        assertThat(result.foldedChannels()).isEqualTo(8);
        assertThat(net.output(x, false)).matches(after -> after.equalsWithEps(before, TOLERANCE), "same outputs");
        TrainableNetwork t = TrainableNetwork.of(net);
        for (int c : DEAD_CONV1) {
            assertThat(t.layer("conv2").weights().get(NDArrayIndex.all(), NDArrayIndex.point(c)).amaxNumber()
                    .doubleValue()).isZero();
        }
        for (int c : DEAD_CONV2) { // ip1's inputs c*16 .. c*16+15: channel c of the flattened 8x4x4 map
            assertThat(t.layer("ip1").weights().get(NDArrayIndex.interval(16 * c, 16 * c + 16), NDArrayIndex.all())
                    .amaxNumber().doubleValue()).isZero();
        }
        for (int c : DEAD_IP1) {
            assertThat(t.layer("ip2").weights().getRow(c).amaxNumber().doubleValue()).isZero();
        }
        // Zeroing those weights without moving their constants into the biases changes the outputs.
        TrainableNetwork z = TrainableNetwork.of(zeroedOnly);
        z.layer("conv2").weights().get(NDArrayIndex.all(), NDArrayIndex.point(DEAD_CONV1[0])).assign(0);
        assertThat(zeroedOnly.output(x, false).equalsWithEps(before, 1e-3)).isFalse();
    }

    @Test
    void foldIsExactWithActivationQuantizersOnEveryInput() {
        MultiLayerNetwork net = lenetWithDeadChannels(11, 0);
        TrainableNetwork t = TrainableNetwork.of(net);
        INDArray x = images(5);
        ActivationQuantizers.install(t, ActivationQuantizers.fit(t, x,
                Map.of("conv1", 8, "conv2", 4, "ip1", 4, "ip2", 4), 0.999));
        INDArray before = net.output(x, false).dup();

        DeadChannels.Result result = DeadChannels.fold(t);

        assertThat(result.foldedChannels()).as(result.describe()).isEqualTo(8);
        assertThat(net.output(x, false).equalsWithEps(before, TOLERANCE)).isTrue();
        assertThat(ActivationQuantizers.installed(t)).hasSize(4); // the quantizers stay
    }

    @Test
    void aPaddedConvolutionKeepsDeadChannelsWhoseConstantIsNotZero() {
        MultiLayerNetwork net = lenetWithDeadChannels(13, 2);
        TrainableNetwork t = TrainableNetwork.of(net);
        INDArray conv2 = net.getLayer(3).params().dup();
        INDArray x = images(9);
        INDArray before = net.output(x, false).dup();

        DeadChannels.Result result = DeadChannels.fold(t);

        DeadChannels.Pair first = result.pairs().get(0);
        assertThat(first.folded()).isFalse();
        assertThat(first.reason()).contains("conv2 pads its input").contains("constant is not 0");
        assertThat(first.foldedChannels()).isZero();
        assertThat(net.getLayer(3).params()).isEqualTo(conv2);
        assertThat(result.pairs().subList(1, 3)).allSatisfy(p -> assertThat(p.folded()).isTrue());
        assertThat(result.foldedChannels()).isEqualTo(6);
        assertThat(net.output(x, false).equalsWithEps(before, TOLERANCE)).isTrue();
    }

    @Test
    void aPaddedConvolutionDropsDeadChannelsWhoseConstantIsZeroLikeItsPadding() {
        MultiLayerNetwork net = lenetWithDeadChannels(19, 2);
        TrainableNetwork t = TrainableNetwork.of(net);
        int zero = DEAD_CONV1[0];
        int nonZero = DEAD_CONV1[1];
        t.layer("conv1").bias().putScalar(zero, 0f); // tanh(max-pool(0)) = 0: a removed filter with its bias
        assertThat(t.layer("conv1").bias().getFloat(nonZero)).isNotZero();
        INDArray conv2Bias = t.layer("conv2").bias().dup();
        INDArray kept = t.layer("conv2").weights().get(NDArrayIndex.all(), NDArrayIndex.point(nonZero)).dup();
        assertThat(t.layer("conv2").weights().get(NDArrayIndex.all(), NDArrayIndex.point(zero)).amaxNumber()
                .doubleValue()).isPositive();
        INDArray x = images(21);
        INDArray before = net.output(x, false).dup();
        MultiLayerNetwork unpadded = net.clone();

        DeadChannels.Result result = DeadChannels.fold(t);

        DeadChannels.Pair first = result.pairs().get(0);
        assertThat(first.deadChannels()).isEqualTo(2);
        assertThat(first.foldedChannels()).isEqualTo(1);
        assertThat(first.folded()).isFalse();
        assertThat(first.describe()).contains("2 dead channels, 1 folded, 1 not (conv2 pads its input")
                .contains("channel " + nonZero);
        assertThat(net.output(x, false).equalsWithEps(before, TOLERANCE)).as("same outputs").isTrue();
        assertThat(t.layer("conv2").weights().get(NDArrayIndex.all(), NDArrayIndex.point(zero)).amaxNumber()
                .doubleValue()).isZero();
        assertThat(t.layer("conv2").weights().get(NDArrayIndex.all(), NDArrayIndex.point(nonZero))).isEqualTo(kept);
        assertThat(t.layer("conv2").bias()).isEqualTo(conv2Bias); // a constant of 0 adds nothing
        assertThat(result.foldedChannels()).isEqualTo(7);

        // Folding the non-zero constant as if conv2 did not pad (into its bias) would change the outputs: at the
        // border, conv2 sees the padding's 0 where the bias assumes v'.
        TrainableNetwork u = TrainableNetwork.of(unpadded);
        INDArray w2 = u.layer("conv2").weights();
        float v = (float) Math.tanh(u.layer("conv1").bias().getFloat(nonZero));
        INDArray sums = w2.get(NDArrayIndex.all(), NDArrayIndex.point(nonZero)).sum(1, 2);
        u.layer("conv2").bias().addi(sums.muli(v).reshape(u.layer("conv2").bias().shape()));
        w2.get(NDArrayIndex.all(), NDArrayIndex.point(nonZero)).assign(0);
        assertThat(unpadded.output(x, false).equalsWithEps(before, 1e-3)).isFalse();
    }

    @Test
    void channelCountEqualsTheMacsOfTheNetworkRebuiltWithoutTheRemovedChannels() {
        MultiLayerNetwork net = lenetWithDeadChannels(17, 0);
        TrainableNetwork t = TrainableNetwork.of(net);
        DeadChannels.fold(t);
        INDArray example = Nd4j.zeros(DataType.FLOAT, 1, 784);

        List<ChannelCount.Layer> count = ChannelCount.count(t, example);

        assertThat(count).extracting(ChannelCount.Layer::inChannelsKept).containsExactly(1, 4, 5, 17);
        assertThat(count).extracting(ChannelCount.Layer::outChannelsKept).containsExactly(4, 5, 17, 10);
        assertThat(count).extracting(ChannelCount.Layer::inChannels).containsExactly(1, 6, 8, 20);
        TrainableNetwork rebuilt = TrainableNetwork.of(lenet(17, 4, 5, 17, 0));
        Map<String, Long> reuse = rebuilt.weightReuse(example);
        for (int i = 0; i < count.size(); i++) {
            var l = rebuilt.constrainableLayers().get(i);
            assertThat(count.get(i).macs()).as(l.name()).isEqualTo(l.weights().length() * reuse.get(l.name()));
        }
        TrainableNetwork whole = TrainableNetwork.of(lenet(17, 6, 8, 20, 0));
        Map<String, Long> wholeReuse = whole.weightReuse(example);
        for (int i = 0; i < count.size(); i++) {
            var l = whole.constrainableLayers().get(i);
            assertThat(count.get(i).denseMacs()).as(l.name()).isEqualTo(l.weights().length() * wholeReuse.get(l.name()));
        }
    }
}
