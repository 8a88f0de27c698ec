package io.admmnn.experiments.pipeline;

import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A user's constraint set that bounds values as well as zeros: {@code S = { w : nnz(w) <= k, |w_i| <= 0.05 }}.
 * Its projection keeps the k largest magnitudes, then clips them (exact: clipping does not change which k are the
 * largest). It does not say it is a sparsity pattern, so retraining must project onto it.
 */
public record ClippedTopK(double ratio) implements Projection {

    /** The bound on every weight's magnitude. */
    public static final double BOUND = 0.05;

    @Override
    public void projectInPlace(INDArray v) {
        new TopKSparsity(ratio).projectInPlace(v);
        v.assign(Transforms.min(Transforms.max(v, -BOUND, false), BOUND, false));
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        return new TopKSparsity(ratio).isFeasible(v, tolerance) && v.amaxNumber().doubleValue() <= BOUND + tolerance;
    }

    @Override
    public String describe() {
        return "top-k clipped to abs(w) <= " + BOUND + " (ratio " + ratio + ")";
    }
}
