package io.admmnn.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.hardware.cost.BopsCount;
import io.admmnn.hardware.cost.LayerBops;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** BOPs = MACs x b_w x b_a on LeNet-5, against numbers worked out by hand. */
class BopsCountTest {

    /** LeNet-5 with b_w 4/4/3/4 and b_a 8/4/4/4, the kept fractions 20/7/0.7/7 % given as kept weights. */
    private static BopsCount lenet5(Map<String, Integer> weightBits, Map<String, Integer> activationBits,
                                    Map<String, Long> kept) {
        List<LayerBops> layers = new ArrayList<>();
        for (LayerShape l : NetworkShape.lenet5().layers()) {
            long reuse = l.macs() / l.weights();
            layers.add(new LayerBops(l.name(), l.macs(), reuse * kept.getOrDefault(l.name(), l.weights()),
                    weightBits.getOrDefault(l.name(), 32), activationBits.getOrDefault(l.name(), 32)));
        }
        return new BopsCount(layers);
    }

    @Test
    void lenet5ByHand() {
        // MACs: conv1 500 weights x 24x24 = 288,000; conv2 25,000 x 8x8 = 1,600,000; ip1 400,000; ip2 5,000.
        BopsCount dense = lenet5(Map.of(), Map.of(), Map.of());
        assertThat(dense.bopsReference()).isEqualTo(2_293_000L * 1024);
        assertThat(dense.bopsDense()).isEqualTo(2_293_000L * 1024);
        assertThat(dense.reductionDense()).isEqualTo(1.0);

        Map<String, Integer> bw = Map.of("conv1", 4, "conv2", 4, "ip1", 3, "ip2", 4);
        Map<String, Integer> ba = Map.of("conv1", 8, "conv2", 4, "ip1", 4, "ip2", 4);
        Map<String, Long> kept = Map.of("conv1", 100L, "conv2", 1_750L, "ip1", 2_800L, "ip2", 350L);
        BopsCount q = lenet5(bw, ba, kept);
        // 288,000 x 32 + 1,600,000 x 16 + 400,000 x 12 + 5,000 x 16
        assertThat(q.bopsDense()).isEqualTo(9_216_000L + 25_600_000L + 4_800_000L + 80_000L);
        // kept MACs: 100 x 576 = 57,600; 1,750 x 64 = 112,000; 2,800; 350: 1,843,200 + 1,792,000 + 33,600 + 5,600
        // = 3,674,400 BOPs; dense execution 39,696,000; reference 2,293,000 x 1024 = 2,348,032,000
        assertThat(q.bopsNonZero()).isEqualTo(57_600L * 32 + 112_000L * 16 + 2_800L * 12 + 350L * 16);
        assertThat(q.reductionDense()).isCloseTo(2_348_032_000.0 / 39_696_000, within(1e-9));
        assertThat(q.reductionNonZero()).isCloseTo(2_348_032_000.0 / 3_674_400, within(1e-9));
        // weights only (activations 32-bit): what the hardware model reported before activation bits were known
        BopsCount weightsOnly = lenet5(bw, Map.of(), Map.of());
        assertThat(weightsOnly.bopsDense()).isEqualTo((288_000L * 4 + 1_600_000L * 4 + 400_000L * 3 + 5_000L * 4) * 32);
    }

    @Test
    void invalidCountsAreErrors() {
        assertThatThrownBy(() -> new LayerBops("ip1", 10, 11, 4, 4)).hasMessageContaining("ip1");
        assertThatThrownBy(() -> new LayerBops("ip1", 10, 5, 33, 4)).hasMessageContaining("b_w = 33");
    }
}
