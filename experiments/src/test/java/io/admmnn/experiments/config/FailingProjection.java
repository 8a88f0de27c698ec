package io.admmnn.experiments.config;

import io.admmnn.core.projection.Projection;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A user projection with a bug, as a user's jar might hold one: {@link LeadingZeros} for the first calls, then
 * {@code projectInPlace} throws. A test sets how many calls succeed, so that a run fails before training or in the
 * middle of it.
 */
public final class FailingProjection implements Projection {

    /** What the failing call says. */
    public static final String MESSAGE = "no room for this shape";

    private static final AtomicInteger CALLS_LEFT = new AtomicInteger(Integer.MAX_VALUE);

    private final LeadingZeros set;

    /** @param ratio fraction of weights forced to zero while it still works */
    public FailingProjection(double ratio) {
        set = new LeadingZeros(ratio);
    }

    /** From now on, {@code calls} calls of {@code projectInPlace} (of any instance) succeed and the next ones throw. */
    public static void failAfter(int calls) {
        CALLS_LEFT.set(calls);
    }

    @Override
    public void projectInPlace(INDArray v) {
        if (CALLS_LEFT.getAndDecrement() <= 0) {
            throw new IllegalStateException(MESSAGE);
        }
        set.projectInPlace(v);
    }

    @Override
    public boolean isFeasible(INDArray v, double tolerance) {
        return set.isFeasible(v, tolerance);
    }

    @Override
    public String describe() {
        return "failing " + set.describe();
    }
}
