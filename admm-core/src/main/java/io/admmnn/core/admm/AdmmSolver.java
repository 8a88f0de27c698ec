package io.admmnn.core.admm;

import io.admmnn.core.projection.Projection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The ADMM outer loop for {@code min loss(W) s.t. W_i in S_i}, independent of how the W-step is done.
 *
 * <p>Round k: set {@code rho_k} from the schedule; run the W-step (the caller minimises
 * {@code loss(W) + sum_i rho_i/2 ||W_i - Z_i + U_i||^2}, updating the live weight arrays in place, e.g. by
 * epochs of SGD whose gradients get {@link AdmmVariable#addPenaltyGradient}); then for each i
 * {@code Z_i = Proj(W_i + U_i)}, {@code U_i += W_i - Z_i}, and record the residuals.
 */
public final class AdmmSolver {

    /** Minimises the augmented loss for one round, changing the live weights in place. */
    @FunctionalInterface
    public interface WStep {
        void minimise(int round);
    }

    private final Map<String, INDArray> weights;
    private final Map<String, AdmmVariable> variables;
    private final RhoSchedule schedule;
    private final boolean rescaleDual;
    private int round;

    private AdmmSolver(Map<String, INDArray> weights, Map<String, AdmmVariable> variables, RhoSchedule schedule,
                       boolean rescaleDual, int round) {
        if (!weights.keySet().equals(variables.keySet())) {
            throw new IllegalArgumentException("weights " + weights.keySet() + " and ADMM variables "
                    + variables.keySet() + " name different parameters");
        }
        this.weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));
        this.variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        this.schedule = schedule;
        this.rescaleDual = rescaleDual;
        this.round = round;
    }

    /**
     * Starts ADMM on live weight arrays: for each name, {@code Z = Proj(W)}, {@code U = 0}, rho = schedule(0).
     *
     * @param weights     live parameter arrays (views into a network are fine), by name
     * @param projections the constraint set of each named parameter (same keys)
     * @param rescaleDual whether U is rescaled when rho changes (see {@link AdmmVariable#setRho})
     */
    public static AdmmSolver start(Map<String, INDArray> weights, Map<String, Projection> projections,
                                   RhoSchedule schedule, boolean rescaleDual) {
        if (!weights.keySet().equals(projections.keySet())) {
            throw new IllegalArgumentException("weights " + weights.keySet() + " and projections "
                    + projections.keySet() + " name different parameters");
        }
        Map<String, AdmmVariable> variables = new LinkedHashMap<>();
        weights.forEach((name, w) ->
                variables.put(name, AdmmVariable.start(name, w, projections.get(name), schedule.rho(0))));
        return new AdmmSolver(weights, variables, schedule, rescaleDual, 0);
    }

    /** Continues a saved run at {@code round} (the next round to execute) with restored variables. */
    public static AdmmSolver resume(Map<String, INDArray> weights, Map<String, AdmmVariable> variables,
                                    RhoSchedule schedule, boolean rescaleDual, int round) {
        return new AdmmSolver(weights, variables, schedule, rescaleDual, round);
    }

    /** Runs one round (rho update, W-step, Z/U update) and returns each parameter's residuals. */
    public List<Residuals> runRound(WStep wStep) {
        double rho = schedule.rho(round);
        variables.values().forEach(v -> v.setRho(rho, rescaleDual));
        wStep.minimise(round);
        List<Residuals> residuals = new ArrayList<>(variables.size());
        variables.forEach((name, v) -> residuals.add(v.update(weights.get(name), round)));
        round++;
        return residuals;
    }

    /** Runs rounds until {@code totalRounds} have been done (counting earlier ones), reporting each. */
    public List<List<Residuals>> runUntil(int totalRounds, WStep wStep,
                                          java.util.function.Consumer<List<Residuals>> afterEachRound) {
        List<List<Residuals>> history = new ArrayList<>();
        while (round < totalRounds) {
            List<Residuals> r = runRound(wStep);
            history.add(r);
            afterEachRound.accept(r);
        }
        return history;
    }

    /** Number of completed rounds. */
    public int round() {
        return round;
    }

    /** The ADMM variables by parameter name, in insertion order. */
    public Map<String, AdmmVariable> variables() {
        return variables;
    }

    /** The live weights by parameter name. */
    public Map<String, INDArray> weights() {
        return weights;
    }
}
