package io.admmnn.experiments.config;

import io.admmnn.core.io.ErrorText;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.ModelSource;
import io.admmnn.experiments.pipeline.ProjectionSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One experiment as one YAML file, read into a {@link CompressionPlan}. Keys (optional ones with their default):
 *
 * <pre>
 * model: lenet-5            # zoo id (lenet-300-100, lenet-5, vgg-7-quarter, alexnet), or your own saved
 *                           # network: a DL4J ModelSerializer zip, an .admmnn file or a results folder (see
 *                           # ModelSource)
 * startFrom: results/run    # optional: a saved network of that architecture whose weights replace the model's
 *                           # (a results folder, model.zip or model.admmnn)
 *                           # (a relative path: from the working directory, else from the project root, so
 *                           # that the committed configs find the committed results from anywhere)
 * dataset: mnist            # see DatasetId
 * seed: 42                  # optional
 * batchSize: 64             # optional
 * trainLimit: 0             # optional, first N training images, 0 = all
 * testLimit: 0              # optional, first N test images, 0 = all
 * pretrain: {epochs: 6, learningRate: 1.0e-3, learningRateDecay: 0.8}        # decay optional, 1
 * admm:
 *   rounds: 5               # 0 = magnitude pruning without ADMM
 *   epochsPerRound: 1
 *   learningRate: 3.0e-4
 *   rho: 0.003              # rho of round k: min(rho * rhoGrowth^k, rhoMax)
 *   rhoGrowth: 1.5          # optional, 1
 *   rhoMax: 0.2             # optional, no cap (rho * rhoGrowth^(rounds-1))
 *   rescaleDual: true       # optional, true
 *   stages: 2               # optional, 1
 *   stageRetrainEpochs: 3   # optional, 0
 * retrain: {epochs: 8, learningRate: 5.0e-4, learningRateDecay: 0.8}
 * quantize:                 # optional: ADMM quantization after pruning
 *   bits: {conv*: 3, ip1: 2, ip2: 3}
 *   rounds: 6               # optional, and so are all below (defaults of CompressionPlan.Quantize)
 *   epochsPerRound: 1
 *   learningRate: 1.0e-4
 *   rho: 0.01
 *   rhoGrowth: 1.5
 *   rhoMax: 1.0
 *   freezeFractions: [0.3, 0.3, 0.3, 1.0]
 *   epochsPerFreeze: 2
 *   retrainLearningRate: 5.0e-5   # of the quantized retraining epochs; learningRate if left out
 *   activations:            # optional: fake-quantize these layers' inputs from the stage's start on
 *     bits: {conv2: 8, ip*: 4}       # layer (whose input is quantized) -> b_a, 1..16
 *     percentile: 100                # optional: range = this percentile of the input magnitudes
 *     calibrationBatches: 4          # optional: training batches the ranges are fitted on
 * storage: {convIndexBits: 8, fcIndexBits: 5}                                # optional
 * images:                   # optional, image-folder only (see CompressionPlan.Images); each key optional
 *   size: 32x32             # HEIGHTxWIDTH the network takes; default read from the network
 *   resize: crop            # crop (shorter side to scaleTo, centre crop) or stretch (to exactly size)
 *   scaleTo: 36             # crop: shorter side before cropping, default the larger of height and width
 *   normalization: mean-std # unit (value / 255), caffe (minus ImageNet mean, 0..255), mean-std
 *   mean: [0.49, 0.48, 0.45]  # mean-std: per channel, [0, 1] units
 *   std: [0.25, 0.24, 0.26]
 * method: admm              # optional: admm (the sections above and below), or djpq: then instead of admm,
 *                           # retrain, quantize, storage and layers one section
 * djpq:
 *   epochs: 3               # joint training: CE + klWeight * KL + bopsWeight * BOPs / BOPs_dense
 *   learningRate: 1.0e-3
 *   learningRateDecay: 1.0  # optional, and so are the next ten (defaults shown)
 *   klWeight: 1.0e-5        # gamma, weight of the VIB gates' KL term
 *   gateThreshold: 1.0      # a channel is pruned when mu^2 / sigma^2 <= this
 *   bopsWeight: 0.1         # beta
 *   powerOfTwo: false       # bit widths restricted to 2, 4, 8, 16
 *   initialWeightBits: 8
 *   initialActivationBits: 8
 *   gateLearningRateFactor: 10  # the gates' learning rate / learningRate
 *   targetReduction: 0      # 0: off; R > 1: the BOPs term acts only while the network as it would be exported
 *                           # has more than 1/R of the 32 x 32-bit dense BOPs
 *   quantizerLearningRateFactor: 1  # the quantizers' (step, range) learning rate / learningRate
 *   gates: learned          # or fixed: the starting network's non-zero channels kept, only the bits learned
 *   finetune: {epochs: 2, learningRate: 2.0e-4}   # pruned channels removed, bits fixed
 * layers:                   # layer name or glob (* and ?) -> target
 *   conv*: {ratio: 0.9, projection: filter}
 *   ip1: {ratio: 0.99, projection: {type: block, blockRows: 4, blockCols: 4}}
 *   ip2: {projection: {type: nm, n: 2, m: 4}}        # ratio optional for nm: 1 - n/m
 * </pre>
 *
 * <p>{@code projection} is a built-in name ({@code topk} default, {@code filter}, {@code channel}, {@code column},
 * {@code block}, {@code nm}) or a user class, see {@link ProjectionSpec}. Every mistake (unknown or missing key,
 * wrong type, value out of range, a pattern matching no layer, a layer matched twice, a projection class that
 * cannot be used) is a {@link ConfigException} naming the file, the key path and the line.
 */
