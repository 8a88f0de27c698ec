package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks a whole network's parameter gradient against central differences of its score, in double precision:
 * {@code analytic_i = B * (score(theta + h e_i) - score(theta - h e_i)) / 2h}, since DL4J's layer gradients are of
 * the batch sum while the score is the mean loss (plus regularization). The random seed is reset before every
 * evaluation, so that noise drawn in the forward pass (VIB gates) is the same at every point.
 */
final class NetworkGradientCheck {

    private static final double H = 1e-6;

    private NetworkGradientCheck() {
    }

    /** The score of {@code net} on (x, y) with the random seed set to {@code seed} first; leaves the gradient set. */
    static double score(MultiLayerNetwork net, INDArray x, INDArray y, long seed) {
        Nd4j.getRandom().setSeed(seed);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.score();
    }

    /** Asserts every parameter's gradient within {@code relative * |fd| + 1e-7} of its central difference. */
    static void assertMatchesCentralDifferences(MultiLayerNetwork net, INDArray x, INDArray y, long seed,
                                                double relative) {
        long batch = x.size(0);
        score(net, x, y, seed);
        INDArray analytic = net.gradient().gradient().dup();
        INDArray params = net.params();
        for (int i = 0; i < params.length(); i++) {
            double keep = params.getDouble(i);
            params.putScalar(i, keep + H);
            double up = score(net, x, y, seed);
            params.putScalar(i, keep - H);
            double down = score(net, x, y, seed);
            params.putScalar(i, keep);
            double fd = batch * (up - down) / (2 * H);
            assertThat(analytic.getDouble(i)).as("parameter %d", i)
                    .isCloseTo(fd, within(relative * Math.abs(fd) + 1e-7));
        }
    }
}
