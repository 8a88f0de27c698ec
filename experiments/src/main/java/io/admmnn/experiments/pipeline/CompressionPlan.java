package io.admmnn.experiments.pipeline;

import io.admmnn.experiments.zoo.ZooModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that determines a pruning run: pretrain, then ADMM rounds, hard projection, masked retraining.
 *
 * @param model         built-in model id (see {@link ZooModel})
 * @param seed          seeds weight initialisation and the per-epoch data order
 * @param batchSize     minibatch size of every phase
 * @param trainLimit    use only the first N training images (0 = all 60,000)
 * @param testLimit     evaluate on the first N test images (0 = all 10,000)
 * @param pretrain      dense training before compression
 * @param admm          the ADMM phase
 * @param retrain       masked retraining after the hard projection
 * @param pruningRatios fraction of weights removed per layer name, each in [0, 1)
 */
public record CompressionPlan(String model, long seed, int batchSize, int trainLimit, int testLimit,
                              Training pretrain, Admm admm, Training retrain, Map<String, Double> pruningRatios) {

    /**
     * A phase of ordinary (or masked) training.
     *
     * @param epochs            passes over the training set
     * @param learningRate      Adam step size of the first epoch
     * @param learningRateDecay factor applied to the learning rate after each epoch (1 = constant)
     */
    public record Training(int epochs, double learningRate, double learningRateDecay) {
        /** Learning rate of epoch {@code e} (0-based) of this phase. */
        public double learningRate(int e) {
            return learningRate * Math.pow(learningRateDecay, e);
        }
    }

    /**
     * The ADMM phase: {@code rounds} W-steps of {@code epochsPerRound} epochs each, each followed by a Z/U
     * update; rho of round k is {@code min(rho * rhoGrowth^k, rhoMax)}.
     */
    public record Admm(int rounds, int epochsPerRound, double learningRate, double rho, double rhoGrowth,
                       double rhoMax, boolean rescaleDual) {
    }

    public CompressionPlan {
        ZooModel.byId(model);
        require(batchSize > 0, "batchSize must be positive");
        require(trainLimit >= 0 && testLimit >= 0, "trainLimit and testLimit must be >= 0 (0 = all)");
        require(pretrain.epochs() >= 0 && retrain.epochs() >= 0, "epochs must be >= 0");
        require(admm.rounds() >= 1 && admm.epochsPerRound() >= 1, "ADMM needs at least 1 round of 1 epoch");
        require(admm.rho() > 0 && admm.rhoGrowth() >= 1 && admm.rhoMax() >= admm.rho(),
                "ADMM rho needs rho > 0, rhoGrowth >= 1, rhoMax >= rho");
        require(!pruningRatios.isEmpty(), "pruningRatios names no layer");
        pruningRatios.forEach((layer, r) -> require(r != null && r >= 0 && r < 1,
                "pruning ratio of layer '" + layer + "' must be in [0, 1), was " + r));
        pruningRatios = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pruningRatios));
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Number of ADMM/training steps: pretrain epochs, ADMM rounds, the hard projection, retrain epochs. */
    public int stepCount() {
        return pretrain.epochs() + admm.rounds() + 1 + retrain.epochs();
    }

    /** The built-in plans: "quick" (a few minutes, for a first look) and "full" (the published-style run). */
    public static CompressionPlan preset(String name, ZooModel model) {
        String key = name.toLowerCase(Locale.ROOT);
        Map<String, Double> ratios = defaultRatios(model);
        return switch (key) {
            case "quick" -> new CompressionPlan(model.id(), 42, 64, 0, 0,
                    new Training(2, 1e-3, 1.0),
                    new Admm(4, 1, 1e-3, 0.02, 1.5, 1.0, true),
                    new Training(2, 5e-4, 0.7), ratios);
            case "full" -> new CompressionPlan(model.id(), 42, 64, 0, 0,
                    new Training(15, 1e-3, 0.9),
                    new Admm(12, 2, 1e-3, 0.02, 1.3, 1.0, true),
                    new Training(20, 5e-4, 0.9), ratios);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "'; presets: quick, full");
        };
    }

    /**
     * Default per-layer pruning ratios: LeNet-300-100 about 44x overall (fc1 98.2 %, fc2 95 %, fc3 75 %
     * removed); LeNet-5 the ECCV'18 ADMM model's ratios (conv1 80 %, conv2 92 %, ip1 99.1 %, ip2 93 %, 71.2x).
     */
    public static Map<String, Double> defaultRatios(ZooModel model) {
        Map<String, Double> r = new LinkedHashMap<>();
        switch (model) {
            case LENET_300_100 -> {
                r.put("fc1", 0.982);
                r.put("fc2", 0.95);
                r.put("fc3", 0.75);
            }
            case LENET_5 -> {
                r.put("conv1", 0.80);
                r.put("conv2", 0.92);
                r.put("ip1", 0.991);
                r.put("ip2", 0.93);
            }
        }
        return r;
    }

    /** A copy with other pruning ratios. */
    public CompressionPlan withRatios(Map<String, Double> ratios) {
        return new CompressionPlan(model, seed, batchSize, trainLimit, testLimit, pretrain, admm, retrain, ratios);
    }

    /** A copy with another seed. */
    public CompressionPlan withSeed(long newSeed) {
        return new CompressionPlan(model, newSeed, batchSize, trainLimit, testLimit, pretrain, admm, retrain,
                pruningRatios);
    }

    /** A copy that trains on the first {@code train} and evaluates on the first {@code test} images. */
    public CompressionPlan withLimits(int train, int test) {
        return new CompressionPlan(model, seed, batchSize, train, test, pretrain, admm, retrain, pruningRatios);
    }

    /** A copy with other phases. */
    public CompressionPlan withPhases(Training newPretrain, Admm newAdmm, Training newRetrain) {
        return new CompressionPlan(model, seed, batchSize, trainLimit, testLimit, newPretrain, newAdmm, newRetrain,
                pruningRatios);
    }
}