public final class ExperimentFile {

    private static final String RANGE_POSITIVE = "must be > 0";
    private static final String RANGE_NON_NEGATIVE = "must be >= 0";

    private ExperimentFile() {
    }

    /** Reads and validates {@code file}. */
    public static CompressionPlan load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), 0, "", "cannot read the file (" + e + ")");
        }
        return parse(text, file.toString());
    }

    /** Reads and validates the YAML {@code text}; {@code file} names it in messages. */
    public static CompressionPlan parse(String text, String file) {
        ConfigSection root = new ConfigSection(file, "", YamlTree.parse(text, file));
        String method = root.has("method") ? root.string("method") : "admm";
        if (!method.equals("admm") && !method.equals("djpq")) {
            throw root.error("method", "must be admm or djpq, was '" + method + "'");
        }
        boolean djpq = method.equals("djpq");
        if (djpq) {
            root.allowOnly("method", "model", "dataset", "seed", "batchSize", "trainLimit", "testLimit", "pretrain",
                    "djpq", "startFrom", "images");
        } else {
            root.allowOnly("method", "model", "dataset", "seed", "batchSize", "trainLimit", "testLimit", "pretrain",
                    "admm", "retrain", "quantize", "storage", "layers", "startFrom", "images");
        }
        String modelName = root.string("model");
        ModelSource model;
        List<String> layerNames;
        try {
            model = ModelSource.of(modelName);
            layerNames = new ArrayList<>(model.weightCounts().keySet());
        } catch (IllegalArgumentException e) {
            throw root.error("model", e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw root.error("model", ErrorText.describe(e.getCause()));
        }
        String startFrom = root.has("startFrom") ? startFrom(root, model) : null;
        String dataset = root.string("dataset");
        try {
            DatasetId set = DatasetId.byId(dataset);
            if (model instanceof ModelSource.BuiltIn builtIn) {
                builtIn.model().requireFits(set);
            }
        } catch (IllegalArgumentException e) {
            throw root.error("dataset", e.getMessage());
        }
        long seed = root.integer("seed", 42, v -> true, "");
        int batchSize = root.integer("batchSize", 64, v -> v > 0, RANGE_POSITIVE);
        int trainLimit = root.integer("trainLimit", 0, v -> v >= 0, RANGE_NON_NEGATIVE + " (0 = all)");
        int testLimit = root.integer("testLimit", 0, v -> v >= 0, RANGE_NON_NEGATIVE + " (0 = all)");
        CompressionPlan.Training pretrain = training(root.section("pretrain"));
        if (djpq) {
            CompressionPlan.Djpq d = djpq(root.section("djpq"));
            CompressionPlan.Images djpqImages = root.optionalSection("images").map(ExperimentFile::images).orElse(null);
            return root.build(() -> CompressionPlan.djpq(model.id(), dataset, seed, batchSize, trainLimit, testLimit,
                    pretrain, d, startFrom, djpqImages));
        }
        CompressionPlan.Admm admm = admm(root.section("admm"));
        CompressionPlan.Training retrain = training(root.section("retrain"));
        ConfigSection layers = root.section("layers");
        if (layers.keys().isEmpty()) {
            throw root.error("layers", "names no layer");
        }
        Map<String, Double> ratios = new LinkedHashMap<>();
        Map<String, ProjectionSpec> projections = new LinkedHashMap<>();
        Map<String, LayerTarget> byKey = new LinkedHashMap<>();
        LayerPatterns.resolve(layers, layerNames, model.name()).forEach((layer, key) -> {
            LayerTarget t = byKey.computeIfAbsent(key, k -> target(layers, k));
            ratios.put(layer, t.ratio());
            projections.put(layer, t.projection());
        });

        CompressionPlan.Quantize quantize = root.optionalSection("quantize")
                .map(q -> quantize(q, layerNames, model.name(), ratios.keySet())).orElse(null);
        CompressionPlan.Storage storage = root.optionalSection("storage").map(ExperimentFile::storage)
                .orElse(CompressionPlan.Storage.DEFAULT);
        CompressionPlan.Images images = root.optionalSection("images").map(ExperimentFile::images).orElse(null);
        return root.build(() -> new CompressionPlan(model.id(), dataset, seed, batchSize, trainLimit, testLimit,
                pretrain, admm, retrain, ratios, quantize, storage, projections, startFrom, images));
    }

    /** What one key of {@code layers:} sets for every layer it matches. */
    private record LayerTarget(double ratio, ProjectionSpec projection) {
    }

    private static LayerTarget target(ConfigSection layers, String key) {
        if (!layers.isSection(key)) {
            throw layers.error(key, "expected a mapping with ratio and optional projection, e.g. {ratio: 0.9}");
        }
        ConfigSection s = layers.section(key).allowOnly("ratio", "projection");
        ProjectionSpec spec = s.has("projection") ? projection(s) : ProjectionSpec.TOP_K;
        Double fixed = spec.fixedRatio();
        double ratio;
        if (fixed != null && !s.has("ratio")) {
            ratio = fixed;
        } else {
            ratio = s.number("ratio", r -> r >= 0 && r < 1, "must be in [0, 1) (the fraction of weights removed)");
            if (fixed != null && Math.abs(fixed - ratio) > 1e-9) {
                throw s.error("ratio", "nm " + spec.n() + ":" + spec.m() + " removes " + fixed
                        + " of the weights; leave ratio out or set it to that");
            }
        }
        try {
            spec.create(ratio); // a user class that cannot be found or constructed fails here, with its line
        } catch (IllegalArgumentException e) {
            throw s.error("projection", e.getMessage());
        }
        return new LayerTarget(ratio, spec);
    }

    private static ProjectionSpec projection(ConfigSection layer) {
        if (!layer.isSection("projection")) {
            String type = layer.string("projection");
            try {
                return ProjectionSpec.of(type);
            } catch (IllegalArgumentException e) {
                throw layer.error("projection", e.getMessage());
            }
        }
        ConfigSection p = layer.section("projection").allowOnly("type", "blockRows", "blockCols", "n", "m");
        String type = p.string("type");
        Integer rows = p.has("blockRows") ? p.integer("blockRows", v -> v >= 1, "must be >= 1") : null;
        Integer cols = p.has("blockCols") ? p.integer("blockCols", v -> v >= 1, "must be >= 1") : null;
        Integer n = p.has("n") ? p.integer("n", v -> v >= 1, "must be >= 1") : null;
        Integer m = p.has("m") ? p.integer("m", v -> v >= 1, "must be >= 1") : null;
        return p.build(() -> new ProjectionSpec(type, rows, cols, n, m));
    }

    /** The saved network {@code startFrom} names, found ({@link #findStartFrom}) and checked against {@code model}. */
    private static String startFrom(ConfigSection root, ModelSource model) {
        String written = root.string("startFrom");
        Path found = findStartFrom(written);
        if (found == null) {
            throw root.error("startFrom", "no such file or folder: " + Path.of(written).toAbsolutePath());
        }
        try {
            model.loadSameArchitecture(found);
        } catch (IllegalArgumentException e) {
            throw root.error("startFrom", e.getMessage());
        } catch (IOException e) {
            throw root.error("startFrom", ErrorText.describe(e));
        }
        return found.toString();
    }

    /**
     * Where a {@code startFrom} path is: as given (absolute, or relative to the working directory), else relative to
     * the project root ({@code admmnn.root}, which scripts/admm-nn sets) or to a folder above the working directory;
     * null if none has it.
     */
    private static Path findStartFrom(String startFrom) {
        Path given = Path.of(startFrom);
        if (Files.exists(given)) {
            return given;
        }
        if (given.isAbsolute()) {
            return null;
        }
        return ProjectRoots.candidates().stream().map(r -> r.resolve(given)).filter(Files::exists).findFirst()
                .orElse(null);
    }

    private static CompressionPlan.Training training(ConfigSection s) {
        s.allowOnly("epochs", "learningRate", "learningRateDecay");
        int epochs = s.integer("epochs", v -> v >= 0, RANGE_NON_NEGATIVE);
        double lr = s.number("learningRate", v -> v > 0, RANGE_POSITIVE);
        double decay = s.number("learningRateDecay", 1.0, v -> v > 0 && v <= 1, "must be in (0, 1]");
        return s.build(() -> new CompressionPlan.Training(epochs, lr, decay));
    }

    private static CompressionPlan.Djpq djpq(ConfigSection s) {
        s.allowOnly("epochs", "learningRate", "learningRateDecay", "klWeight", "gateThreshold", "bopsWeight",
                "powerOfTwo", "initialWeightBits", "initialActivationBits", "gateLearningRateFactor", "targetReduction",
                "quantizerLearningRateFactor", "gates", "finetune");
        int epochs = s.integer("epochs", v -> v >= 1, "must be >= 1");
        double lr = s.number("learningRate", v -> v > 0, RANGE_POSITIVE);
        double decay = s.number("learningRateDecay", 1.0, v -> v > 0 && v <= 1, "must be in (0, 1]");
        double kl = s.number("klWeight", 1e-5, v -> v >= 0, RANGE_NON_NEGATIVE);
        double threshold = s.number("gateThreshold", 1.0, v -> v > 0, RANGE_POSITIVE);
        double bops = s.number("bopsWeight", 0.1, v -> v >= 0, RANGE_NON_NEGATIVE);
        boolean pow2 = s.bool("powerOfTwo", false);
        int wBits = s.integer("initialWeightBits", 8, v -> v >= 2 && v <= 16, "must be in [2, 16]");
        int aBits = s.integer("initialActivationBits", 8, v -> v >= 1 && v <= 16, "must be in [1, 16]");
        double gateFactor = s.number("gateLearningRateFactor", CompressionPlan.Djpq.DEFAULT_GATE_RATE_FACTOR, v -> v > 0,
                RANGE_POSITIVE);
        double target = s.number("targetReduction", 0.0, v -> v == 0 || v > 1, "must be 0 (off) or > 1");
        double quantizerFactor = s.number("quantizerLearningRateFactor", 1.0, v -> v > 0, RANGE_POSITIVE);
        String gates = s.has("gates") ? s.string("gates") : CompressionPlan.Djpq.GATES_LEARNED;
        CompressionPlan.Training finetune = training(s.section("finetune"));
        return s.build(() -> new CompressionPlan.Djpq(epochs, lr, decay, kl, threshold, bops, pow2, wBits, aBits,
                finetune, gateFactor, target, quantizerFactor, gates));
    }

    private static CompressionPlan.Admm admm(ConfigSection s) {
        s.allowOnly("rounds", "epochsPerRound", "learningRate", "rho", "rhoGrowth", "rhoMax", "rescaleDual", "stages",
                "stageRetrainEpochs");
        int rounds = s.integer("rounds", v -> v >= 0, RANGE_NON_NEGATIVE + " (0 = magnitude pruning without ADMM)");
        int epochsPerRound = s.integer("epochsPerRound", v -> v >= 1, "must be >= 1");
        double lr = s.number("learningRate", v -> v > 0, RANGE_POSITIVE);
        double rho = s.number("rho", v -> v > 0, RANGE_POSITIVE);
        double growth = s.number("rhoGrowth", 1.0, v -> v >= 1, "must be >= 1");
        // Without a cap rho follows the geometric schedule to its last round.
        double rhoMax = s.number("rhoMax", rho * Math.pow(growth, Math.max(0, rounds - 1)), v -> v >= rho,
                "must be >= rho (" + rho + ")");
        boolean rescale = s.bool("rescaleDual", true);
        int stages = s.integer("stages", 1, v -> v >= 1, "must be >= 1");
        int stageRetrain = s.integer("stageRetrainEpochs", 0, v -> v >= 0, RANGE_NON_NEGATIVE);
        return s.build(() -> new CompressionPlan.Admm(rounds, epochsPerRound, lr, rho, growth, rhoMax, rescale, stages,
                stageRetrain));
    }

    private static CompressionPlan.Quantize quantize(ConfigSection s, List<String> layerNames, String model,
                                                     java.util.Set<String> pruned) {
        s.allowOnly("bits", "rounds", "epochsPerRound", "learningRate", "rho", "rhoGrowth", "rhoMax",
                "freezeFractions", "epochsPerFreeze", "retrainLearningRate", "activations");
        Map<String, Integer> bits = bitsPerLayer(s, layerNames, model);
        for (String layer : bits.keySet()) {
            if (!pruned.contains(layer)) { // else the run would fail only when quantization begins, hours in
                throw s.error("bits", layer + " is not under layers: quantization continues the pruning session;"
                        + " add " + layer + ": {ratio: 0.0} to quantize it unpruned");
            }
        }
        int rounds = s.integer("rounds", CompressionPlan.Quantize.DEFAULT_ROUNDS, v -> v >= 0,
                RANGE_NON_NEGATIVE + " (0 = round to the nearest level without ADMM)");
        int epochsPerRound = s.integer("epochsPerRound", CompressionPlan.Quantize.DEFAULT_EPOCHS_PER_ROUND,
                v -> v >= 1, "must be >= 1");
        double lr = s.number("learningRate", CompressionPlan.Quantize.DEFAULT_LEARNING_RATE, v -> v > 0, RANGE_POSITIVE);
        double rho = s.number("rho", CompressionPlan.Quantize.DEFAULT_RHO, v -> v > 0, RANGE_POSITIVE);
        double growth = s.number("rhoGrowth", CompressionPlan.Quantize.DEFAULT_RHO_GROWTH, v -> v >= 1, "must be >= 1");
        double rhoMax = s.number("rhoMax", CompressionPlan.Quantize.defaultRhoMax(rho), v -> v >= rho,
                "must be >= rho (" + rho + ")");
        List<Double> fractions = s.has("freezeFractions")
                ? s.numbers("freezeFractions", f -> f > 0 && f <= 1, "must be in (0, 1]")
                : CompressionPlan.Quantize.DEFAULT_FREEZE_FRACTIONS;
        if (fractions.isEmpty() || fractions.get(fractions.size() - 1) != 1.0) {
            throw s.error("freezeFractions", "must end with 1.0 (every weight on its level)");
        }
        int perFreeze = s.integer("epochsPerFreeze", CompressionPlan.Quantize.DEFAULT_EPOCHS_PER_FREEZE, v -> v >= 0,
                RANGE_NON_NEGATIVE);
        Double retrainLr = s.has("retrainLearningRate") ? s.number("retrainLearningRate", v -> v > 0, RANGE_POSITIVE) : null;
        CompressionPlan.Activations activations = s.optionalSection("activations")
                .map(a -> activations(a, layerNames, model)).orElse(null);
        return s.build(() -> new CompressionPlan.Quantize(bits, rounds, epochsPerRound, lr, rho, growth, rhoMax,
                fractions, perFreeze, retrainLr, activations));
    }

    /** The {@code bits} section of {@code s}: layer name or glob -> bits in [1, 16], at least one layer. */
    private static Map<String, Integer> bitsPerLayer(ConfigSection s, List<String> layerNames, String model) {
        ConfigSection bitsSection = s.section("bits");
        if (bitsSection.keys().isEmpty()) {
            throw s.error("bits", "names no layer");
        }
        Map<String, Integer> bits = new LinkedHashMap<>();
        LayerPatterns.resolve(bitsSection, layerNames, model).forEach((layer, key) ->
                bits.put(layer, bitsSection.integer(key, b -> b >= 1 && b <= 16, "must be in [1, 16]")));
        return bits;
    }

    private static CompressionPlan.Activations activations(ConfigSection s, List<String> layerNames, String model) {
        s.allowOnly("bits", "percentile", "calibrationBatches");
        Map<String, Integer> bits = bitsPerLayer(s, layerNames, model);
        double percentile = s.number("percentile", CompressionPlan.Activations.DEFAULT_PERCENTILE,
                v -> v > 0 && v <= 100, "must be in (0, 100] (100 = the largest input)");
        int batches = s.integer("calibrationBatches", CompressionPlan.Activations.DEFAULT_CALIBRATION_BATCHES,
                v -> v >= 1, "must be >= 1");
        return s.build(() -> new CompressionPlan.Activations(bits, percentile, batches));
    }

    private static CompressionPlan.Images images(ConfigSection s) {
        s.allowOnly("size", "resize", "scaleTo", "normalization", "mean", "std");
        String size = s.has("size") ? s.string("size") : null;
        String resize = s.has("resize") ? s.string("resize") : null;
        Integer scaleTo = s.has("scaleTo") ? s.integer("scaleTo", v -> v >= 1, "must be >= 1") : null;
        String normalization = s.has("normalization") ? s.string("normalization") : null;
        List<Double> mean = s.has("mean") ? s.numbers("mean", v -> true, "") : null;
        List<Double> std = s.has("std") ? s.numbers("std", v -> v > 0, RANGE_POSITIVE) : null;
        return s.build(() -> new CompressionPlan.Images(size, resize, scaleTo, normalization, mean, std));
    }

    private static CompressionPlan.Storage storage(ConfigSection s) {
        s.allowOnly("convIndexBits", "fcIndexBits");
        int conv = s.integer("convIndexBits", CompressionPlan.Storage.DEFAULT.convIndexBits(), v -> v >= 1 && v <= 16, "must be in [1, 16]");
        int fc = s.integer("fcIndexBits", CompressionPlan.Storage.DEFAULT.fcIndexBits(), v -> v >= 1 && v <= 16, "must be in [1, 16]");
        return s.build(() -> new CompressionPlan.Storage(conv, fc));
    }
}
