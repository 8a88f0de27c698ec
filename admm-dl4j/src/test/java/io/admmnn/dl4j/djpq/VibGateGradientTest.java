package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The VIB gate's own backpropagation against central differences of its forward pass plus its KL score. */
class VibGateGradientTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();
    private static final long NOISE_SEED = 7;
    private static final double H = 1e-6;

    private final INDArray x;
    private final INDArray r;
    private final VibGate gate;

    VibGateGradientTest() {
        Nd4j.getRandom().setSeed(1);
        x = Nd4j.randn(DataType.DOUBLE, 3, 4, 2, 3);
        r = Nd4j.randn(DataType.DOUBLE, 3, 4, 2, 3);
        gate = DjpqLayerHarness.build(new VibGateLayer.Builder().klWeight(0.3).build(),
                InputType.convolutional(2, 3, 4), VibGate::new);
        gate.mu().assign(Nd4j.createFromArray(1.2, -0.4, 0.05, 0.8));
        gate.logD().assign(Nd4j.createFromArray(-1.0, -0.3, -2.0, 0.4));
    }

    /**
     * The per-batch objective whose gradient DL4J's layers return: {@code sum(y * r) + B * KL score} (DL4J divides
     * the gradient by B afterwards and adds the score once).
     */
    private double objective(INDArray in) {
        Nd4j.getRandom().setSeed(NOISE_SEED);
        gate.setInput(in, NO_WS);
        INDArray y = gate.activate(true, NO_WS);
        return y.mul(r).sumNumber().doubleValue() + in.size(0) * gate.calcRegularizationScore(true);
    }

    private Pair<Gradient, INDArray> backprop() {
        objective(x);
        return gate.backpropGradient(r, NO_WS);
    }

    private void assertMatchesCentralDifferences(INDArray param, INDArray analytic, INDArray in) {
        for (int i = 0; i < param.length(); i++) {
            double keep = param.getDouble(i);
            param.putScalar(i, keep + H);
            double up = objective(in);
            param.putScalar(i, keep - H);
            double down = objective(in);
            param.putScalar(i, keep);
            double fd = (up - down) / (2 * H);
            assertThat(analytic.getDouble(i)).as("entry %d", i).isCloseTo(fd, within(1e-6 * Math.abs(fd) + 1e-7));
        }
    }

    @Test
    void parameterGradientsIncludingKlMatchCentralDifferences() {
        Pair<Gradient, INDArray> g = backprop();
        INDArray dMu = g.getFirst().getGradientFor(VibGateLayer.MU).dup();
        INDArray dLogD = g.getFirst().getGradientFor(VibGateLayer.LOG_D).dup();
        assertMatchesCentralDifferences(gate.mu(), dMu, x);
        assertMatchesCentralDifferences(gate.logD(), dLogD, x);
        assertThat(((VibGateLayer) gate.conf().getLayer()).getSpatialSize()).isEqualTo(6); // KL scaled by H * W
    }

    @Test
    void inputGradientMatchesCentralDifferences() {
        INDArray dx = backprop().getSecond().dup();
        INDArray in = x.dup();
        INDArray flat = in.reshape(in.length());
        INDArray dxFlat = dx.reshape(dx.length());
        for (int i = 0; i < in.length(); i += 5) {
            double keep = flat.getDouble(i);
            flat.putScalar(i, keep + H);
            double up = objective(in);
            flat.putScalar(i, keep - H);
            double down = objective(in);
            flat.putScalar(i, keep);
            double fd = (up - down) / (2 * H);
            assertThat(dxFlat.getDouble(i)).as("x entry %d", i).isCloseTo(fd, within(1e-6 * Math.abs(fd) + 1e-7));
        }
    }

    @Test
    void testTimeGateIsMaskTimesMuAndPrunesAtTheSnrThreshold() {
        // snr = mu^2 / exp(logD): 1.2^2 e^1 = 3.9 kept, 0.16 e^0.3 = 0.22 pruned, 0.0025 e^2 = 0.018 pruned,
        // 0.64 e^-0.4 = 0.43 pruned.
        assertThat(gate.keptChannels()).containsExactly(true, false, false, false);
        gate.setInput(x, NO_WS);
        INDArray y = gate.activate(false, NO_WS);
        for (int c = 0; c < 4; c++) {
            double expectedGate = c == 0 ? 1.2 : 0.0;
            INDArray channel = y.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(c));
            INDArray inputChannel = x.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(c));
            assertThat(channel.sub(inputChannel.mul(expectedGate)).amaxNumber().doubleValue()).isLessThan(1e-12);
        }
    }

    @Test
    void trainingNoiseHasTheGateVariance() {
        // One channel, many examples: z = mu + eps sigma has mean mu and variance exp(logD).
        VibGate one = DjpqLayerHarness.build(new VibGateLayer.Builder().initialMu(0.5).initialLogD(Math.log(0.04)).build(),
                InputType.feedForward(1), VibGate::new);
        one.setInput(Nd4j.ones(DataType.DOUBLE, 20_000, 1), NO_WS);
        INDArray z = one.activate(true, NO_WS);
        assertThat(z.meanNumber().doubleValue()).isCloseTo(0.5, within(0.01));
        assertThat(z.varNumber().doubleValue()).isCloseTo(0.04, within(0.004));
    }
}
