package io.admmnn.core.djpq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BopsTermTest {

    // LeNet-5 as in the zoo: conv 5x5 1->20 (24x24 out), conv 5x5 20->50 (8x8 out), dense 50x4x4 -> 500, dense 500 -> 10.
    private final List<BopsLayer> lenet = List.of(
            new BopsLayer("conv1", 25L * 24 * 24, 1, 20),
            new BopsLayer("conv2", 25L * 8 * 8, 20, 50),
            new BopsLayer("fc1", 16, 50, 500),
            new BopsLayer("fc2", 1, 500, 10));

    @Test
    void fullNetworkAtThirtyTwoBitsIsTheReferenceAndMacsAreLeNets() {
        double[] in = {1, 20, 50, 500};
        double[] out = {20, 50, 500, 10};
        double[] b32 = {32, 32, 32, 32};
        BopsTerm.Value v = BopsTerm.evaluate(lenet, in, out, b32, b32);
        assertThat(v.relative()).isCloseTo(1.0, within(1e-12));
        long macs = lenet.stream().mapToLong(BopsLayer::macs).sum();
        assertThat(macs).isEqualTo(288_000L + 1_600_000L + 400_000L + 5_000L);
        assertThat(v.denseBops()).isEqualTo(macs * 1024.0);
    }

    @Test
    void halvingEveryChannelAndUsingFourBitsShrinksByTheProduct() {
        double[] in = {1, 10, 25, 250};
        double[] out = {10, 25, 250, 10};
        double[] b4 = {4, 4, 4, 4};
        double[] b8 = {8, 8, 8, 8};
        BopsTerm.Value v = BopsTerm.evaluate(lenet, in, out, b4, b8);
        double expected = (25.0 * 576 * 1 * 10 + 25.0 * 64 * 10 * 25 + 16.0 * 25 * 250 + 250.0 * 10) * 32
                / BopsTerm.denseBops(lenet);
        assertThat(v.relative()).isCloseTo(expected, within(1e-12));
    }

    @Test
    void partialsMatchCentralDifferences() {
        double[] in = {1, 13.3, 40.2, 321};
        double[] out = {13.3, 40.2, 321, 10};
        double[] bw = {3.2, 5.1, 2.7, 7.9};
        double[] ba = {8, 4.4, 3.3, 6.6};
        BopsTerm.Value v = BopsTerm.evaluate(lenet, in, out, bw, ba);
        double[][] args = {in, out, bw, ba};
        double[][] partials = {v.byActiveIn(), v.byActiveOut(), v.byWeightBits(), v.byActivationBits()};
        for (int a = 0; a < 4; a++) {
            for (int i = 0; i < lenet.size(); i++) {
                double h = 1e-5 * Math.max(1, Math.abs(args[a][i]));
                double keep = args[a][i];
                args[a][i] = keep + h;
                double up = BopsTerm.evaluate(lenet, in, out, bw, ba).relative();
                args[a][i] = keep - h;
                double down = BopsTerm.evaluate(lenet, in, out, bw, ba).relative();
                args[a][i] = keep;
                double fd = (up - down) / (2 * h);
                assertThat(partials[a][i]).as("arg %d layer %d", a, i).isCloseTo(fd, within(1e-7 * Math.abs(fd) + 1e-14));
            }
        }
    }
}
