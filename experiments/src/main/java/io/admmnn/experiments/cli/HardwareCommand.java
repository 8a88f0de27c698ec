package io.admmnn.experiments.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.io.ErrorText;
import io.admmnn.experiments.bench.BackendInfo;
import io.admmnn.experiments.inference.BreakEvenReport;
import io.admmnn.experiments.inference.KernelSweep;
import io.admmnn.experiments.inference.ProjectScripts;
import io.admmnn.experiments.pipeline.Provenance;
import io.admmnn.hardware.breakeven.HardwareProfile;
import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.breakeven.MeasuredProfiles;
import io.admmnn.hardware.breakeven.SparseAcceleratorProfile;
import io.admmnn.hardware.cost.CostModel;
import io.admmnn.hardware.cost.EnergyTable;
import io.admmnn.hardware.cost.IndexFormat;
import io.admmnn.hardware.cost.LayerSetting;
import io.admmnn.hardware.cost.NetworkCost;
import io.admmnn.hardware.layer.NetworkShape;
import io.admmnn.hardware.plan.PruningPlan;
import io.admmnn.hardware.plan.PruningPlanner;
import io.admmnn.hardware.report.HardwareReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code admm-nn hardware ...}: cost reports, break-even ratios and pruning plans, without training. */
@Command(name = "hardware", mixinStandardHelpOptions = true,
        description = "Hardware cost model: per-layer MACs, storage with index overhead, BOPs, energy, break-even "
                + "pruning ratios and hardware-aware pruning plans.",
        subcommands = {HardwareCommand.Report.class, HardwareCommand.Plan.class, HardwareCommand.Measure.class,
                HardwareCommand.Alexnet.class})
final class HardwareCommand implements Runnable {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options shared by the subcommands. */
    static final class Common {
        @Option(names = "--network", description = "lenet-300-100, lenet-5, vgg-7-quarter or alexnet "
                + "(default: ${DEFAULT-VALUE})", defaultValue = "lenet-5")
        String network;

        @Option(names = "--profile", description = "accelerator:<conv factor>,<fc factor> (a sparse MAC costs that many "
                + "dense MACs) or measured:<profile.csv>[@<batch>] (written by `hardware measure`; batch 1 unless given)"
                + " (default: ${DEFAULT-VALUE})", defaultValue = "accelerator:2,3")
        String profile;

        @Option(names = "--index", description = "relative:<bits>, csr, bitmask or nm:<n>:<m> (default: ${DEFAULT-VALUE})",
                defaultValue = "relative:4")
        String index;

        @Option(names = "--weight-bits", description = "bits per stored weight (default: ${DEFAULT-VALUE})", defaultValue = "32")
        int weightBits;

        @Option(names = "--activation-bits", description = "bits per activation (default: ${DEFAULT-VALUE})", defaultValue = "32")
        int activationBits;

        @Option(names = "--energy", description = "energy table CSV (name,picojoules); default: Horowitz ISSCC 2014, 45 nm")
        Path energy;

        @Option(names = "--out", description = "folder for Markdown, CSV and PNG (default: results/hardware/<network>)")
        Path out;

        NetworkShape shape() {
            return NetworkShape.byName(network);
        }

