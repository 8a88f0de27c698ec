package io.admmnn.experiments.cli;

import io.admmnn.core.projection.Projection;
import io.admmnn.core.quantization.BitAllocation;
import io.admmnn.core.quantization.BitAllocator;
import io.admmnn.core.quantization.BitBudget;
import io.admmnn.core.quantization.BopsAllocation;
import io.admmnn.core.quantization.BopsBitAllocator;
import io.admmnn.core.quantization.LayerBopsCosts;
import io.admmnn.core.quantization.LayerBitCosts;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.analysis.ParetoFront;
import io.admmnn.experiments.analysis.SensitivityAnalysis;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.data.ImageDataset;
import io.admmnn.experiments.data.ShuffledBatches;
import io.admmnn.experiments.pipeline.ModelSource;
import io.admmnn.experiments.pipeline.ProjectionSpec;
import io.admmnn.experiments.pipeline.Provenance;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.pipeline.SavedModels;
import io.admmnn.experiments.zoo.ZooModel;
import io.admmnn.hardware.layer.NetworkShape;
import io.admmnn.hardware.plan.ChannelBopsPlanner;
import io.admmnn.hardware.plan.ChannelPlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.DoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code admm-nn analyze ...}: questions asked of a trained network before or after compressing it. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Analyses of trained networks: per-layer pruning sensitivity, bit widths under a size budget, "
                + "accuracy vs compression over several runs; channels kept per layer for a BOPs target; BOPs with "
                + "removed channels of runs made before they were counted.",
        subcommands = {AnalyzeCommand.Sensitivity.class, AnalyzeCommand.Bits.class, AnalyzeCommand.Channels.class,
            AnalyzeCommand.Pareto.class, AnalyzeCommand.Bops.class})
