package io.admmnn.hardware.breakeven;

import io.admmnn.hardware.layer.LayerShape;

/**
 * How long a layer takes sparse relative to dense on some hardware. A new profile is one class implementing this.
 */
public interface HardwareProfile {

    /** Short name for reports. */
    String name();

    /**
     * {@code time(sparse with keptFraction) / time(dense)} for one image through {@code layer}; expected to grow
     * with the kept fraction.
     */
    double sparseOverDenseTime(LayerShape layer, double keptFraction);
}
