package io.admmnn.core.admm;

/**
 * Convergence measures of one constrained parameter after one Z/U update (Boyd et al., section 3.3).
 *
 * @param name         the parameter (layer) name
 * @param round        the ADMM round that just ended (0-based)
 * @param rho          the rho used in that round's W-step
 * @param primal       primal residual {@code ||W - Z||_F} with the new Z: distance of W from the constraint set
 * @param dual         dual residual {@code rho * ||Z - Z_prev||_F}: how much the constraint target moved
 * @param weightNorm   {@code ||W||_F}, to read the primal residual relatively
 */
public record Residuals(String name, int round, double rho, double primal, double dual, double weightNorm) {

    /** {@code ||W - Z|| / ||W||}, 0 for an all-zero W. */
    public double relativePrimal() {
        return weightNorm == 0 ? 0 : primal / weightNorm;
    }
}
