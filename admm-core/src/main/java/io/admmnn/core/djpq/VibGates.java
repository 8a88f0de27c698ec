package io.admmnn.core.djpq;

/**
 * Statistics of one VIB channel gate {@code z = mu + eps * sigma}, {@code sigma^2 = exp(logD)} (VIBNet, Dai et al.,
 * ICML 2018), in terms of its signal-to-noise ratio {@code snr = mu^2 / sigma^2 = mu^2 exp(-logD)}.
 *
 * <p>Math: KL term {@code kl = 1/2 log(1 + snr)}; a channel is kept when {@code snr > t} (t = 1 is VIBNet's
 * {@code log alpha < 0}); the expected-activity surrogate used by the BOPs term is {@code p = snr / (snr + t)},
 * which is 1/2 exactly at the pruning threshold, tends to 1 for clearly kept and to 0 for clearly pruned gates. This
 * surrogate is this project's choice (the DJPQ paper's exact form could not be read). Units: dimensionless.
 */
public final class VibGates {

    private VibGates() {
    }

    /** {@code mu^2 exp(-logD)}. */
    public static double snr(double mu, double logD) {
        return mu * mu * Math.exp(-logD);
    }

    /** {@code 1/2 log(1 + snr)}. */
    public static double kl(double mu, double logD) {
        return 0.5 * Math.log1p(snr(mu, logD));
    }

    /** {@code d kl / d mu = mu exp(-logD) / (1 + snr)}. */
    public static double klByMu(double mu, double logD) {
        return mu * Math.exp(-logD) / (1.0 + snr(mu, logD));
    }

    /** {@code d kl / d logD = -1/2 snr / (1 + snr)}. */
    public static double klByLogD(double mu, double logD) {
        double s = snr(mu, logD);
        return -0.5 * s / (1.0 + s);
    }

    /** Whether the channel survives pruning: {@code snr > threshold}. */
    public static boolean kept(double mu, double logD, double threshold) {
        return snr(mu, logD) > threshold;
    }

    /** The expected-activity surrogate {@code p = snr / (snr + t)}. */
    public static double activeProbability(double mu, double logD, double threshold) {
        double s = snr(mu, logD);
        return s / (s + threshold);
    }

    /** {@code d p / d mu = t / (snr + t)^2 * 2 mu exp(-logD)}. */
    public static double activeProbabilityByMu(double mu, double logD, double threshold) {
        double s = snr(mu, logD);
        return threshold / ((s + threshold) * (s + threshold)) * 2.0 * mu * Math.exp(-logD);
    }

    /** {@code d p / d logD = -t snr / (snr + t)^2}. */
    public static double activeProbabilityByLogD(double mu, double logD, double threshold) {
        double s = snr(mu, logD);
        return -threshold * s / ((s + threshold) * (s + threshold));
    }
}
