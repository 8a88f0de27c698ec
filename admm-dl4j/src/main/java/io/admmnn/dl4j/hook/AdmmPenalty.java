package io.admmnn.dl4j.hook;

import io.admmnn.core.admm.AdmmVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The ADMM W-step term as a DL4J regularization: adds {@code rho * (W - Z + U)} to a weight's gradient,
 * i.e. the gradient of {@code rho/2 ||W - Z + U||_F^2}.
 *
 * <p>Applied {@link ApplyStep#BEFORE_UPDATER}: after DL4J divides the loss gradient by the minibatch size
 * and before the updater (SGD, Adam, ...), so the term is not divided by the batch size and is scaled by
 * the updater exactly like the loss gradient (as in the reference Caffe solver). Its JSON holds only
 * {@code rho} (informational: the live rho is the bound ADMM variable's) and the layer key.
 */
public final class AdmmPenalty extends BoundRegularization {

    private static final long serialVersionUID = 1L;

    private double rho;

    @JsonCreator
    public AdmmPenalty(@JsonProperty("layerKey") String layerKey, @JsonProperty("rho") double rho) {
        super(layerKey);
        this.rho = rho;
    }

    public double getRho() {
        return rho;
    }

    /** Records the current rho in the configuration (so a saved model shows it). */
    public void setRho(double rho) {
        this.rho = rho;
    }

    /**
     * The ADMM variable whose penalty this hook adds, or null while ADMM is off for the layer: for training loops
     * that fuse {@code rho * (W - Z + U)} into their own update instead of calling {@link #apply}.
     */
    public AdmmVariable activeVariable() {
        return hooks().admm();
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        hooks().addPenaltyGradient(param, gradView);
    }

    /**
     * Zero: DL4J's score, the loss shown during training, stays the data loss. DL4J evaluates this on every
     * iteration, and the penalty's full pass over the weights cost 3 % of a LeNet-300-100 step; the ADMM
     * progress is reported once per round instead, as primal and dual residuals.
     */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    @Override
    public AdmmPenalty clone() {
        AdmmPenalty copy = new AdmmPenalty(layerKey, rho);
        copy.hooks = hooks;
        return copy;
    }

    @Override
    public String toString() {
        return "AdmmPenalty(" + layerKey + ", rho=" + rho + ")";
    }
}
