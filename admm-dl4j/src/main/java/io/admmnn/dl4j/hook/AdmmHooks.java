package io.admmnn.dl4j.hook;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * The ADMM hooks ({@link AdmmPenalty}, {@link PrunedWeightMask}) that an ADMM session adds to a layer's
 * regularizations and that a saved network keeps in its JSON. Removing them gives back the plain layer: what a
 * compressed model file stores, and what a new run that only takes a saved network's weights must train, since a
 * hook not bound to a session's state throws at the first step.
 */
public final class AdmmHooks {

    private AdmmHooks() {
    }

    /**
     * Removes every ADMM hook from {@code layer}'s weight and bias regularizations (a filter-pruned layer's bias mask
     * is one); the others stay, in their order.
     */
    public static void remove(BaseLayer layer) {
        layer.setRegularization(withoutHooks(layer.getRegularization()));
        layer.setRegularizationBias(withoutHooks(layer.getRegularizationBias()));
    }

    private static List<Regularization> withoutHooks(List<Regularization> regs) {
        return regs == null ? null : new ArrayList<>(regs.stream()
                .filter(r -> !(r instanceof BoundRegularization)).toList());
    }
}