        HardwareProfile profile() throws IOException {
            if (profile.startsWith("accelerator:")) {
                String[] f = profile.substring("accelerator:".length()).split(",");
                if (f.length != 2) {
                    throw new IllegalArgumentException("--profile accelerator:<conv factor>,<fc factor>, e.g. accelerator:2,3");
                }
                try {
                    return new SparseAcceleratorProfile(Double.parseDouble(f[0]), Double.parseDouble(f[1]));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--profile " + profile + ": the factors must be numbers, e.g. "
                            + "accelerator:2,3");
                }
            }
            if (profile.startsWith("measured:")) {
                String spec = profile.substring("measured:".length());
                int at = spec.lastIndexOf('@');
                int batch = 1;
                if (at > 0) {
                    try {
                        batch = Integer.parseInt(spec.substring(at + 1));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--profile " + profile + ": the batch after @ must be a "
                                + "number, e.g. measured:profile.csv@64");
                    }
                    spec = spec.substring(0, at);
                }
                Path csv = Path.of(spec);
                if (!Files.isRegularFile(csv)) {
                    throw new IllegalArgumentException("measured profile " + csv + " not found (write one with admm-nn hardware measure)");
                }
                MeasuredProfile measured = MeasuredProfiles.read(csv).at(batch);
                return new MeasuredProfile(csv + (batch == 1 && at < 0 ? "" : " at batch " + batch),
                        measured.measurements());
            }
            throw new IllegalArgumentException("unknown --profile '" + profile + "'; use accelerator:<conv>,<fc> or measured:<csv>");
        }

        CostModel model() throws IOException {
            return new CostModel(energy == null ? EnergyTable.horowitz45nm() : EnergyTable.load(energy), profile());
        }

        Path out(String what) throws IOException {
            Path dir = out != null ? out : Path.of("results", "hardware", network + (what.isEmpty() ? "" : "-" + what));
            Files.createDirectories(dir);
            return dir;
        }

        Map<String, LayerSetting> settings(Map<String, Double> kept) {
            IndexFormat format = IndexFormat.parse(index);
            Map<String, LayerSetting> s = new LinkedHashMap<>();
            kept.forEach((layer, k) -> s.put(layer, new LayerSetting(k, weightBits, activationBits, k < 1 ? format : null)));
            shape().layers().forEach(l -> s.putIfAbsent(l.name(), new LayerSetting(1, weightBits, activationBits, null)));
            return s;
        }
    }

    /** The table of command, commit and machine; the cost model draws no random numbers. */
    static String provenance(String command) {
        return Provenance.collect(command, 0).markdownTable(false) + "\n";
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Per-layer cost table of a network with given kept fractions.")
    static final class Report implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--kept", description = "kept fraction of a layer, e.g. --kept ip1=0.01 (repeatable; others dense)")
        Map<String, Double> kept = new LinkedHashMap<>();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            NetworkCost cost = common.model().evaluate(common.shape(), common.settings(kept));
            Path dir = common.out("report");
            String md = "# Hardware cost of " + common.network + "\n\n" + provenance(CommandLineText.of(spec))
                    + HardwareReport.costTable("Profile: " + common.profile().name(), cost);
            AtomicFile.writeString(dir.resolve("report.md"), md);
            AtomicFile.writeString(dir.resolve("layers.csv"), HardwareReport.csv(cost));
            AtomicFile.writeBytes(dir.resolve("macs.png"), HardwareReport.macsChartPng("MACs per layer", List.of("kept"),
                    List.of(cost)));
            System.out.println(md);
            return 0;
        }
    }

    @Command(name = "plan", mixinStandardHelpOptions = true,
            description = "Choose per-layer pruning ratios for a target, respecting break-even ratios; writes plan.json for `prune --plan`.")
    static final class Plan implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--target", required = true, description = "weights:<reduction> or macs:<reduction>")
        String target;

        @Option(names = "--priority", description = "macs (conv layers first) or weights (default: ${DEFAULT-VALUE})",
                defaultValue = "macs")
        String priority;

        @Option(names = "--first-floor", description = "smallest kept fraction of the first layer (default: ${DEFAULT-VALUE})",
                defaultValue = "0.2")
        double firstFloor;

        @Option(names = "--conv-floor", description = "smallest kept fraction of other conv layers (default: ${DEFAULT-VALUE})",
                defaultValue = "0.05")
        double convFloor;

        @Option(names = "--fc-floor", description = "smallest kept fraction of FC layers (default: ${DEFAULT-VALUE})",
                defaultValue = "0.01")
        double fcFloor;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            PruningPlanner.Priority p = switch (priority.toLowerCase(Locale.ROOT)) {
                case "macs" -> PruningPlanner.Priority.MACS;
                case "weights" -> PruningPlanner.Priority.WEIGHTS;
                default -> throw new IllegalArgumentException("--priority must be macs or weights, was " + priority);
            };
            PruningPlanner planner = new PruningPlanner(common.profile(), common.weightBits, IndexFormat.parse(common.index),
                    firstFloor, convFloor, fcFloor, 0.8);
            PruningPlan plan = planner.plan(common.shape(), PruningPlanner.Target.parse(target), p);
            NetworkCost cost = common.model().evaluate(common.shape(), common.settings(plan.keptFractions()));
            Path dir = common.out("plan");
            AtomicFile.write(dir.resolve("plan.json"), temp -> JSON.writeValue(temp.toFile(), plan));
            String md = "# Pruning plan for " + common.network + "\n\n" + provenance(CommandLineText.of(spec))
                    + HardwareReport.planTable(plan) + HardwareReport.costTable("Cost of the plan", cost);
            AtomicFile.writeString(dir.resolve("plan.md"), md);
            AtomicFile.writeString(dir.resolve("layers.csv"), HardwareReport.csv(cost));
            System.out.println(md);
            System.out.println("plan: " + dir.resolve("plan.json") + "  (use: admm-nn prune --model " + common.network
                    + " --plan " + dir.resolve("plan.json") + ")");
            return 0;
        }
    }

    @Command(name = "measure", mixinStandardHelpOptions = true,
            description = "Time admm-runtime's sparse kernels against the fastest dense kernels here (ND4J sgemm, "
                    + "DL4J/oneDNN convolution) for each layer shape at a sweep of kept fractions and batches; write "
                    + "the profile (profile.csv) that `hardware plan --profile measured:` and `infer --kernel-profile` "
                    + "read, breakeven.md and a chart per batch.")
    static final class Measure implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--repetitions", description = "timed samples per point, the median is kept (default: "
                + "${DEFAULT-VALUE})", defaultValue = "9")
        int repetitions;

        @Option(names = "--batches", split = ",", description = "batch sizes (default: ${DEFAULT-VALUE})",
                defaultValue = "1,64")
        List<Integer> batches;

        @Option(names = "--kept-fractions", split = ",", description = "kept fractions to measure (default: 1/256 to 1 "
                + "in factors of 2)")
        List<Double> keptFractions;

        @Option(names = "--kept-of", description = "a results folder whose model.admmnn's kept fraction per layer is "
                + "measured too, with a speed-up column (default for alexnet: ADMM-NN's 24.7x model)")
        Path keptOf;

        @Option(names = "--runtime-dense", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "also time admm-runtime's own dense kernel, an extra column (default: ${DEFAULT-VALUE})")
        boolean runtimeDense;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws IOException {
            NetworkShape shape = common.shape();
            Map<String, Double> extra = new LinkedHashMap<>();
            String extraName = null;
            if (keptOf != null) {
                extra.putAll(io.admmnn.experiments.inference.KeptFractions.ofRun(keptOf));
                extraName = keptOf.toString();
            } else if (shape.name().equals("alexnet")) {
                extra.putAll(io.admmnn.experiments.zoo.AdmmNnAlexNet.keptFractions());
                extraName = "ADMM-NN's 24.7x AlexNet";
            }
            extra.keySet().retainAll(shape.layers().stream().map(l -> l.name()).toList());
            double[] kept = keptFractions == null ? KernelSweep.Options.defaultKeptFractions()
                    : keptFractions.stream().mapToDouble(Double::doubleValue).toArray();
            KernelSweep.Options options = new KernelSweep.Options(batches, kept, extra, repetitions, runtimeDense);
            String command = CommandLineText.of(spec);
            String machine = Provenance.describeMachine();
            String denseKernels = KernelSweep.denseKernels();
            Map<String, String> backend = BackendInfo.summary();
            System.out.println("dense kernels: " + denseKernels);
            MeasuredProfiles profiles = KernelSweep.measure(shape, options, machine, System.out::println);
            Path dir = common.out("breakeven");
            AtomicFile.writeString(dir.resolve("profile.csv"), profiles.csv());
            for (int batch : profiles.batches()) {
                AtomicFile.writeBytes(dir.resolve("measured-batch-" + batch + ".png"), HardwareReport.measuredChartPng(
                        "admm-runtime sparse vs best dense kernel, " + shape.name() + ", batch " + batch,
                        profiles.at(batch)));
            }
            String md = BreakEvenReport.markdown(shape, profiles, extra, extraName,
                    Provenance.collect(command, KernelSweep.SEED), denseKernels, backend,
                    ProjectScripts.openBlasCores(BackendInfo.mappedBlas(), ProjectScripts.DEFAULT_PYTHON), repetitions);
            AtomicFile.writeString(dir.resolve("breakeven.md"), md);
            System.out.println(md);
            System.out.println("profile: " + dir.resolve("profile.csv") + "  (use: admm-nn hardware plan --profile measured:"
                    + dir.resolve("profile.csv") + ", or admm-nn infer DIR --kernel-profile " + dir.resolve("profile.csv")
                    + ")");
            return 0;
        }
    }

    @Command(name = "alexnet", mixinStandardHelpOptions = true,
            description = "AlexNet analysis: the reference 24.7x model's costs, and a computation-targeted plan at the same weight count.")
    static final class Alexnet implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        /** Kept weights of the ADMM-NN 24.7x AlexNet (yeshaokai/ADMM-NN nohup.out, see the reference notes). */

        @Override
        public Integer call() throws IOException {
            common.network = "alexnet";
            NetworkShape alex = NetworkShape.alexnet();
            Map<String, Double> reference = io.admmnn.experiments.zoo.AdmmNnAlexNet.keptFractions();
            CostModel model = common.model();
            NetworkCost ref = model.evaluate(alex, common.settings(reference));
            PruningPlanner planner = PruningPlanner.withDefaults(common.profile(), common.weightBits, IndexFormat.parse(common.index));
            PruningPlan plan = planner.plan(alex, new PruningPlanner.Target(PruningPlanner.Priority.WEIGHTS, ref.weightCompression()),
                    PruningPlanner.Priority.MACS);
            NetworkCost planned = model.evaluate(alex, common.settings(plan.keptFractions()));
            Path dir = common.out("analysis");
            String md = "# AlexNet (ImageNet shapes): weight pruning vs computation\n\n"
                    + provenance(CommandLineText.of(spec))
                    + "Kept fractions of the ADMM-NN 24.7x model (conv1 81.0 %, conv2 20.0 %, conv3 19.0 %, conv4 20.0 %, conv5 20.0 %, "
                    + "fc6 2.0 %, fc7 5.4 %, fc8 8.0 %), and a plan with the same total weight count that takes from the "
                    + "layers with the most MACs first.\n\n"
                    + HardwareReport.costTable("Reference 24.7x model (ADMM-NN)", ref)
                    + HardwareReport.planTable(plan)
                    + HardwareReport.costTable("Computation-targeted plan, same weight count", planned)
                    + String.format(Locale.ROOT, "**Same weights (%.1fx vs %.1fx), MACs %.1fx fewer instead of %.1fx.**%n%n",
                    planned.weightCompression(), ref.weightCompression(), planned.macReduction(), ref.macReduction())
                    + "![MACs per layer](macs.png)\n";
            AtomicFile.writeString(dir.resolve("report.md"), md);
            AtomicFile.writeString(dir.resolve("reference-24x.csv"), HardwareReport.csv(ref));
            AtomicFile.writeString(dir.resolve("macs-first-plan.csv"), HardwareReport.csv(planned));
            AtomicFile.write(dir.resolve("plan.json"), temp -> JSON.writeValue(temp.toFile(), plan));
            AtomicFile.writeBytes(dir.resolve("macs.png"), HardwareReport.macsChartPng("AlexNet MACs per layer",
                    List.of("reference 24.7x", "MACs-first plan"),
                    List.of(ref, planned)));
            System.out.println(md);
            return 0;
        }
    }

    /** Reads the ratios of a plan.json written by {@code hardware plan}. */
    static Map<String, Double> readPlanRatios(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("plan file " + file + " not found");
        }
        PruningPlan plan;
        try {
            plan = JSON.readValue(file.toFile(), PruningPlan.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(file + " is not a plan.json written by `admm-nn hardware plan`: "
                    + ErrorText.firstLine(e.getOriginalMessage()), e);
        }
        if (plan == null || plan.layers() == null || plan.layers().isEmpty()) {
            throw new IllegalArgumentException(file + " is not a plan.json written by `admm-nn hardware plan`: no layers");
        }
        return plan.ratios();
    }
}