final class AnalyzeCommand implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger("admm-nn");

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code analyze sensitivity}: accuracy when one layer alone is pruned, over a sweep of ratios. */
    @Command(name = "sensitivity", mixinStandardHelpOptions = true,
            description = "Prune each layer alone with the real projection over a sweep of ratios and measure test "
                    + "accuracy; writes sensitivity.csv and sensitivity.png.")
    static final class Sensitivity implements Callable<Integer> {

        @Option(names = "--run", description = "results folder or model file (model.zip, model.admmnn, checkpoint.zip)")
        Path run;

        @Option(names = "--model", description = "instead of --run: train this zoo model's dense baseline first "
                + "(lenet-300-100, lenet-5)")
        String model;

        @Option(names = "--epochs", description = "training epochs of the --model baseline (default: ${DEFAULT-VALUE})",
                defaultValue = "1")
        int epochs;

        @Option(names = "--train-limit", description = "--model: train on the first N images (0 = all) (default: ${DEFAULT-VALUE})",
                defaultValue = "0")
        int trainLimit;

        @Option(names = "--seed", description = "--model: seed of weights and data order (default: ${DEFAULT-VALUE})",
                defaultValue = "42")
        long seed;

        @Option(names = "--ratios", split = ",", description = "pruning ratios to try (default: ${DEFAULT-VALUE})",
                defaultValue = "0.5,0.7,0.8,0.9,0.95,0.98,0.99")
        List<Double> ratios;

        @Option(names = "--structure", description = "elements (top-k), filter, channel, column, block:<rows>x<cols> "
                + "(e.g. block:4x4), or the class name of your own Projection (default: ${DEFAULT-VALUE})",
                defaultValue = "elements")
        String structure;

        @Option(names = "--layers", split = ",", description = "layers to analyse (default: all with weights)")
        List<String> layers = new ArrayList<>();

        @Option(names = "--test-limit", description = "evaluate on the first N test images (0 = all) (default: ${DEFAULT-VALUE})",
                defaultValue = "0")
        int testLimit;

        @Option(names = "--out", description = "output folder (default: results/analysis/sensitivity-<model>)")
        Path out;

        @Option(names = "--dataset", description = "data set of the test images and the --model baseline: mnist or "
                + "fashion-mnist (default: the --run's own data set, else mnist)")
        String dataset;

        @Option(names = "--data-dir", description = "folder of the data set's files (default: its default folder)")
        Path dataDir;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if ((run == null) == (model == null)) {
                throw new IllegalArgumentException("give either --run <results folder or model file> or --model <id>");
            }
            if (epochs < 0 || trainLimit < 0 || testLimit < 0) {
                throw new IllegalArgumentException("--epochs, --train-limit and --test-limit must be >= 0");
            }
            if (model != null && !ModelSource.isBuiltIn(model) && java.nio.file.Files.exists(Path.of(model))) {
                throw new IllegalArgumentException("--model trains a built-in model first; analyse your saved network "
                        + "with --run " + model);
            }
            DoubleFunction<Projection> projection = projection(structure);
            TrainableNetwork net = run != null ? SavedModels.load(run) : null; // a bad path fails before data loading
            DatasetId set = DatasetId.byId(dataset != null ? dataset : runDataset());
            if (net == null) {
                ZooModel.byId(model).requireFits(set); // before any data is fetched
            }
            Path data = set.ensureAvailable(dataDir != null ? dataDir : set.defaultDirectory(), LOG::info);
            String name;
            if (net == null) {
                ZooModel zoo = ZooModel.byId(model);
                name = zoo.id();
                net = trainBaseline(zoo, set.train(data));
            } else {
                name = run.toAbsolutePath().normalize().getFileName().toString();
            }
            ImageDataset test = set.test(data);
            SensitivityAnalysis.Result result = SensitivityAnalysis.run(net,
                    ShuffledBatches.inOrder(testLimit > 0 ? test.first(testLimit) : test, 1000), layers, ratios, projection);
            Path dir = out != null ? out : Path.of("results", "analysis", "sensitivity-" + name);
            SensitivityAnalysis.write(result, dir, Provenance.collect(CommandLineText.of(spec), seed),
                    String.format(Locale.ROOT, "%s, %d test images", set.displayName(),
                            testLimit > 0 ? Math.min(testLimit, test.size()) : test.size()));
            System.out.println(SensitivityAnalysis.table(result));
            System.out.println("written: " + dir.resolve(SensitivityAnalysis.CSV_FILE) + ", "
                    + dir.resolve(SensitivityAnalysis.CHART_FILE));
            return 0;
        }

        /** The data set recorded in the --run's report.json; MNIST when there is none. */
        private String runDataset() throws java.io.IOException {
            RunRecord rec = run == null ? null : SavedModels.record(run);
            return rec != null && rec.plan != null ? rec.plan.dataset() : DatasetId.MNIST.id();
        }

        private TrainableNetwork trainBaseline(ZooModel zoo, ImageDataset train) {
            TrainableNetwork net = TrainableNetwork.of(zoo.build(seed, 1e-3));
            ShuffledBatches batches = ShuffledBatches.training(trainLimit > 0 ? train.first(trainLimit) : train, 64, seed);
            for (int e = 0; e < epochs; e++) {
                batches.setEpoch(e);
                net.fitEpoch(batches);
                LOG.info("baseline {} epoch {}/{} trained", zoo.id(), e + 1, epochs);
            }
            return net;
        }

        /** The constraint set per ratio that {@code --structure} names (any set of a YAML file except nm). */
        static DoubleFunction<Projection> projection(String structure) {
            String key = structure.toLowerCase(Locale.ROOT);
            ProjectionSpec spec;
            if (key.equals("elements") || key.equals("top-k")) {
                spec = ProjectionSpec.TOP_K;
            } else if (key.startsWith("block:")) {
                String[] rc = key.substring("block:".length()).split("x");
                if (rc.length != 2 || !rc[0].matches("[0-9]+") || !rc[1].matches("[0-9]+")) {
                    throw new IllegalArgumentException("--structure block:<rows>x<cols>, e.g. block:4x4, was '" + structure + "'");
                }
                spec = new ProjectionSpec("block", Integer.parseInt(rc[0]), Integer.parseInt(rc[1]), null, null);
            } else if (key.equals("nm") || key.equals("block")) {
                throw new IllegalArgumentException(key.equals("nm") ? "--structure nm: N:M fixes its ratio (1 - N/M), "
                        + "so there is no ratio to sweep" : "--structure block needs its shape: block:<rows>x<cols>");
            } else {
                String singular = key.endsWith("s") ? key.substring(0, key.length() - 1) : key; // "filters" too
                spec = ProjectionSpec.of(ProjectionSpec.BUILT_IN.contains(singular) ? singular : structure);
            }
            spec.create(0.5); // a user class that cannot be loaded fails here, before any training
            return spec::create;
        }
    }

    /** {@code analyze bits}: bits per layer minimising quantization error under a size budget. */
    @Command(name = "bits", mixinStandardHelpOptions = true,
            description = "Choose bits per layer for the surviving (non-zero) weights that minimise the total squared "
                    + "quantization error (scale fitted per layer and width) under a model-size budget, or under a "
                    + "BOPs budget (--bops-reduction); exact.")
    static final class Bits implements Callable<Integer> {

        @Option(names = "--run", required = true, description = "results folder or model file (model.zip, model.admmnn, checkpoint.zip)")
        Path run;

        @Option(names = "--budget-bytes", description = "bytes allowed for the layers' values and indices")
        Long budgetBytes;

        @Option(names = "--ratio", description = "instead of --budget-bytes: size reduction vs 32-bit dense weights, e.g. 200")
        Double ratio;

        @Option(names = "--bits", split = ",", description = "candidate bit widths (default: ${DEFAULT-VALUE})",
                defaultValue = "1,2,3,4,5,6,7,8")
        int[] candidates;

        @Option(names = "--layers", split = ",", description = "layers to quantize (default: all with weights)")
        List<String> layers = new ArrayList<>();

        @Option(names = "--conv-index-bits", description = "index bits per non-zero of conv layers, counted in the budget "
                + "(default: ${DEFAULT-VALUE}: values only)", defaultValue = "0")
        double convIndexBits;

        @Option(names = "--fc-index-bits", description = "index bits per non-zero of FC layers (default: ${DEFAULT-VALUE})",
                defaultValue = "0")
        double fcIndexBits;

        @Option(names = "--bops-reduction", description = "instead of a size budget: BOPs (MACs x b_w x b_a) this many "
                + "times fewer than 32 x 32-bit dense over the chosen layers, e.g. 50; needs a results folder")
        Double bopsReduction;

        @Option(names = "--activation-bits", description = "with --bops-reduction: b_a of every chosen layer (default: "
                + "the network's activation quantizers', 32 where it has none)")
        Integer activationBits;

        @Option(names = "--power-of-two", description = "with --bops-reduction: only widths that are powers of two")
        boolean powerOfTwo;

        @Option(names = "--dense-macs", description = "with --bops-reduction: count every MAC (dense execution), not "
                + "only those on non-zero weights (zero-skipping hardware)")
        boolean denseMacs;

        @Override
        public Integer call() throws Exception {
            int budgets = (budgetBytes != null ? 1 : 0) + (ratio != null ? 1 : 0) + (bopsReduction != null ? 1 : 0);
            if (budgets != 1) {
                throw new IllegalArgumentException("give one of --budget-bytes N, --ratio R or --bops-reduction R");
            }
            if (bopsReduction == null && (activationBits != null || powerOfTwo || denseMacs)) {
                throw new IllegalArgumentException("--activation-bits, --power-of-two and --dense-macs go with "
                        + "--bops-reduction");
            }
            if (activationBits != null && (activationBits < 1 || activationBits > 32)) {
                throw new IllegalArgumentException("--activation-bits must be in [1, 32], was " + activationBits);
            }
            for (int b : candidates) {
                if (b < 1 || b > 16) {
                    throw new IllegalArgumentException("--bits must be in [1, 16], was " + b);
                }
            }
            TrainableNetwork net = SavedModels.load(run);
            List<ConstrainableLayer> chosen = layers.isEmpty() ? net.constrainableLayers()
                    : layers.stream().map(net::layer).toList();
            List<LayerBitCosts> costs = new ArrayList<>();
            for (ConstrainableLayer l : chosen) {
                costs.add(LayerBitCosts.measure(l.name(), FlatValues.readDoubles(l.weights()),
                        l.isConvolution() ? convIndexBits : fcIndexBits, candidates, 1.0));
            }
            if (bopsReduction != null) {
                System.out.println(bopsTable(net, costs));
                return 0;
            }
            BitBudget budget = budgetBytes != null ? BitBudget.bytes(budgetBytes) : BitBudget.compressionRatio(ratio, costs);
            BitAllocation a = BitAllocator.allocate(costs, budget);
            System.out.println(table(a, costs));
            return 0;
        }

        /** The BOPs-budget allocation: b_w per layer with b_a fixed, MACs from one forward pass of the run's input. */
        private String bopsTable(TrainableNetwork net, List<LayerBitCosts> costs) throws java.io.IOException {
            RunRecord rec = SavedModels.record(run);
            if (rec == null) {
                throw new IllegalArgumentException("--bops-reduction needs a results folder (its report.json gives the "
                        + "input shape for counting MACs), not " + run);
            }
            var count = io.admmnn.experiments.pipeline.BopsTable.count(net, org.nd4j.linalg.factory.Nd4j.zeros(
                    org.nd4j.linalg.api.buffer.DataType.FLOAT, rec.exampleShape()), java.util.Map.of());
            java.util.Map<String, io.admmnn.hardware.cost.LayerBops> byLayer = new java.util.HashMap<>();
            count.layers().forEach(l -> byLayer.put(l.layer(), l));
            List<LayerBopsCosts> layers = new ArrayList<>();
            for (LayerBitCosts c : costs) {
                var l = byLayer.get(c.layer());
                if (l == null) {
                    throw new IllegalArgumentException("layer " + c.layer() + ": its MACs are unknown (no output size)");
                }
                int ba = activationBits != null ? activationBits : l.activationBits();
                layers.add(new LayerBopsCosts(c.layer(), denseMacs ? l.macsDense() : l.macsNonZero(), c.errors(),
                        java.util.Map.of(ba, 0.0)));
            }
            BopsAllocation a = BopsBitAllocator.allocate(layers,
                    BopsBitAllocator.budgetForReduction(layers, bopsReduction), powerOfTwo);
            StringBuilder md = new StringBuilder("| layer | MACs | b_w | b_a | BOPs | squared error |\n"
                    + "|---|---:|---:|---:|---:|---:|\n");
            for (int i = 0; i < layers.size(); i++) {
                BopsAllocation.Layer l = a.layers().get(i);
                md.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d | %,d | %.4g |%n", l.layer(),
                        layers.get(i).macs(), l.weightBits(), l.activationBits(), l.bops(), l.error()));
            }
            md.append(String.format(Locale.ROOT, "%nTotal: %,d BOPs (%s MACs%s), %.1fx fewer than 32 x 32-bit dense "
                            + "(%,d; budget %.1fx); total squared error %.4g.%n", a.bops(),
                    denseMacs ? "all" : "non-zero", powerOfTwo ? ", widths powers of two" : "", a.reduction(),
                    a.referenceBops(), bopsReduction, a.error()));
            return md.toString();
        }

        static String table(BitAllocation a, List<LayerBitCosts> costs) {
            StringBuilder md = new StringBuilder("| layer | weights | non-zeros | bits | value bits | index bits | squared error "
                    + "| error at " + costs.get(0).errors().keySet().stream().reduce((x, y) -> y).orElseThrow()
                    + " bits |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
            long dense = 0;
            for (int i = 0; i < costs.size(); i++) {
                LayerBitCosts c = costs.get(i);
                BitAllocation.Layer l = a.layers().get(i);
                double widest = c.errors().values().stream().reduce((x, y) -> y).orElseThrow();
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %.0f | %.4g | %.4g |%n", l.layer(),
                        c.denseWeights(), c.nonZeros(), l.bits(), l.valueBits(), c.indexBits(), l.error(), widest));
                dense += c.denseWeights();
            }
            md.append(String.format(Locale.ROOT, "%nTotal: %d value bits + %.0f index bits = %.0f bytes (budget %.0f bytes); "
                            + "%.1fx smaller than 32-bit dense weights; total squared error %.4g.%n", a.valueBits(),
                    a.indexBits(), Math.ceil(a.totalBits() / 8), Math.floor(a.budgetBits() / 8), a.compressionRatio(dense),
                    a.error()));
            return md.toString();
        }
    }

    /** {@code analyze channels}: output channels kept per layer and bits for a BOPs target, as experiment YAML. */
    @Command(name = "channels", mixinStandardHelpOptions = true,
            description = "Choose the output channels kept per layer (filter pruning; a layer's removed outputs are "
                    + "the next layer's removed inputs) so that the network at the given bits runs a BOPs target "
                    + "(MACs x b_w x b_a) below the unpruned network at 32 x 32 bits: the largest smallest kept "
                    + "fraction (exact), then the rest of the budget channel by channel. Prints a table and the "
                    + "layers: and quantize: sections of an experiment file. No training.")
    static final class Channels implements Callable<Integer> {

        @Option(names = "--model", required = true, description = "lenet-300-100, lenet-5 or vgg-7-quarter")
        String model;

        @Option(names = "--bops-reduction", required = true, description = "BOPs this many times fewer than the "
                + "unpruned network at 32 x 32 bits, e.g. 230")
        double bopsReduction;

        @Option(names = "--weight-bits", description = "b_w of every layer (default: ${DEFAULT-VALUE})", defaultValue = "4")
        int weightBits;

        @Option(names = "--activation-bits", description = "b_a (bits of the layer's input) of every layer "
                + "(default: ${DEFAULT-VALUE})", defaultValue = "4")
        int activationBits;

        @Option(names = "--first-layer-activation-bits", description = "b_a of the first layer, whose input is the "
                + "image (default: --activation-bits)")
        Integer firstLayerActivationBits;

        @Option(names = "--layers", split = ",", description = "layers that may lose output channels (default: all "
                + "but the last, whose outputs are the classes)")
        List<String> layers = new ArrayList<>();

        @Option(names = "--min-keep", description = "smallest fraction of a layer's output channels kept "
                + "(default: ${DEFAULT-VALUE})", defaultValue = "0.1")
        double minKeep;

        @Option(names = "--no-fill", description = "keep the smallest kept fraction's channels only: leave the rest "
                + "of the budget unspent instead of giving it back channel by channel")
        boolean noFill;

        @Override
        public Integer call() {
            int firstBits = firstLayerActivationBits != null ? firstLayerActivationBits : activationBits;
            for (int b : new int[]{weightBits, activationBits, firstBits}) {
                if (b < 1 || b > 16) {
                    throw new IllegalArgumentException("bits must be in [1, 16], was " + b);
                }
            }
            NetworkShape network = NetworkShape.byName(model);
            ChannelPlan plan = new ChannelBopsPlanner(minKeep, !noFill).plan(network, bopsReduction,
                    ChannelBopsPlanner.LayerBits.uniform(network, weightBits, activationBits, firstBits),
                    layers.isEmpty() ? ChannelBopsPlanner.allButLast(network) : new java.util.LinkedHashSet<>(layers));
            System.out.println(table(plan, !noFill));
            System.out.println(yaml(plan));
            return 0;
        }

        static String table(ChannelPlan plan, boolean filled) {
            StringBuilder md = new StringBuilder("| layer | channels kept | b_w | b_a | MACs | BOPs |\n"
                    + "|---|---:|---:|---:|---:|---:|\n");
            for (ChannelPlan.Layer l : plan.layers()) {
                md.append(String.format(Locale.ROOT, "| %s | %d / %d | %d | %d | %,d | %,d |%n", l.layer(), l.kept(),
                        l.total(), l.weightBits(), l.activationBits(), l.macs(), l.bops()));
            }
            long macs = plan.layers().stream().mapToLong(ChannelPlan.Layer::macs).sum();
            md.append(String.format(Locale.ROOT, "%nTotal: %,d MACs, %,d BOPs: %.1fx fewer than the unpruned network "
                            + "at 32 x 32 bits (%,d; target %.4gx)%s.%n", macs, plan.bops(), plan.reduction(),
                    plan.referenceBops(), plan.targetReduction(), filled
                            ? "; the largest smallest kept fraction, then the rest of the budget channel by channel"
                            : "; the largest smallest kept fraction"));
            return md.toString();
        }

        /** The {@code layers:} and {@code quantize:} sections that prune and quantize to {@code plan}. */
        static String yaml(ChannelPlan plan) {
            StringBuilder y = new StringBuilder("# experiment file sections (filter pruning keeps round((1 - ratio) x "
                    + "outputs) channels):\nlayers:\n");
            java.util.Map<String, Integer> weightBits = new java.util.LinkedHashMap<>();
            java.util.Map<String, Integer> activationBits = new java.util.LinkedHashMap<>();
            for (ChannelPlan.Layer l : plan.layers()) {
                y.append("  ").append(l.layer()).append(l.kept() < l.total()
                        ? ": {ratio: " + ratioText(l.kept(), l.total()) + ", projection: filter}\n" : ": {ratio: 0.0}\n");
                weightBits.put(l.layer(), l.weightBits());
                activationBits.put(l.layer(), l.activationBits());
            }
            return y.append("quantize:\n  bits: ").append(bitsText(weightBits)).append("\n  activations:\n    bits: ")
                    .append(bitsText(activationBits)).append('\n').toString();
        }

        /**
         * {@code 1 - kept / total} exactly where 4 decimal places hold it, else the shortest decimal (3 places at
         * least) that still keeps {@code kept}.
         */
        static String ratioText(int kept, int total) {
            java.math.BigDecimal removed = java.math.BigDecimal.valueOf(total - kept);
            java.math.BigDecimal all = java.math.BigDecimal.valueOf(total);
            java.math.BigDecimal exact = removed.divide(all, 4, java.math.RoundingMode.HALF_EVEN);
            if (exact.multiply(all).compareTo(removed) == 0) {
                return exact.stripTrailingZeros().toPlainString();
            }
            for (int places = 3; ; places++) {
                java.math.BigDecimal r = removed.divide(all, places, java.math.RoundingMode.HALF_EVEN);
                if (Math.round((1 - r.doubleValue()) * total) == kept) {
                    return r.stripTrailingZeros().toPlainString();
                }
            }
        }

        /** {@code {"*": b}} when every layer has {@code b}, else one entry per layer (a glob may match a layer once). */
        private static String bitsText(java.util.Map<String, Integer> bits) {
            if (bits.values().stream().distinct().count() == 1) {
                return "{\"*\": " + bits.values().iterator().next() + "}";
            }
            return bits.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(java.util.stream.Collectors.joining(", ", "{", "}"));
        }
    }

    /** {@code analyze pareto DIR...}: accuracy vs compression of several runs with the Pareto front. */
    @Command(name = "pareto", mixinStandardHelpOptions = true,
            description = "Plot final test accuracy vs compression of several results folders and mark the Pareto "
                    + "front; writes pareto.md, pareto.csv and pareto.png.")
    static final class Pareto implements Callable<Integer> {

        @Parameters(arity = "1..*", description = "results folders (each with report.json)")
        List<Path> runs;

        @Option(names = "--x", description = "weights (weight compression) or size (stored bits with indices vs "
                + "32-bit dense) (default: ${DEFAULT-VALUE})", defaultValue = "weights")
        String x;

        @Option(names = "--out", description = "output folder (default: ${DEFAULT-VALUE})", defaultValue = "results/analysis/pareto")
        Path out;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            boolean size = switch (x.toLowerCase(Locale.ROOT)) {
                case "weights" -> false;
                case "size" -> true;
                default -> throw new IllegalArgumentException("--x must be weights or size, was '" + x + "'");
            };
            List<ParetoFront.Point> points = ParetoFront.of(runs, size);
            System.out.println(ParetoFront.write(points, size ? "size reduction with indices (x)" : "weight compression (x)",
                    out, Provenance.collect(CommandLineText.of(spec), 0)));
            System.out.println("written: " + out.resolve(ParetoFront.REPORT_FILE) + ", " + out.resolve(ParetoFront.CSV_FILE)
                    + ", " + out.resolve(ParetoFront.CHART_FILE));
            return 0;
        }
    }

    /** {@code analyze bops DIR...}: BOPs with removed channels of finished ADMM runs that lack them. */
    @Command(name = "bops", mixinStandardHelpOptions = true,
            description = "For finished ADMM runs made before the pipeline counted BOPs with removed channels: fold "
                    + "the dead channels of the saved network in memory as a run's end does, check the test accuracy "
                    + "is unchanged, and write the count (bopsChannels, noted as counted afterwards) into report.json "
                    + "and report.md. Nothing else in report.json changes; the model files are not rewritten.")
    static final class Bops implements Callable<Integer> {

        @Parameters(arity = "1..*", description = "results folders (each with report.json and model.zip)")
        List<Path> runs;

        @Option(names = "--force", description = "count again a run whose report.json has bopsChannels already")
        boolean force;

        @Option(names = "--data-dir", description = "folder of the runs' data set (default: its default folder)")
        Path dataDir;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String countedBy = CommandLineText.of(spec) + " (commit "
                    + io.admmnn.experiments.pipeline.BuildInfo.current().commitText()
                    + (io.admmnn.experiments.pipeline.BuildInfo.current().dirty() ? ", built with uncommitted changes" : "")
                    + ")";
            for (Path run : runs) {
                RunRecord rec = io.admmnn.experiments.pipeline.ChannelRecount.recount(run, dataDir, force, countedBy,
                        LOG::info);
                var c = rec.bopsChannels;
                System.out.println(String.format(Locale.ROOT, "%s: BOPs with removed channels %,d (%.1fx fewer than "
                                + "32 x 32-bit dense); test accuracy %.2f%% before and after the fold; report.json "
                                + "(bopsChannels) and report.md rewritten, model files not", run, c.bops(),
                        c.reduction(), 100 * c.accuracyBeforeFold()));
            }
            return 0;
        }
    }
}
