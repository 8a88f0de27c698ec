package io.admmnn.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.hardware.breakeven.BreakEvenAnalysis;
import io.admmnn.hardware.breakeven.SparseAcceleratorProfile;
import io.admmnn.hardware.cost.BitmaskIndex;
import io.admmnn.hardware.cost.CostModel;
import io.admmnn.hardware.cost.CsrIndex;
import io.admmnn.hardware.cost.EnergyTable;
import io.admmnn.hardware.cost.IndexFormat;
import io.admmnn.hardware.cost.LayerCost;
import io.admmnn.hardware.cost.LayerSetting;
import io.admmnn.hardware.cost.NetworkCost;
import io.admmnn.hardware.cost.NmIndex;
import io.admmnn.hardware.cost.RelativeIndex;
import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CostModelTest {

    private final CostModel model = new CostModel(EnergyTable.horowitz45nm(), new SparseAcceleratorProfile(3, 3));

    @Test
    void lenet5WeightsAndMacsMatchHandCounts() {
        NetworkShape lenet = NetworkShape.lenet5();
        long[][] expected = {{500, 288_000}, {25_000, 1_600_000}, {400_000, 400_000}, {5_000, 5_000}};
        for (int i = 0; i < 4; i++) {
            assertThat(lenet.layers().get(i).weights()).isEqualTo(expected[i][0]);
            assertThat(lenet.layers().get(i).macs()).isEqualTo(expected[i][1]);
        }
        assertThat(lenet.weights()).isEqualTo(430_500);
        assertThat(((ConvLayer) lenet.layer("conv1")).outH()).isEqualTo(24);
        assertThat(((ConvLayer) lenet.layer("conv2")).outW()).isEqualTo(8);
        assertThat(NetworkShape.lenet300100().weights()).isEqualTo(266_200);
    }

    @Test
    void vgg7QuarterWeightsAndMacsMatchHandCounts() {
        NetworkShape vgg = NetworkShape.vgg7Quarter();
        // 3x3 convolutions with padding 1 keep 28, 28 | 14, 14 | 7, 7; pool3 floors 7 to 3: fc7 reads 128 * 3 * 3
        long[] weights = {32L * 1 * 9, 32L * 32 * 9, 64L * 32 * 9, 64L * 64 * 9, 128L * 64 * 9, 128L * 128 * 9,
                1152L * 256, 256L * 10};
        long[] positions = {28 * 28, 28 * 28, 14 * 14, 14 * 14, 7 * 7, 7 * 7, 1, 1};
        assertThat(vgg.layers()).hasSize(weights.length);
        for (int i = 0; i < weights.length; i++) {
            assertThat(vgg.layers().get(i).weights()).isEqualTo(weights[i]);
            assertThat(vgg.layers().get(i).macs()).isEqualTo(weights[i] * positions[i]);
        }
        assertThat(vgg.weights()).isEqualTo(583_456L);
        assertThat(vgg.macs()).isEqualTo(29_424_640L);
        assertThat(((ConvLayer) vgg.layer("conv6")).outH()).isEqualTo(7);
        assertThat(NetworkShape.byName("VGG-7-quarter")).isEqualTo(vgg);
    }

    @Test
    void alexnetWeightsAndMacsMatchHandCounts() {
        NetworkShape alex = NetworkShape.alexnet();
        // out sizes 55, 27, 13, 13, 13; weights out * in/groups * k * k; MACs weights * outH * outW
        long[] weights = {96L * 3 * 121, 256L * 48 * 25, 384L * 256 * 9, 384L * 192 * 9, 256L * 192 * 9,
                9216L * 4096, 4096L * 4096, 4096L * 1000};
        long[] positions = {55 * 55, 27 * 27, 13 * 13, 13 * 13, 13 * 13, 1, 1, 1};
        for (int i = 0; i < weights.length; i++) {
            assertThat(alex.layers().get(i).weights()).isEqualTo(weights[i]);
            assertThat(alex.layers().get(i).macs()).isEqualTo(weights[i] * positions[i]);
        }
        assertThat(alex.weights()).isEqualTo(60_954_656L);
        long convMacs = alex.layers().stream().filter(l -> l.isConvolution()).mapToLong(l -> l.macs()).sum();
        assertThat(convMacs).isEqualTo(665_784_864L);
        assertThat(alex.macs()).isEqualTo(724_406_816L);
    }

    @Test
    void storageBopsAndEnergyOfOneLayer() {
        NetworkShape lenet = NetworkShape.lenet5();
        LayerCost ip1 = model.evaluate(lenet.layer("ip1"), new LayerSetting(0.1, 3, 8, new BitmaskIndex()));
        assertThat(ip1.kept()).isEqualTo(40_000);
        assertThat(ip1.valueBits()).isEqualTo(120_000);
        assertThat(ip1.indexBits()).isEqualTo(400_000);
        assertThat(ip1.macsPruned()).isEqualTo(40_000);
        assertThat(ip1.bopsDense()).isEqualTo(400_000.0 * 3 * 8);
        assertThat(ip1.bopsPruned()).isEqualTo(40_000.0 * 3 * 8);

        LayerCost conv1 = model.evaluate(lenet.layer("conv1"), LayerSetting.dense32());
        assertThat(conv1.bopsDense()).isEqualTo(288_000.0 * 1024);
        // 288,000 fp32 MACs at 3.7 + 0.9 pJ, plus 500 32-bit weights read from DRAM at 640 pJ each.
        assertThat(conv1.energyPj()).isCloseTo(288_000 * 4.6 + 500 * 640.0, within(1e-6));
        assertThat(conv1.indexBits()).isZero();

        LayerCost int8 = model.evaluate(lenet.layer("conv1"), new LayerSetting(0.5, 8, 8, new BitmaskIndex()));
        assertThat(int8.energyPj()).isCloseTo(144_000 * 0.23 + (250 * 8 + 500) / 32.0 * 640, within(1e-6));
    }

    @Test
    void indexFormatsCountBitsAsDocumented() {
        var ip1 = NetworkShape.lenet5().layer("ip1"); // 800 -> 500
        assertThat(new CsrIndex().expected(ip1, 4000).indexBits()).isEqualTo(501 * 12 + 4000 * 10);
        assertThat(new NmIndex(2, 4).expected(ip1, 200_000).indexBits()).isEqualTo(100_000 * 3);
        assertThat(new BitmaskIndex().expected(ip1, 7).indexBits()).isEqualTo(400_000);
        assertThat(IndexFormat.parse("relative:5")).isEqualTo(new RelativeIndex(5));
        assertThat(IndexFormat.parse("nm:2:4")).isEqualTo(new NmIndex(2, 4));
        assertThatThrownBy(() -> IndexFormat.parse("coo")).hasMessageContaining("unknown index format");
    }

    @Test
    void relativeIndexFillersMatchABruteForceWalkAndTheirExpectation() {
        var ip1 = NetworkShape.lenet5().layer("ip1");
        Random random = new Random(5);
        for (int bits : new int[]{2, 3, 4, 5}) {
            boolean[] mask = new boolean[400_000];
            long kept = 0;
            for (int i = 0; i < mask.length; i++) {
                mask[i] = random.nextDouble() < 0.02;
                kept += mask[i] ? 1 : 0;
            }
            // Brute force: stream the positions, emitting a filler after every M zeros in a row, and drop the
            // fillers after the last kept weight (nothing follows them).
            int maxGap = (1 << bits) - 1;
            long fillers = 0;
            long fillersSinceLastEntry = 0;
            int zeros = 0;
            for (boolean b : mask) {
                if (b) {
                    zeros = 0;
                    fillersSinceLastEntry = 0;
                } else if (++zeros == maxGap) {
                    fillers++;
                    fillersSinceLastEntry++;
                    zeros = 0;
                }
            }
            fillers -= fillersSinceLastEntry;
            RelativeIndex format = new RelativeIndex(bits);
            IndexFormat.IndexCost exact = format.exact(ip1, mask);
            assertThat(exact.fillerEntries()).as("bits=%d", bits).isEqualTo((double) fillers);
            assertThat(exact.indexBits()).isEqualTo((kept + fillers) * (double) bits);
            // The analytical expectation for random positions agrees within 3 %.
            assertThat(format.expected(ip1, kept).fillerEntries()).isCloseTo(fillers, within(0.03 * fillers + 5));
        }
    }

    @Test
    void breakEvenRatiosFollowTheirFormulas() {
        var ip1 = NetworkShape.lenet5().layer("ip1");
        var be = BreakEvenAnalysis.of(ip1, new SparseAcceleratorProfile(2.5, 3), 5, new RelativeIndex(4));
        assertThat(be.compute()).isCloseTo(3.0, within(1e-6)); // FC factor
        assertThat(be.storage()).isCloseTo(1 + 4.0 / 5, within(1e-3)); // r* = 1 + b_idx / b_w, fillers negligible
        var conv2 = NetworkShape.lenet5().layer("conv2");
        assertThat(BreakEvenAnalysis.of(conv2, new SparseAcceleratorProfile(2.5, 3), 32, new RelativeIndex(4)).compute())
                .isCloseTo(2.5, within(1e-6));
        assertThat(BreakEvenAnalysis.of(ip1, new SparseAcceleratorProfile(1, 1), 3, new BitmaskIndex()).storage())
                .isCloseTo(1.5, within(1e-3)); // kept*3 + N <= 3N  =>  kept <= 2N/3
    }

    @Test
    void alexnetWithTheReference24xKeptCountsCutsMacsOnlyAbout3Point7x() {
        NetworkCost cost = model.evaluate(NetworkShape.alexnet(), referenceAlexnet24x());
        assertThat(cost.kept()).isEqualTo(2_467_578);
        assertThat(cost.weightCompression()).isCloseTo(24.70, within(0.01));
        // Independent sum: MACs kept = sum over layers of MACs * kept / weights.
        double macsKept = 0;
        long[] kept = {28_227, 61_440, 168_100, 132_711, 88_474, 754_976, 905_970, 327_680};
        var layers = NetworkShape.alexnet().layers();
        for (int i = 0; i < kept.length; i++) {
            macsKept += (double) layers.get(i).macs() * kept[i] / layers.get(i).weights();
        }
        assertThat(cost.macReduction()).isCloseTo(724_406_816 / macsKept, within(1e-9)).isBetween(3.6, 3.75);
    }

    static Map<String, LayerSetting> referenceAlexnet24x() {
        long[] kept = {28_227, 61_440, 168_100, 132_711, 88_474, 754_976, 905_970, 327_680};
        Map<String, LayerSetting> s = new LinkedHashMap<>();
        var layers = NetworkShape.alexnet().layers();
        for (int i = 0; i < kept.length; i++) {
            s.put(layers.get(i).name(), LayerSetting.pruned((double) kept[i] / layers.get(i).weights(), new RelativeIndex(4)));
        }
        return s;
    }
}
