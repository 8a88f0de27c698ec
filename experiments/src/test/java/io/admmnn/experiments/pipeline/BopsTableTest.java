package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.zoo.ZooModel;
import io.admmnn.format.ActivationQuantization;
import io.admmnn.hardware.cost.BopsCount;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** BOPs of the zoo's DL4J LeNet-5 with weight and activation bits, against numbers worked out by hand. */
class BopsTableTest {

    @Test
    void lenet5WithQuantizedWeightsAndActivations() {
        TrainableNetwork net = TrainableNetwork.of(ZooModel.LENET_5.build(1, 1e-3));
        net.layer("conv2").weights().get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(0); // one filter of 50
        ActivationQuantizers.install(net, Map.of("conv1", ActivationQuantization.ofRange(8, false, 1),
                "conv2", ActivationQuantization.ofRange(4, true, 1), "ip1", ActivationQuantization.ofRange(4, true, 1),
                "ip2", ActivationQuantization.ofRange(4, false, 1)));
        BopsCount count = BopsTable.count(net, Nd4j.zeros(DataType.FLOAT, 1, 784),
                Map.of("conv1", 4, "conv2", 4, "ip1", 3, "ip2", 4));
        BopsTable.Summary s = BopsTable.summary(count);
        assertThat(s.layers()).extracting(BopsTable.Row::macsDense).containsExactly(288_000L, 1_600_000L, 400_000L, 5_000L);
        // conv2 without one filter: 24,500 weights x 64 positions
        assertThat(s.layers().get(1).macsNonZero()).isEqualTo(24_500L * 64);
        assertThat(s.layers()).extracting(BopsTable.Row::activationBits).containsExactly(8, 4, 4, 4);
        assertThat(s.layers()).extracting(BopsTable.Row::weightBits).containsExactly(4, 4, 3, 4);
        // 288,000 x 32 + 1,600,000 x 16 + 400,000 x 12 + 5,000 x 16
        assertThat(s.bopsDense()).isEqualTo(39_696_000L);
        assertThat(s.bopsReference()).isEqualTo(2_293_000L * 1024);
        assertThat(s.reductionDense()).isCloseTo(2_348_032_000.0 / 39_696_000, within(1e-9));
        assertThat(s.bopsNonZero()).isEqualTo(39_696_000L - 500L * 64 * 16);

        // Without quantization every layer is 32 x 32 bits: no reduction in dense execution.
        BopsTable.Summary plain = BopsTable.summary(BopsTable.count(TrainableNetwork.of(ZooModel.LENET_5.build(1, 1e-3)),
                Nd4j.zeros(DataType.FLOAT, 1, 784), Map.of()));
        assertThat(plain.reductionDense()).isEqualTo(1.0);
        assertThat(plain.layers()).allSatisfy(r -> assertThat(r.activationBits()).isEqualTo(32));
    }

    /**
     * The config lenet-5-bops-admm's shape: 10 of 20, 24 of 50 and 256 of 500 output channels kept, 4-bit weights,
     * 4-bit inputs (8 bits for the image): with the dead channels folded, each layer counts kept x kept channels.
     */
    @Test
    void lenet5WithRemovedChannelsCountsKeptInputAndOutputChannels() {
        TrainableNetwork net = TrainableNetwork.of(ZooModel.LENET_5.build(1, 1e-3));
        zeroOutputs(net, "conv1", 10);
        zeroOutputs(net, "conv2", 26);
        zeroOutputs(net, "ip1", 244);
        ActivationQuantizers.install(net, Map.of("conv1", ActivationQuantization.ofRange(8, false, 1),
                "conv2", ActivationQuantization.ofRange(4, true, 1), "ip1", ActivationQuantization.ofRange(4, true, 1),
                "ip2", ActivationQuantization.ofRange(4, false, 1)));
        var example = Nd4j.zeros(DataType.FLOAT, 1, 784);
        Map<String, Integer> bits = Map.of("conv1", 4, "conv2", 4, "ip1", 4, "ip2", 4);
        long reference = BopsTable.summary(BopsTable.count(net, example, bits)).bopsReference();
        // Not folded: conv2 still reads all 20 maps of conv1 (its dead ones are constants, not zeros)
        assertThat(BopsTable.channels(net, example, bits, reference).layers().get(1).inChannelsKept()).isEqualTo(20);

        io.admmnn.dl4j.channels.DeadChannels.fold(net);
        BopsTable.Channels c = BopsTable.channels(net, example, bits, reference);

        assertThat(c.layers()).extracting(BopsTable.ChannelRow::inChannelsKept).containsExactly(1, 10, 24, 256);
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::inChannels).containsExactly(1, 20, 50, 500);
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::outChannelsKept).containsExactly(10, 24, 256, 10);
        // conv1 24x24 x 25 x 1 x 10; conv2 8x8 x 25 x 10 x 24; ip1 4x4 x 24 x 256; ip2 256 x 10
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::macs).containsExactly(144_000L, 384_000L, 98_304L, 2_560L);
        assertThat(c.layers()).extracting(BopsTable.ChannelRow::bops)
                .containsExactly(144_000L * 32, 384_000L * 16, 98_304L * 16, 2_560L * 16);
        assertThat(c.bops()).isEqualTo(144_000L * 32 + (384_000L + 98_304 + 2_560) * 16);
        assertThat(c.reduction()).isCloseTo(2_293_000.0 * 1024 / c.bops(), within(1e-9));
    }

    /** Zeroes the weights of the first {@code count} output channels of {@code layer}. */
    private static void zeroOutputs(TrainableNetwork net, String layer, int count) {
        var w = net.layer(layer).weights();
        var outputs = org.nd4j.linalg.indexing.NDArrayIndex.interval(0, count);
        if (w.rank() == 4) {
            w.get(outputs).assign(0);
        } else {
            w.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), outputs).assign(0);
        }
    }
}
