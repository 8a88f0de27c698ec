package io.admmnn.core.admm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.core.projection.TopKSparsity;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;

/**
 * ADMM on the non-convex problem {@code min 1/2 ||A x - b||^2 s.t. nnz(x) <= k}, checked against brute-force
 * enumeration of all supports. The W-step is solved exactly: {@code (A'A + rho I) x = A'b + rho (Z - U)}.
 */
class AdmmSolverLeastSquaresTest {

    private static final int M = 30;
    private static final int N = 12;
    private static final int K = 3;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void reachesTheBruteForceOptimum(long seed) {
        Random random = new Random(seed);
        INDArray a = Nd4j.zeros(DataType.DOUBLE, M, N);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                a.putScalar(i, j, random.nextGaussian() / Math.sqrt(M));
            }
        }
        INDArray planted = Nd4j.zeros(DataType.DOUBLE, N);
        for (int c = 0; c < K; c++) {
            int j;
            do {
                j = random.nextInt(N);
            } while (planted.getDouble(j) != 0);
            planted.putScalar(j, (1 + random.nextDouble()) * (random.nextBoolean() ? 1 : -1));
        }
        INDArray b = a.mmul(planted.reshape(N, 1)).reshape(M);
        for (int i = 0; i < M; i++) {
            b.putScalar(i, b.getDouble(i) + 0.05 * random.nextGaussian());
        }

        Optimum best = bruteForce(a, b);

        INDArray x = Nd4j.zeros(DataType.DOUBLE, N);
        AdmmSolver solver = AdmmSolver.start(Map.of("x", x), Map.of("x", new TopKSparsity(1 - (double) K / N)),
                RhoSchedule.geometric(0.05, 1.2, 50), true);
        INDArray ata = a.transpose().mmul(a);
        INDArray atb = a.transpose().mmul(b.reshape(M, 1)).reshape(N);
        AdmmVariable v = solver.variables().get("x");
        List<List<Residuals>> history = solver.runUntil(60, round -> {
            INDArray lhs = ata.add(Nd4j.eye(N).castTo(DataType.DOUBLE).muli(v.rho()));
            INDArray rhs = atb.add(v.z().sub(v.u()).muli(v.rho()));
            x.assign(InvertMatrix.invert(lhs, false).mmul(rhs.reshape(N, 1)).reshape(N));
        }, r -> { });

        Residuals last = history.get(history.size() - 1).get(0);
        assertThat(last.relativePrimal()).as("W converged onto the constraint set").isLessThan(1e-3);
        assertThat(last.dual()).as("Z stopped moving").isLessThan(1e-3);
        assertThat(support(v.z())).as("support found by ADMM").isEqualTo(best.support);

        // "Retrain" on the found support (least squares restricted to it) reaches the global optimum.
        assertThat(restrictedObjective(a, b, support(v.z()))).isCloseTo(best.objective, within(1e-9));
    }

    private record Optimum(int support, double objective) {
    }

    private static Optimum bruteForce(INDArray a, INDArray b) {
        Optimum best = new Optimum(0, Double.POSITIVE_INFINITY);
        for (int mask = 0; mask < (1 << N); mask++) {
            if (Integer.bitCount(mask) != K) {
                continue;
            }
            double f = restrictedObjective(a, b, mask);
            if (f < best.objective) {
                best = new Optimum(mask, f);
            }
        }
        return best;
    }

    /** min over x supported on {@code mask} of 1/2 ||A x - b||^2, by the normal equations. */
    private static double restrictedObjective(INDArray a, INDArray b, int mask) {
        int[] columns = java.util.stream.IntStream.range(0, N).filter(j -> (mask & (1 << j)) != 0).toArray();
        INDArray as = Nd4j.zeros(DataType.DOUBLE, M, columns.length);
        for (int c = 0; c < columns.length; c++) {
            as.putColumn(c, a.getColumn(columns[c]));
        }
        INDArray xs = InvertMatrix.invert(as.transpose().mmul(as), false).mmul(as.transpose()).mmul(b.reshape(M, 1));
        double r = as.mmul(xs).reshape(M).distance2(b);
        return 0.5 * r * r;
    }

    private static int support(INDArray z) {
        int mask = 0;
        for (int j = 0; j < N; j++) {
            if (z.getDouble(j) != 0) {
                mask |= 1 << j;
            }
        }
        return mask;
    }
}
