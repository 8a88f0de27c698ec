package io.admmnn.hardware.cost;

/**
 * How one layer is compressed.
 *
 * @param keptFraction   fraction of weights kept, in (0, 1] (1 = dense)
 * @param weightBits     bits per stored weight value
 * @param activationBits bits per input activation
 * @param index          how kept positions are stored; ignored (no index) when keptFraction is 1
 */
public record LayerSetting(double keptFraction, int weightBits, int activationBits, IndexFormat index) {

    public LayerSetting {
        if (!(keptFraction > 0 && keptFraction <= 1)) {
            throw new IllegalArgumentException("kept fraction must be in (0, 1], was " + keptFraction);
        }
        if (weightBits < 1 || weightBits > 32 || activationBits < 1 || activationBits > 32) {
            throw new IllegalArgumentException("bits must be in [1, 32]");
        }
    }

    /** 32-bit dense. */
    public static LayerSetting dense32() {
        return new LayerSetting(1.0, 32, 32, null);
    }

    /** Pruned to {@code keptFraction}, 32-bit values and activations, positions stored in {@code index}. */
    public static LayerSetting pruned(double keptFraction, IndexFormat index) {
        return new LayerSetting(keptFraction, 32, 32, index);
    }

    public boolean isSparse() {
        return keptFraction < 1 && index != null;
    }
}
