package io.admmnn.dl4j.hook;

import io.admmnn.core.admm.AdmmVariable;
import io.admmnn.core.tensor.FlatValues;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime state behind one layer's training hooks: the ADMM variable whose penalty gradient is added
 * (while ADMM is active) and the 0/1 mask applied to the weight update (once weights are frozen at zero).
 *
 * <p>Lives outside DL4J's configuration (which is JSON-serialized) and outside workspaces. The two
 * regularizations of a layer ({@link AdmmPenalty}, {@link PrunedWeightMask}) share one instance.
 */
public final class LayerHooks {

    private final String layerKey;
    private volatile AdmmVariable admm;
    private volatile INDArray mask;
    private volatile INDArray maskFlat;

    public LayerHooks(String layerKey) {
        this.layerKey = layerKey;
    }

    public String layerKey() {
        return layerKey;
    }

    /** Turns the ADMM penalty on (non-null) or off (null). */
    public void setAdmm(AdmmVariable variable) {
        this.admm = variable;
    }

    public AdmmVariable admm() {
        return admm;
    }

    /** Freezes the positions where {@code mask} is 0 (shape and ordering of W), or clears the mask (null). */
    public void setMask(INDArray mask) {
        INDArray copy = mask == null ? null : FlatValues.detachedCopy(mask);
        this.maskFlat = copy == null ? null : FlatValues.flatView(copy);
        this.mask = copy;
    }

    /** The mask shaped and ordered like W, or null. */
    public INDArray mask() {
        return mask;
    }

    void addPenaltyGradient(INDArray param, INDArray gradient) {
        AdmmVariable v = admm;
        if (v != null) {
            v.addPenaltyGradient(param, gradient);
        }
    }

    void maskUpdate(INDArray update) {
        INDArray m = mask;
        if (m != null) {
            update.muli(update.rank() == 1 && m.rank() != 1 ? maskFlat : m);
        }
    }
}
