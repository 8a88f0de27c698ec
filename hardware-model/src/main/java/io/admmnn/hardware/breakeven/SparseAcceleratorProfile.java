package io.admmnn.hardware.breakeven;

import io.admmnn.hardware.layer.LayerShape;
import java.util.Locale;

/**
 * An analytical accelerator whose sparse MAC (index decoding, irregular access) costs {@code factor} dense MACs:
 * {@code time ratio = factor * keptFraction}, so the compute break-even ratio is exactly the factor. Conv and FC
 * layers may differ (data reuse differs).
 */
public record SparseAcceleratorProfile(double convFactor, double fcFactor) implements HardwareProfile {

    public SparseAcceleratorProfile {
        if (!(convFactor >= 1) || !(fcFactor >= 1)) {
            throw new IllegalArgumentException("a sparse MAC costs at least one dense MAC (factors >= 1)");
        }
    }

    @Override
    public String name() {
        return String.format(Locale.ROOT, "accelerator (sparse MAC = %.2g dense MACs conv, %.2g FC)", convFactor, fcFactor);
    }

    @Override
    public double sparseOverDenseTime(LayerShape layer, double keptFraction) {
        return (layer.isConvolution() ? convFactor : fcFactor) * keptFraction;
    }
}
