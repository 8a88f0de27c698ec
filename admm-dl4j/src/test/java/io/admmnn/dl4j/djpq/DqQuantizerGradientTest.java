package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The DQ quantizer's straight-through backpropagation against central differences. Rounding is piecewise constant,
 * so the differences are taken with the rounding offsets {@code round(u) - u} frozen at the evaluation point: the
 * exact derivative of that function is the straight-through gradient.
 */
class DqQuantizerGradientTest {

    private static final LayerWorkspaceMgr NO_WS = LayerWorkspaceMgr.noWorkspaces();
    private static final double H = 1e-7;

    /** The quantizer with {@code round(u) = u + (round(u0) - u0)}, offsets fixed at the first call. */
    static final class FrozenRounding extends DqQuantizer {
        private INDArray offset;

        FrozenRounding(NeuralNetConfiguration conf, DataType dataType) {
            super(conf, dataType);
        }

        @Override
        protected INDArray round(INDArray u) {
            if (offset == null) {
                offset = Transforms.round(u, true).subi(u);
            }
            return u.add(offset);
        }
    }

    /** Inputs at least 1e-3 away from the clipping edges {@code lo} and {@code qMax} (and from 0 when unsigned). */
    private static INDArray inputs(double qMax) {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3, 5).muli(qMax);
        INDArray flat = x.reshape(x.length());
        for (int i = 0; i < flat.length(); i++) {
            double v = flat.getDouble(i);
            for (double edge : new double[]{-qMax, 0, qMax}) {
                if (Math.abs(v - edge) < 1e-3) {
                    v = edge + 2e-3;
                }
            }
            flat.putScalar(i, v);
        }
        return x;
    }

    private static double objective(DqQuantizer q, INDArray x, INDArray r) {
        q.setInput(x, NO_WS);
        return q.activate(false, NO_WS).mul(r).sumNumber().doubleValue();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void stepRangeAndInputGradientsMatchCentralDifferences(boolean signed) {
        DqQuantizerLayer conf = new DqQuantizerLayer.Builder().signed(signed).initial(0.13, 1.1).build();
        DqQuantizer real = DjpqLayerHarness.build((DjpqLayer) conf.clone(), InputType.feedForward(3), DqQuantizer::new);
        FrozenRounding frozen = DjpqLayerHarness.build((DjpqLayer) conf.clone(), InputType.feedForward(3), FrozenRounding::new);
        INDArray x = inputs(1.1);
        INDArray r = Nd4j.randn(DataType.DOUBLE, 4, 3, 5);

        // Forward values and gradients of the frozen copy are those of the real quantizer at the evaluation point.
        double base = objective(frozen, x, r);
        assertThat(base).isCloseTo(objective(real, x, r), within(1e-12));
        Pair<Gradient, INDArray> g = frozen.backpropGradient(r, NO_WS);
        Pair<Gradient, INDArray> gReal = real.backpropGradient(r, NO_WS);
        double dStep = g.getFirst().getGradientFor(DqQuantizerLayer.STEP).getDouble(0);
        double dRange = g.getFirst().getGradientFor(DqQuantizerLayer.RANGE).getDouble(0);
        assertThat(gReal.getFirst().getGradientFor(DqQuantizerLayer.STEP).getDouble(0)).isEqualTo(dStep);
        assertThat(gReal.getFirst().getGradientFor(DqQuantizerLayer.RANGE).getDouble(0)).isEqualTo(dRange);
        assertThat(gReal.getSecond()).isEqualTo(g.getSecond());
        assertThat(dRange).isNotZero(); // some inputs lie beyond the range

        INDArray d = frozen.paramTable().get(DqQuantizerLayer.STEP);
        INDArray q = frozen.paramTable().get(DqQuantizerLayer.RANGE);
        assertThat(dStep).isCloseTo(centralDifference(frozen, d, x, r), within(1e-6));
        assertThat(dRange).isCloseTo(centralDifference(frozen, q, x, r), within(1e-6));
        INDArray xFlat = x.reshape(x.length());
        INDArray dx = g.getSecond().reshape(x.length());
        for (int i = 0; i < x.length(); i++) {
            assertThat(dx.getDouble(i)).as("x entry %d", i).isCloseTo(centralDifference(frozen, xFlat, x, r, i),
                    within(1e-6));
        }
    }

    private static double centralDifference(DqQuantizer q, INDArray param, INDArray x, INDArray r) {
        return centralDifference(q, param, x, r, 0);
    }

    private static double centralDifference(DqQuantizer q, INDArray values, INDArray x, INDArray r, int i) {
        double keep = values.getDouble(i);
        values.putScalar(i, keep + H);
        double up = objective(q, x, r);
        values.putScalar(i, keep - H);
        double down = objective(q, x, r);
        values.putScalar(i, keep);
        return (up - down) / (2 * H);
    }

    @Test
    void forwardIsTheDqQuantizerAndFreezesToItsBits() {
        DqQuantizer q = DjpqLayerHarness.build(new DqQuantizerLayer.Builder().initial(0.25, 1.0).build(),
                InputType.feedForward(5), DqQuantizer::new);
        q.setInput(Nd4j.createFromArray(new double[][]{{-0.3, 0.1, 0.13, 0.61, 7.0}}), NO_WS);
        assertThat(q.activate(true, NO_WS).toDoubleVector()).containsExactly(0.0, 0.0, 0.25, 0.5, 1.0);
        assertThat(q.freeze(false).bits()).isEqualTo(3); // 5 levels 0..1 in steps of 1/4: ceil(log2 5)
        assertThat(q.continuousBits()).isCloseTo(Math.log(5) / Math.log(2), within(1e-12));
        assertThat(q.freeze(true).bits()).isEqualTo(4);
    }
}
