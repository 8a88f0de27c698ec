package io.admmnn.dl4j.hook;

import io.admmnn.core.admm.AdmmVariable;
import io.admmnn.core.tensor.FlatValues;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The runtime state behind one layer's training hooks: the ADMM variable whose penalty gradient is added
 * (while ADMM is active), the 0/1 mask applied to the weight update (once weights are frozen at zero) and the one
 * applied to the bias update (once the biases of removed output units are frozen at zero).
 *
 * <p>Lives outside DL4J's configuration (which is JSON-serialized) and outside workspaces. The two
 * regularizations of a layer ({@link AdmmPenalty}, the {@link PrunedWeightMask}s of W and b) share one instance.
 */
public final class LayerHooks {

    private final String layerKey;
    private volatile AdmmVariable admm;
    private volatile INDArray mask;
    private volatile INDArray maskFlat;
    private volatile INDArray biasMask;

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

    /** Freezes the biases where {@code mask} is 0 (shape of b), or clears the mask (null). */
    public void setBiasMask(INDArray mask) {
        this.biasMask = mask == null ? null : FlatValues.detachedCopy(mask);
    }

    /** The bias mask shaped like b, or null. */
    public INDArray biasMask() {
        return biasMask;
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

    void maskBiasUpdate(INDArray update) {
        INDArray m = biasMask;
        if (m != null) {
            update.muli(update.rank() == m.rank() ? m : m.reshape(update.shape()));
        }
    }
}
