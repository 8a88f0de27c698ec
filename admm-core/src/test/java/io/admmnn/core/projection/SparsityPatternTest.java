package io.admmnn.core.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The contract of {@link Projection#isSparsityPattern}: a set that claims it keeps every tensor whose zeros include
 * those of a projected one, whatever values the other weights take (retraining relies on it to skip projecting);
 * sets that constrain values do not claim it, and for each a tensor with such zeros but other values is outside.
 */
class SparsityPatternTest {

    private static final long[][] SHAPES = {{24, 16}, {8, 4, 3, 3}};

    @Test
    void setsClaimingToBeSparsityPatternsKeepAnyValuesOnAProjectedSupport() {
        Random random = new Random(3);
        for (long[] shape : SHAPES) {
            List<Projection> patterns = List.of(new TopKSparsity(0.8), new FilterSparsity(0.5), new ChannelSparsity(0.5),
                    new ColumnSparsity(0.5), new BlockSparsity(2, 2, 0.6), new NmSparsity(2, 4));
            for (Projection p : patterns) {
                assertThat(p.isSparsityPattern()).as(p.describe()).isTrue();
                for (int trial = 0; trial < 20; trial++) {
                    INDArray projected = p.project(Nd4j.randn(DataType.FLOAT, shape));
                    INDArray retrained = valuesOnSupportOf(projected, random);
                    assertThat(p.isFeasible(retrained, 0)).as("%s, shape %s", p.describe(), shape.length).isTrue();
                }
            }
        }
    }

    @Test
    void setsThatConstrainValuesDoNotClaimItAndOtherValuesLeaveThem() {
        Random random = new Random(4);
        List<Projection> valueSets = List.of(new UniformQuantization(3, 0.1), new PowerOfTwoLevels(0.5, 3),
                new BinaryQuantization(), new TernaryQuantization(),
                new SparseQuantized(0.8, new UniformQuantization(2, 0.1)));
        for (Projection p : valueSets) {
            assertThat(p.isSparsityPattern()).as(p.describe()).isFalse();
            INDArray projected = p.project(Nd4j.randn(DataType.FLOAT, SHAPES[0]));
            assertThat(p.isFeasible(valuesOnSupportOf(projected, random), 1e-6)).as(p.describe()).isFalse();
        }
    }

    /** Random values of magnitude 0.013-10 (off every level above) where {@code v} is non-zero, 0 elsewhere. */
    private static INDArray valuesOnSupportOf(INDArray v, Random random) {
        INDArray out = v.dup();
        double[] values = out.dup('c').data().asDouble();
        for (int i = 0; i < values.length; i++) {
            if (values[i] != 0) {
                values[i] = (random.nextBoolean() ? 1 : -1) * (0.0131 + 10 * random.nextDouble());
            }
        }
        return Nd4j.create(values, v.shape(), 'c').castTo(v.dataType());
    }
}
