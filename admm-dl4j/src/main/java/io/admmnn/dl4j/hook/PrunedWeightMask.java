package io.admmnn.dl4j.hook;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Freezes masked weights: multiplies the weight <em>update</em> by a 0/1 mask after the updater has run
 * ({@link ApplyStep#POST_UPDATER}), so a weight that is zero and masked receives an update of exactly 0
 * and stays exactly 0, whatever the optimizer's momentum or Adam moments hold. One instance serves W (in the
 * layer's regularization list), one the bias b ({@code bias = true}, in its bias regularization list: the biases
 * of output units a filter projection removed). Does nothing while the layer has no such mask. Its JSON holds only
 * the layer key and whether it masks b (absent in models saved before there was a bias mask: W).
 */
public final class PrunedWeightMask extends BoundRegularization {

    private static final long serialVersionUID = 1L;

    private final boolean bias;

    @JsonCreator
    public PrunedWeightMask(@JsonProperty("layerKey") String layerKey, @JsonProperty("bias") boolean bias) {
        super(layerKey);
        this.bias = bias;
    }

    /** The mask of a layer's weights W. */
    public PrunedWeightMask(String layerKey) {
        this(layerKey, false);
    }

    /** Whether this masks the bias b (else W). */
    public boolean isBias() {
        return bias;
    }

    /**
     * The 0/1 mask this hook multiplies the update by (shaped and ordered like W, or like b), or null while the layer
     * has none: for training loops that fuse it into their own update instead of calling {@link #apply}.
     */
    public INDArray activeMask() {
        return bias ? hooks().biasMask() : hooks().mask();
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.POST_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        if (bias) {
            hooks().maskBiasUpdate(gradView);
        } else {
            hooks().maskUpdate(gradView);
        }
    }

    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    @Override
    public PrunedWeightMask clone() {
        PrunedWeightMask copy = new PrunedWeightMask(layerKey, bias);
        copy.hooks = hooks;
        return copy;
    }

    @Override
    public String toString() {
        return "PrunedWeightMask(" + layerKey + (bias ? ", b" : "") + ")";
    }
}
