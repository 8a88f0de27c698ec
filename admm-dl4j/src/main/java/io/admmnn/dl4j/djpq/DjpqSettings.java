package io.admmnn.dl4j.djpq;

/**
 * The knobs of a DJPQ run: loss {@code CE + klWeight * KL + bopsWeight * BOPs / BOPs_dense}.
 *
 * @param klWeight            gamma, the weight of the gates' KL term
 * @param gateThreshold       a channel is pruned when {@code mu^2 / sigma^2 <= gateThreshold} (VIBNet: 1)
 * @param bopsWeight          beta, the weight of the relative BOPs term
 * @param powerOfTwo          restrict bit widths to 2, 4, 8, 16, 32 (the BOPs term then counts the rounded-up width,
 *                            its gradient passing straight through the rounding)
 * @param initialWeightBits   bit width the weight quantizers start at (their range is the layer's largest |w|)
 * @param initialActivationBits bit width the activation quantizers start at (range from a calibration batch)
 */
public record DjpqSettings(double klWeight, double gateThreshold, double bopsWeight, boolean powerOfTwo,
                           int initialWeightBits, int initialActivationBits) {

    public DjpqSettings {
        if (!(klWeight >= 0) || !(bopsWeight >= 0) || !(gateThreshold > 0)) {
            throw new IllegalArgumentException("DJPQ: need klWeight >= 0, bopsWeight >= 0 and gateThreshold > 0, got "
                    + klWeight + ", " + bopsWeight + ", " + gateThreshold);
        }
        if (initialWeightBits < 2 || initialWeightBits > 16 || initialActivationBits < 1 || initialActivationBits > 16) {
            throw new IllegalArgumentException("DJPQ: initial bits must be 2-16 (weights) and 1-16 (activations), got "
                    + initialWeightBits + ", " + initialActivationBits);
        }
    }

    /** gamma 1e-5, threshold 1, beta 0.1, free bit widths, starting at 8 bits. */
    public static DjpqSettings defaults() {
        return new DjpqSettings(1e-5, 1.0, 0.1, false, 8, 8);
    }
}
