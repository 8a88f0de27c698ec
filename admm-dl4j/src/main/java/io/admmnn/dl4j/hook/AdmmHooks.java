package io.admmnn.dl4j.hook;

import java.util.ArrayList;
import org.deeplearning4j.nn.conf.layers.BaseLayer;

/**
 * The ADMM hooks ({@link AdmmPenalty}, {@link PrunedWeightMask}) that an ADMM session adds to a layer's
 * regularizations and that a saved network keeps in its JSON. Removing them gives back the plain layer: what a
 * compressed model file stores, and what a new run that only takes a saved network's weights must train, since a
 * hook not bound to a session's state throws at the first step.
 */
public final class AdmmHooks {

    private AdmmHooks() {
    }

    /** Removes every ADMM hook from {@code layer}'s regularizations; the others stay, in their order. */
    public static void remove(BaseLayer layer) {
        if (layer.getRegularization() != null) {
            layer.setRegularization(new ArrayList<>(layer.getRegularization().stream()
                    .filter(r -> !(r instanceof BoundRegularization)).toList()));
        }
    }
}
