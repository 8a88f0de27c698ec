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
}
