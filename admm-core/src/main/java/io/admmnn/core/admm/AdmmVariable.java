package io.admmnn.core.admm;

import io.admmnn.core.projection.Projection;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.core.tensor.Subnormals;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ADMM state of one constrained parameter W in scaled form: the auxiliary copy Z in S, the scaled dual U
 * and the penalty rho. The W-step minimises {@code loss(W) + rho/2 ||W - Z + U||_F^2}; the Z/U update is
 * {@code Z = Proj_S(W + U)}, {@code U = U + W - Z}.
 *
 * <p>Z and U are always private, detached arrays shaped and ordered like W (never aliases of W), so that
 * flat views of Z and U line up element for element with DL4J's flat parameter and gradient views.
 * Z starts at {@code Proj_S(W)} (not W, which would leave the first W-step without any pull) and U at 0.
 */
public final class AdmmVariable {

    private final String name;
    private final Projection projection;
    private final INDArray z;
    private final INDArray u;
    /** Z - U, constant during a W-step: the penalty gradient is rho * (W - target). */
    private final INDArray target;
    private final INDArray targetFlat;
    /** How many times {@link #target} has been recomputed (see {@link #targetVersion}). */
    private long targetVersion;
    private double rho;

    private AdmmVariable(String name, Projection projection, INDArray z, INDArray u, double rho) {
        this.name = name;
        this.projection = projection;
        this.z = z;
        this.u = u;
        this.target = FlatValues.detachedCopy(z);
        this.targetFlat = FlatValues.flatView(target);
        refreshTarget();
        this.rho = checkRho(rho);
    }

    /** Starts ADMM for {@code w}: {@code Z = Proj_S(W)}, {@code U = 0}. {@code w} is not modified. */
    public static AdmmVariable start(String name, INDArray w, Projection projection, double rho) {
        return new AdmmVariable(name, projection, projection.project(w), FlatValues.detachedZerosLike(w), rho);
    }

    /** Restores a variable from saved Z and U (copied; shapes must match). */
    public static AdmmVariable restore(String name, Projection projection, INDArray z, INDArray u, double rho) {
        if (!java.util.Arrays.equals(z.shape(), u.shape())) {
            throw new IllegalArgumentException(name + ": Z and U shapes differ");
        }
        return new AdmmVariable(name, projection, FlatValues.detachedCopy(z), FlatValues.detachedCopy(u), rho);
    }

    /**
     * One Z/U update after a W-step: {@code Z = Proj_S(W + U)}, {@code U = U + W - Z}; values of Z and U
     * below 1e-30 in magnitude are then set to zero ({@link Subnormals}).
     *
     * @param w     the current weights (not modified)
     * @param round the round whose W-step just ended, for the returned record
     * @return the primal and dual residuals of this update
     */
    public Residuals update(INDArray w, int round) {
        checkShape(w);
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            INDArray zPrevious = z.dup(z.ordering());
            INDArray target = w.dup(z.ordering()).addi(u);
            projection.projectInPlace(target);
            z.assign(target);
            u.addi(w).subi(z);
            Subnormals.flushToZero(z);
            Subnormals.flushToZero(u);
            refreshTarget();
            double primal = w.distance2(z);
            double dual = rho * z.distance2(zPrevious);
            return new Residuals(name, round, rho, primal, dual, w.norm2Number().doubleValue());
        }
    }

    /**
     * Adds the gradient of the penalty, {@code rho * (W - Z + U)}, to {@code gradient} in place.
     * Both arguments are either shaped like W or rank-1 views in W's own ordering (DL4J hands a
     * regularization one or the other depending on the layer).
     */
    public void addPenaltyGradient(INDArray w, INDArray gradient) {
        INDArray t = like(target, targetFlat, w);
        if (sameLinearLayout(w, gradient) && sameLinearLayout(t, gradient)) {
            // Two in-place BLAS axpy calls and no temporary: this runs on every training step.
            var blas = Nd4j.getBlasWrapper().level1();
            blas.axpy(gradient.length(), rho, w, gradient);
            blas.axpy(gradient.length(), -rho, t, gradient);
        } else {
            gradient.addi(w.sub(t).muli(rho));
        }
    }

    /** Whether both arrays are contiguous with the same shape and ordering, so BLAS sees them element for element. */
    private static boolean sameLinearLayout(INDArray a, INDArray b) {
        return java.util.Arrays.equals(a.shape(), b.shape()) && (a.rank() == 1 || a.ordering() == b.ordering())
                && a.elementWiseStride() == 1 && b.elementWiseStride() == 1 && a.dataType() == b.dataType();
    }

    private void refreshTarget() {
        target.assign(z).subi(u);
        targetVersion++;
    }

    /** The penalty {@code rho/2 * ||W - Z + U||_F^2}; {@code w} shaped like W or rank-1 in W's ordering. */
    public double penalty(INDArray w) {
        INDArray t = like(target, targetFlat, w);
        return 0.5 * rho * w.squaredDistance(t);
    }

    private INDArray like(INDArray shaped, INDArray flat, INDArray w) {
        if (w.rank() == 1 && shaped.rank() != 1) {
            return flat;
        }
        checkShape(w);
        return shaped;
    }

    /**
     * Changes rho. In scaled form U = y / rho, so keeping the dual variable y unchanged requires
     * {@code U *= rho_old / rho_new} (Boyd et al., section 3.4.1); {@code rescaleDual=false} reproduces
     * reference code that multiplies rho without touching U.
     */
    public void setRho(double newRho, boolean rescaleDual) {
        checkRho(newRho);
        if (rescaleDual && newRho != rho) {
            u.muli(rho / newRho);
            refreshTarget();
        }
        rho = newRho;
    }

    public String name() {
        return name;
    }

    public Projection projection() {
        return projection;
    }

    public double rho() {
        return rho;
    }

    /** The current Z (a live, detached array; do not modify). */
    public INDArray z() {
        return z;
    }

    /**
     * {@code Z - U}, the point the W-step penalty pulls W towards (its gradient is {@code rho * (W - target)}),
     * shaped and ordered like W: a live, detached array, updated in place by {@link #update} and {@link #setRho};
     * do not modify. For training loops that fuse the penalty into their own update.
     */
    public INDArray penaltyTarget() {
        return target;
    }

    /**
     * How many times {@link #penaltyTarget} has been recomputed (by the constructor, {@link #update} and a
     * rescaling {@link #setRho}): a training loop that keeps its own copy of the target, e.g. in a narrower number
     * type, refreshes that copy when this count changes.
     */
    public long targetVersion() {
        return targetVersion;
    }

    /** The current scaled dual U (a live, detached array; do not modify). */
    public INDArray u() {
        return u;
    }

    private void checkShape(INDArray w) {
        if (!java.util.Arrays.equals(w.shape(), z.shape())) {
            throw new IllegalArgumentException(name + ": weights have shape " + java.util.Arrays.toString(w.shape())
                    + " but ADMM state has " + java.util.Arrays.toString(z.shape()));
        }
    }

    private static double checkRho(double rho) {
        if (!(rho > 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("rho must be positive and finite, was " + rho);
        }
        return rho;
    }
}
