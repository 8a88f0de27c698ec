package io.admmnn.core.admm;

/**
 * The penalty parameter rho as a function of the ADMM round (round 0 = the first W-step).
 *
 * <p>The reference Caffe code keeps rho fixed; the group's later PyTorch code multiplies it by 1.3 per
 * Z/U update, which converges more reliably ("it works better to make rho monotonically increasing").
 */
public interface RhoSchedule {

    /** rho for the W-step of {@code round} (0-based). */
    double rho(int round);

    /** Constant rho. */
    static RhoSchedule fixed(double rho) {
        return new Geometric(rho, 1.0, rho);
    }

    /** {@code rho_k = min(initial * factor^k, max)}, e.g. {@code geometric(1e-3, 1.3, 1.0)}. */
    static RhoSchedule geometric(double initial, double factor, double max) {
        return new Geometric(initial, factor, max);
    }

    /**
     * Geometric growth with a cap: {@code rho_k = min(initial * factor^k, max)}.
     *
     * @param initial rho of round 0, &gt; 0
     * @param factor  growth per round, &gt;= 1 (1 = fixed)
     * @param max     upper bound, &gt;= initial
     */
    record Geometric(double initial, double factor, double max) implements RhoSchedule {
        public Geometric {
            if (!(initial > 0) || !(factor >= 1) || !(max >= initial)) {
                throw new IllegalArgumentException(
                        "rho schedule needs initial > 0, factor >= 1, max >= initial; got " + initial + ", "
                                + factor + ", " + max);
            }
        }

        @Override
        public double rho(int round) {
            return Math.min(max, initial * Math.pow(factor, round));
        }
    }
}
