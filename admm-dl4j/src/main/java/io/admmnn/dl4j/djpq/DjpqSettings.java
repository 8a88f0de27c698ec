package io.admmnn.dl4j.djpq;

/**
 * The knobs of a DJPQ run: loss {@code CE + klWeight * KL + bopsWeight * BOPs / BOPs_dense}, the BOPs term switched
 * off while the network as it stands is at or below a target ({@code targetReduction}, optional).
 *
 * @param klWeight            gamma, the weight of the gates' KL term
 * @param gateThreshold       a channel is pruned when {@code mu^2 / sigma^2 <= gateThreshold} (VIBNet: 1)
 * @param bopsWeight          beta, the weight of the relative BOPs term
 * @param powerOfTwo          restrict bit widths to 2, 4, 8, 16, 32 (the BOPs term then counts the rounded-up width,
 *                            its gradient passing straight through the rounding)
 * @param initialWeightBits   bit width the weight quantizers start at (their range is the layer's largest |w|)
 * @param initialActivationBits bit width the activation quantizers start at (range from a calibration batch)
 * @param targetReduction     0 (off: the BOPs term always acts, as in the DJPQ paper), or {@code R > 1}: the BOPs
 *                            term acts only while the network as it would be exported (kept channels, integer bits,
 *                            {@link DjpqNetwork#finalBops}) has more than {@code BOPs_dense / R} BOPs; its gradient is
 *                            still the expected BOPs' one. So training stops trading accuracy for BOPs at about
 *                            {@code R}x fewer BOPs (a hinge {@code bopsWeight * max(0, BOPs - BOPs_dense / R)}
 *                            decided on the exported BOPs)
 * @param fixedGates          false: the gates are learned (DJPQ). true: the channels are those of the starting network
 *                            (the two-stage baseline with DQ-learned bits): every gate is frozen from the start at
 *                            {@code mu_c = 1} where output channel c has a non-zero weight or bias, {@code mu_c = 0}
 *                            (pruned) where they are all zero; no KL term, no gate gradient, so the BOPs term acts
 *                            through the bits only
 */
public record DjpqSettings(double klWeight, double gateThreshold, double bopsWeight, boolean powerOfTwo,
                           int initialWeightBits, int initialActivationBits, double targetReduction,
                           boolean fixedGates) {

    public DjpqSettings {
        if (!(klWeight >= 0) || !(bopsWeight >= 0) || !(gateThreshold > 0)) {
            throw new IllegalArgumentException("DJPQ: need klWeight >= 0, bopsWeight >= 0 and gateThreshold > 0, got "
                    + klWeight + ", " + bopsWeight + ", " + gateThreshold);
        }
        if (initialWeightBits < 2 || initialWeightBits > 16 || initialActivationBits < 1 || initialActivationBits > 16) {
            throw new IllegalArgumentException("DJPQ: initial bits must be 2-16 (weights) and 1-16 (activations), got "
                    + initialWeightBits + ", " + initialActivationBits);
        }
        if (!(targetReduction == 0 || targetReduction > 1 && Double.isFinite(targetReduction))) {
            throw new IllegalArgumentException("DJPQ: targetReduction must be 0 (off) or > 1, got " + targetReduction);
        }
    }

    /** Settings with learned gates. */
    public DjpqSettings(double klWeight, double gateThreshold, double bopsWeight, boolean powerOfTwo,
                        int initialWeightBits, int initialActivationBits, double targetReduction) {
        this(klWeight, gateThreshold, bopsWeight, powerOfTwo, initialWeightBits, initialActivationBits, targetReduction,
                false);
    }

    /** Settings without a BOPs target (the BOPs term always acts). */
    public DjpqSettings(double klWeight, double gateThreshold, double bopsWeight, boolean powerOfTwo,
                        int initialWeightBits, int initialActivationBits) {
        this(klWeight, gateThreshold, bopsWeight, powerOfTwo, initialWeightBits, initialActivationBits, 0);
    }

    /** Whether the BOPs term acts on a network whose exported BOPs are {@code relative} of the dense ones. */
    public boolean bopsTermActive(double relative) {
        return targetReduction == 0 || relative * targetReduction > 1;
    }

    /** gamma 1e-5, threshold 1, beta 0.1, free bit widths, starting at 8 bits. */
    public static DjpqSettings defaults() {
        return new DjpqSettings(1e-5, 1.0, 0.1, false, 8, 8);
    }
}
