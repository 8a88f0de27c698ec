package io.admmnn.core.djpq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;

class VibGatesTest {

    private static final double H = 1e-6;

    private static void checkPartials(DoubleBinaryOperator f, DoubleBinaryOperator byMu, DoubleBinaryOperator byLogD) {
        for (double[] p : new double[][]{{1.0, -9.0}, {0.3, -1.0}, {-0.7, 0.5}, {0.05, -2.0}}) {
            double mu = p[0];
            double logD = p[1];
            double fdMu = (f.applyAsDouble(mu + H, logD) - f.applyAsDouble(mu - H, logD)) / (2 * H);
            double fdLogD = (f.applyAsDouble(mu, logD + H) - f.applyAsDouble(mu, logD - H)) / (2 * H);
            assertThat(byMu.applyAsDouble(mu, logD)).isCloseTo(fdMu, within(1e-6 * Math.abs(fdMu) + 1e-7));
            assertThat(byLogD.applyAsDouble(mu, logD)).isCloseTo(fdLogD, within(1e-6 * Math.abs(fdLogD) + 1e-7));
        }
    }

    @Test
    void klPartialsMatchCentralDifferences() {
        checkPartials(VibGates::kl, VibGates::klByMu, VibGates::klByLogD);
    }

    @Test
    void activeProbabilityPartialsMatchCentralDifferences() {
        double t = 1.5;
        checkPartials((m, l) -> VibGates.activeProbability(m, l, t), (m, l) -> VibGates.activeProbabilityByMu(m, l, t),
                (m, l) -> VibGates.activeProbabilityByLogD(m, l, t));
    }

    @Test
    void pruningFollowsTheSnrThresholdAndTheSurrogateIsOneHalfThere() {
        // mu^2 / sigma^2 = 1 exactly: logD = log(mu^2).
        double mu = 0.4;
        double logD = Math.log(mu * mu);
        assertThat(VibGates.kept(mu, logD, 1.0)).isFalse(); // pruned when snr <= 1
        assertThat(VibGates.kept(mu, logD - 1e-9, 1.0)).isTrue();
        assertThat(VibGates.activeProbability(mu, logD, 1.0)).isCloseTo(0.5, within(1e-12));
        assertThat(VibGates.kept(mu, logD - 1.0, 4.0)).isFalse(); // snr = e < 4
        assertThat(VibGates.activeProbability(1.0, -9.0, 1.0)).isGreaterThan(0.9998);
        assertThat(VibGates.kl(1.0, -9.0)).isCloseTo(0.5 * Math.log1p(Math.exp(9)), within(1e-12));
    }
}
