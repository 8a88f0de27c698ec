package io.admmnn.core.djpq;

import java.util.List;

/**
 * The differentiable BOPs objective of DJPQ, relative to the float network, with its partial derivatives.
 *
 * <p>Math: {@code BOPs = sum_l m_l * A_in,l * A_out,l * bw_l * ba_l}, {@code m_l} the MACs per channel pair,
 * {@code A} the (expected) active channel counts, {@code bw, ba} the (continuous) weight and input-activation bit
 * widths; the reference is the unpruned network at 32 x 32 bits, {@code BOPs_dense = sum_l MACs_l * 1024}. The term
 * is {@code BOPs / BOPs_dense}; its partials follow from the product rule. Units: the value is a ratio; BOPs are bit
 * operations per example.
 */
public final class BopsTerm {

    /** Bits per weight and per activation of the float reference. */
    public static final double FLOAT_BITS = 32.0;

    private BopsTerm() {
    }

    /**
     * One evaluation: the relative BOPs and its partials by each layer's active input and output channel counts and
     * weight and activation bits.
     *
     * @param relative  {@code BOPs / BOPs_dense}
     * @param bops      BOPs per example
     * @param denseBops the 32 x 32-bit unpruned reference
     * @param byActiveIn  {@code d relative / d A_in,l}
     * @param byActiveOut {@code d relative / d A_out,l}
     * @param byWeightBits {@code d relative / d bw_l}
     * @param byActivationBits {@code d relative / d ba_l}
     */
    public record Value(double relative, double bops, double denseBops, double[] byActiveIn, double[] byActiveOut,
                        double[] byWeightBits, double[] byActivationBits) {
    }

    /** The float reference {@code sum_l MACs_l * 32 * 32}. */
    public static double denseBops(List<BopsLayer> layers) {
        double dense = 0;
        for (BopsLayer l : layers) {
            dense += l.macs() * FLOAT_BITS * FLOAT_BITS;
        }
        return dense;
    }

    /** Evaluates the term; every array has one entry per layer, in the order of {@code layers}. */
    public static Value evaluate(List<BopsLayer> layers, double[] activeIn, double[] activeOut, double[] weightBits,
                                 double[] activationBits) {
        int n = layers.size();
        if (activeIn.length != n || activeOut.length != n || weightBits.length != n || activationBits.length != n) {
            throw new IllegalArgumentException("need one active count and bit width per layer (" + n + ")");
        }
        double dense = denseBops(layers);
        double bops = 0;
        double[] dIn = new double[n];
        double[] dOut = new double[n];
        double[] dBw = new double[n];
        double[] dBa = new double[n];
        for (int i = 0; i < n; i++) {
            double m = layers.get(i).macsPerChannelPair() / dense;
            double in = activeIn[i];
            double out = activeOut[i];
            double bw = weightBits[i];
            double ba = activationBits[i];
            bops += layers.get(i).macsPerChannelPair() * in * out * bw * ba;
            dIn[i] = m * out * bw * ba;
            dOut[i] = m * in * bw * ba;
            dBw[i] = m * in * out * ba;
            dBa[i] = m * in * out * bw;
        }
        return new Value(bops / dense, bops, dense, dIn, dOut, dBw, dBa);
    }
}
