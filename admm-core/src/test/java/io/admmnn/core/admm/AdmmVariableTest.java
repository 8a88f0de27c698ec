package io.admmnn.core.admm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.core.projection.TopKSparsity;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdmmVariableTest {

    private final TopKSparsity keepHalf = new TopKSparsity(0.5);

    @Test
    void startsWithProjectedZAndZeroUThatDoNotAliasW() {
        INDArray w = Nd4j.createFromArray(new double[][]{{4, -1}, {0.5, -3}});
        AdmmVariable v = AdmmVariable.start("fc", w, keepHalf, 0.1);
        assertThat(v.z().toDoubleMatrix()).isEqualTo(new double[][]{{4, 0}, {0, -3}});
        assertThat(v.u().sumNumber().doubleValue()).isZero();

        w.muli(10);
        assertThat(v.z().toDoubleMatrix()).isEqualTo(new double[][]{{4, 0}, {0, -3}});
    }

    @Test
    void updateFollowsTheScaledFormAndReportsResiduals() {
        INDArray w = Nd4j.createFromArray(3.0, -1.0, 0.2, 2.0);
        AdmmVariable v = AdmmVariable.start("fc", w, keepHalf, 2.0); // Z0 = [3, 0, 0, 2]
        INDArray w1 = Nd4j.createFromArray(1.0, -2.5, 0.1, 2.0);
        Residuals r = v.update(w1, 0);

        // Z1 = Proj(W1 + U0) = Proj(W1) = [0, -2.5, 0, 2]; U1 = W1 - Z1 = [1, 0, 0.1, 0]
        assertThat(v.z().toDoubleVector()).containsExactly(0, -2.5, 0, 2);
        assertThat(v.u().toDoubleVector()).containsExactly(new double[]{1, 0, 0.1, 0}, within(1e-12));
        assertThat(r.primal()).isCloseTo(Math.sqrt(1 + 0.01), within(1e-12));
        assertThat(r.dual()).isCloseTo(2.0 * Math.sqrt(9 + 6.25), within(1e-12));
        assertThat(r.weightNorm()).isCloseTo(w1.norm2Number().doubleValue(), within(1e-12));

        // Next: Z2 = Proj(W1 + U1) = Proj([2, -2.5, 0.2, 2]) keeps -2.5 and the first 2.
        v.update(w1, 1);
        assertThat(v.z().toDoubleVector()).containsExactly(2, -2.5, 0, 0);
    }

    @Test
    void penaltyGradientAndValueMatchTheirFormulas() {
        INDArray w = Nd4j.createFromArray(3.0, -1.0, 0.2, 2.0);
        AdmmVariable v = AdmmVariable.start("fc", w, keepHalf, 0.5);
        INDArray g = Nd4j.createFromArray(1.0, 1.0, 1.0, 1.0);
        v.addPenaltyGradient(w, g);
        // W - Z + U = [0, -1, 0.2, 0]
        assertThat(g.toDoubleVector()).containsExactly(new double[]{1, 0.5, 1.1, 1}, within(1e-12));
        assertThat(v.penalty(w)).isCloseTo(0.25 * (1 + 0.04), within(1e-12));

        // Finite differences of the penalty agree with the gradient.
        INDArray zero = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 4);
        v.addPenaltyGradient(w, zero);
        for (int i = 0; i < 4; i++) {
            INDArray plus = w.dup();
            plus.putScalar(i, w.getDouble(i) + 1e-6);
            INDArray minus = w.dup();
            minus.putScalar(i, w.getDouble(i) - 1e-6);
            assertThat((v.penalty(plus) - v.penalty(minus)) / 2e-6).isCloseTo(zero.getDouble(i), within(1e-6));
        }
    }

    @Test
    void changingRhoRescalesTheScaledDual() {
        INDArray w = Nd4j.createFromArray(3.0, -1.0, 0.2, 2.0);
        AdmmVariable v = AdmmVariable.start("fc", w, keepHalf, 1.0);
        v.update(Nd4j.createFromArray(1.0, -2.5, 0.1, 2.0), 0); // U = [1, 0, 0.1, 0]
        v.setRho(4.0, true);
        assertThat(v.u().toDoubleVector()).containsExactly(new double[]{0.25, 0, 0.025, 0}, within(1e-12));
        v.setRho(8.0, false);
        assertThat(v.u().toDoubleVector()).containsExactly(new double[]{0.25, 0, 0.025, 0}, within(1e-12));
        assertThat(v.rho()).isEqualTo(8.0);
    }

    @Test
    void geometricScheduleGrowsAndCaps() {
        RhoSchedule s = RhoSchedule.geometric(1e-3, 1.3, 2e-3);
        assertThat(s.rho(0)).isEqualTo(1e-3);
        assertThat(s.rho(1)).isCloseTo(1.3e-3, within(1e-15));
        assertThat(s.rho(5)).isEqualTo(2e-3);
        assertThat(RhoSchedule.fixed(0.007).rho(19)).isEqualTo(0.007);
    }
}
