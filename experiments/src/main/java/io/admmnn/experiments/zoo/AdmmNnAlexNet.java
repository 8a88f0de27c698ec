package io.admmnn.experiments.zoo;

import io.admmnn.hardware.layer.NetworkShape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ADMM-NN's pruned AlexNet (Ren et al., ASPLOS 2019: 24.7x fewer weights, no top-5 loss): kept weights per
 * layer, counted on the BVLC shapes of {@link NetworkShape#alexnet()} (conv2, conv4, conv5 in 2 groups).
 * Kept fractions: conv1 81.0 %, conv2 20.0 %, conv3 19.0 %, conv4 20.0 %, conv5 20.0 %, fc6 2.0 %, fc7 5.4 %,
 * fc8 8.0 %. The hardware analysis costs this model; the zoo's {@link ZooModel#ALEXNET} prunes to the same
 * fractions by default.
 */
public final class AdmmNnAlexNet {

    /** Kept (non-zero) weights per layer of the published model. */
    public static final Map<String, Long> KEPT_WEIGHTS;

    static {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("conv1", 28_227L);
        m.put("conv2", 61_440L);
        m.put("conv3", 168_100L);
        m.put("conv4", 132_711L);
        m.put("conv5", 88_474L);
        m.put("fc6", 754_976L);
        m.put("fc7", 905_970L);
        m.put("fc8", 327_680L);
        KEPT_WEIGHTS = Collections.unmodifiableMap(m);
    }

    private AdmmNnAlexNet() {
    }

    /** Kept fraction per layer: kept weights / the layer's weights in {@link NetworkShape#alexnet()}. */
    public static Map<String, Double> keptFractions() {
        NetworkShape alex = NetworkShape.alexnet();
        Map<String, Double> kept = new LinkedHashMap<>();
        KEPT_WEIGHTS.forEach((layer, k) -> kept.put(layer, (double) k / alex.layer(layer).weights()));
        return kept;
    }

    /** Pruning ratio (fraction removed) per layer: {@code 1 - kept fraction}. */
    public static Map<String, Double> pruningRatios() {
        Map<String, Double> ratios = new LinkedHashMap<>();
        keptFractions().forEach((layer, k) -> ratios.put(layer, 1 - k));
        return ratios;
    }
}
