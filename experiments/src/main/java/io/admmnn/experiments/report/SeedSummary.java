package io.admmnn.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.admmnn.core.io.AtomicFile;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finished runs compared over seeds: runs of one experiment whose plans are equal apart from the seed form a
 * {@link Group}, summarised by the mean and sample standard deviation (n - 1) over its runs of the final test
 * accuracy (%), its change from the dense baseline (points) and the BOPs reduction (32 x 32-bit dense BOPs / the
 * compressed model's BOPs, times). Writes {@value #MARKDOWN_FILE}, {@value #JSON_FILE} and {@value #CHART_FILE}
 * (accuracy against BOPs reduction, one mean with standard-deviation bars per group).
 */
public final class SeedSummary {

    /** File names in the output folder. */
    public static final String MARKDOWN_FILE = "summary.md";
    public static final String JSON_FILE = "summary.json";
    public static final String CHART_FILE = "pareto.png";
    /** The accuracy loss, in points, of the chart's second reference line below the dense mean. */
    public static final double MARGIN_POINTS = 0.3;

    /** The file a run folder must hold. */
    static final String REPORT = "report.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Which BOPs count a group's reduction is. */
    public enum BopsCount {
        /** {@code bopsChannels.reduction}: pruned channels removed, the count comparable with DJPQ's. */
        CHANNELS,
        /** {@code bops.reductionDense}: every weight executed (zeros included) at the layers' bits. */
        DENSE,
        /** Not every run of the group has one count: no reduction is given. */
        NONE
    }

    /**
     * One finished run.
     *
     * @param folder               its results folder
     * @param seed                 the seed its plan ran with
     * @param denseAccuracyPercent dense baseline test accuracy (see {@link RunRecord#denseBaseline()}), or null
     * @param finalAccuracyPercent test accuracy it ended with (see {@link RunRecord#finalStage()})
     * @param finalStage           the accuracy key that final accuracy is
     * @param accuracyChangePoints final minus dense accuracy, percentage points, or null without a dense one
     * @param bopsChannels         {@code bopsChannels.reduction}, or null if the report has none
     * @param bopsDense            {@code bops.reductionDense}, or null if the report has none
     * @param command              the command line that started it, or null if the report has no provenance
     * @param commit               the commit its admm-nn was built from, "(dirty)" appended for uncommitted changes
     */
    public record Run(String folder, long seed, Double denseAccuracyPercent, double finalAccuracyPercent,
                      String finalStage, Double accuracyChangePoints, Double bopsChannels, Double bopsDense,
                      String command, String commit) {
    }

    /**
     * Mean, sample standard deviation (n - 1) and range of a set of values.
     *
     * @param std null for a single value
     */
    public record Stats(int n, double mean, Double std, double min, double max) {

        /** The statistics of {@code values}, or null if there are none. */
        public static Stats of(List<Double> values) {
            int n = values.size();
            if (n == 0) {
                return null;
            }
            double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
            double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            return new Stats(n, mean, n < 2 ? null : Math.sqrt(squares / (n - 1)),
                    values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        }
    }

    /**
     * The runs of one experiment that differ only in their seeds.
     *
     * @param experiment           the experiment file's name without .yaml (a command without one: the folder name
     *                             of the run with the lowest seed), numbered when runs of one file have other plans
     * @param method               admm, two-stage (no ADMM round at all), two-stage (DQ bits) or djpq:
     *                             {@link SeedSummary#method}
     * @param model                the plan's model
     * @param dataset              the plan's data set
     * @param seeds                of the runs, ascending
     * @param denseAccuracyPercent over the runs that have one; null if none does
     * @param finalAccuracyPercent over all runs
     * @param accuracyChangePoints over the runs with a dense accuracy; null if none has one
     * @param bopsReduction        in the count {@code bopsCount}; null for {@link BopsCount#NONE}
     * @param bopsCount            the count used: channels where every run has it, else dense where every run has it
     * @param command              the first run's command, with the seed and output folder as placeholders
     * @param commits              the commits the runs were built from, each once
     * @param runs                 sorted by seed
     */
    public record Group(String experiment, String method, String model, String dataset, List<Long> seeds,
                        Stats denseAccuracyPercent, Stats finalAccuracyPercent, Stats accuracyChangePoints,
                        Stats bopsReduction, BopsCount bopsCount, String command, List<String> commits, List<Run> runs) {

        /** The reduction of each run in {@link #bopsCount}, in run order (empty for NONE). */
        public List<Double> bopsReductions() {
            return reductions(runs, bopsCount);
        }
    }

    private static List<Double> reductions(List<Run> runs, BopsCount count) {
        return switch (count) {
            case CHANNELS -> runs.stream().map(Run::bopsChannels).toList();
            case DENSE -> runs.stream().map(Run::bopsDense).toList();
            case NONE -> List.of();
        };
    }

    /** What {@value #JSON_FILE} holds: the groups, and the folders left out with why. */
    public record Summary(String title, List<Group> groups, List<String> leftOut) {
    }

    /** A read run with what groups it: its experiment file's name (null for none) and plan. */
    private record Read(Run run, String file, CompressionPlan planWithoutSeed, String method) {
    }

    private SeedSummary() {
    }

    /**
     * The run folders named: a folder holding {@value #REPORT} is a run; any other folder (or a folder's
     * {@value #REPORT} named directly) is searched below for run folders. Each folder once, in the order given, a
     * searched folder's runs sorted by path.
     *
     * @throws IllegalArgumentException (one line) for a path that does not exist, or a folder without a run
     */
    public static List<Path> runFolders(List<Path> inputs) throws IOException {
        LinkedHashSet<Path> folders = new LinkedHashSet<>();
        for (Path input : inputs) {
            if (Files.isRegularFile(input) && input.getFileName().toString().equals(REPORT)) {
                input = input.toAbsolutePath().getParent();
            }
            if (!Files.exists(input)) {
                throw new IllegalArgumentException(input + ": no such file or folder");
            }
            if (!Files.isDirectory(input)) {
                throw new IllegalArgumentException(input + " is not a run folder (a folder with " + REPORT + ")");
            }
            if (Files.isRegularFile(input.resolve(REPORT))) {
                folders.add(input.normalize());
                continue;
            }
            List<Path> found;
            try (Stream<Path> files = Files.walk(input)) {
                found = files.filter(f -> f.getFileName().toString().equals(REPORT) && Files.isRegularFile(f))
                        .map(f -> f.getParent().normalize()).sorted().toList();
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException("no " + REPORT + " in " + input + " or any folder below it");
            }
            folders.addAll(found);
        }
        return new ArrayList<>(folders);
    }

    /**
     * Reads and groups the runs of {@code folders}; unfinished runs (no {@code finishedAt}) are left out and listed.
     *
     * @throws IllegalArgumentException (one line) for a report that cannot be read, or when no run has finished
     */
    public static Summary of(List<Path> folders, String title) throws IOException {
        List<Read> reads = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        for (Path folder : folders) {
            RunRecord rec = RunRecord.read(folder);
            if (rec.finishedAt == null) {
                leftOut.add(folder + " (unfinished: no finishedAt)");
                continue;
            }
            reads.add(read(folder, rec, JSON.readTree(folder.resolve(REPORT).toFile())));
        }
        if (reads.isEmpty()) {
            throw new IllegalArgumentException("no finished run among " + folders.size() + " run folder"
                    + (folders.size() == 1 ? "" : "s") + ": " + String.join("; ", leftOut));
        }
        // One group per (file, plan apart from the seed); a file changed between runs gives numbered groups.
        // Runs without a file (prune) group by their plan alone.
        Map<String, Map<CompressionPlan, List<Read>>> byFile = new LinkedHashMap<>();
        for (Read r : reads) {
            byFile.computeIfAbsent(r.file() == null ? "" : r.file(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.planWithoutSeed(), k -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>();
        byFile.forEach((file, plans) -> {
            // Plan 1 is the one with the most runs (then the lowest seed): the file as it mostly was.
            List<List<Read>> ordered = plans.values().stream().sorted(Comparator.<List<Read>>comparingInt(l -> -l.size())
                    .thenComparingLong(l -> l.stream().mapToLong(r -> r.run().seed()).min().orElseThrow())).toList();
            for (int i = 0; i < ordered.size(); i++) {
                groups.add(group(file.isEmpty() || ordered.size() == 1 ? file : file + " (plan " + (i + 1) + ")",
                        ordered.get(i)));
            }
        });
        groups.sort(Comparator.comparing(Group::experiment));
        return new Summary(title, groups, leftOut);
    }

    private static Read read(Path folder, RunRecord rec, JsonNode tree) {
        Double acc = rec.finalAccuracy();
        if (acc == null) {
            throw new IllegalArgumentException(folder.resolve(REPORT) + " has finished but records no test accuracy");
        }
        Double dense = rec.denseBaseline();
        JsonNode channels = tree.path("bopsChannels").path("reduction");
        String command = rec.provenance == null ? null : rec.provenance.command();
        String commit = rec.provenance == null ? "unknown" : shortCommit(rec.provenance.gitCommit())
                + (rec.provenance.gitDirty() ? " (dirty)" : "");
        Run run = new Run(folder.toString(), rec.plan.seed(), dense == null ? null : 100 * dense, 100 * acc,
                rec.finalStage(), dense == null ? null : 100 * (acc - dense),
                channels.isNumber() ? channels.doubleValue() : null, rec.bops == null ? null : rec.bops.reductionDense(),
                command, commit);
        return new Read(run, command == null ? null : experimentFile(command), groupKey(rec.plan), method(rec.plan));
    }

    /**
     * What runs of one experiment share: the plan without its seed, and with a {@code startFrom} that names a results
     * folder's final model file ({@code model.zip}, {@code model.admmnn}) replaced by the folder, since both files of a
     * finished run hold its final weights (the folder is read through one of them).
     */
    public static CompressionPlan groupKey(CompressionPlan plan) {
        CompressionPlan key = plan.withSeed(0);
        if (key.startFrom() == null) {
            return key;
        }
        Path start = Path.of(key.startFrom()).normalize();
        String file = start.getFileName() == null ? "" : start.getFileName().toString();
        boolean finalModel = file.equals(CompressionPipeline.MODEL) || file.equals(CompressionPipeline.COMPRESSED_MODEL);
        return key.withStartFrom((finalModel && start.getParent() != null ? start.getParent() : start).toString());
    }

    /**
     * djpq; two-stage (DQ bits) for a DJPQ plan with fixed gates (channels of a pruned start, bits learned by DQ);
     * two-stage for an ADMM plan that runs no ADMM round (magnitude pruning, retraining, and rounding to the levels
     * if it quantizes); else admm (ADMM pruning, or ADMM quantization of a model pruned without it).
     */
    public static String method(CompressionPlan plan) {
        if (plan.usesDjpq()) {
            return plan.djpq().fixedGates() ? "two-stage (DQ bits)" : "djpq";
        }
        boolean admmQuantization = plan.quantizes() && plan.quantize().rounds() > 0;
        return plan.admm().rounds() == 0 && !admmQuantization ? "two-stage" : "admm";
    }

    private static String shortCommit(String commit) {
        return commit != null && commit.matches("[0-9a-f]{40}") ? commit.substring(0, 12) : String.valueOf(commit);
    }

    /** The group of {@code reads}, named {@code name}, or after its first run's folder if that is empty. */
    private static Group group(String name, List<Read> reads) {
        List<Run> runs = reads.stream().map(Read::run).sorted(Comparator.comparingLong(Run::seed)).toList();
        if (name.isEmpty()) {
            name = Path.of(runs.get(0).folder()).toAbsolutePath().normalize().getFileName().toString();
        }
        BopsCount count = runs.stream().allMatch(r -> r.bopsChannels() != null) ? BopsCount.CHANNELS
                : runs.stream().allMatch(r -> r.bopsDense() != null) ? BopsCount.DENSE : BopsCount.NONE;
        CompressionPlan plan = reads.get(0).planWithoutSeed();
        String command = reads.get(0).run().command();
        return new Group(name, reads.get(0).method(), plan.model(), plan.dataset(),
                runs.stream().map(Run::seed).toList(), stats(runs, Run::denseAccuracyPercent),
                stats(runs, Run::finalAccuracyPercent), stats(runs, Run::accuracyChangePoints),
                Stats.of(reductions(runs, count)), count, command == null ? null : withPlaceholders(command),
                runs.stream().map(Run::commit).distinct().toList(), runs);
    }

    private static Stats stats(List<Run> runs, Function<Run, Double> value) {
        return Stats.of(runs.stream().map(value).filter(Objects::nonNull).toList());
    }

    /** The experiment file's name without .yaml/.yml in a command line, or null if it names none. */
    static String experimentFile(String command) {
        for (String arg : arguments(command)) {
            String lower = arg.toLowerCase(Locale.ROOT);
            if (!arg.startsWith("-") && (lower.endsWith(".yaml") || lower.endsWith(".yml"))) {
                String file = Path.of(arg).getFileName().toString();
                return file.substring(0, file.lastIndexOf('.'));
            }
        }
        return null;
    }

    /**
     * {@code command} with {@code --seed <N>} (added when it has none, the seed then having come from the plan) and
     * {@code --out <folder>} as placeholders: what to type for another seed.
     */
    static String withPlaceholders(String command) {
        List<String> args = new ArrayList<>(arguments(command));
        boolean seeded = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("--seed") || a.equals("--out")) && i + 1 < args.size()) {
                args.set(++i, a.equals("--seed") ? "<N>" : "<folder>");
            } else if (a.startsWith("--seed=") || a.startsWith("--out=")) {
                args.set(i, a.startsWith("--seed=") ? "--seed=<N>" : "--out=<folder>");
            }
            seeded |= a.equals("--seed") || a.startsWith("--seed=");
        }
        if (!seeded) {
            args.addAll(List.of("--seed", "<N>"));
        }
        return args.stream().map(a -> a.contains(" ") ? "'" + a + "'" : a).collect(Collectors.joining(" "));
    }

    /** The words of a command line as provenance writes it: space separated, those with spaces in single quotes. */
    private static List<String> arguments(String command) {
        List<String> args = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : command.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    args.add(word.toString());
                }
                word.setLength(0);
                any = false;
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            args.add(word.toString());
        }
        return args;
    }

    /**
     * Writes {@value #MARKDOWN_FILE} ({@code header}, e.g. the summarising command's provenance, after the title),
     * {@value #JSON_FILE} and {@value #CHART_FILE} into {@code dir}; returns the Markdown tables.
     */
    public static String write(Summary summary, Path dir, String header) throws IOException {
        Files.createDirectories(dir);
        String tables = tables(summary);
        AtomicFile.writeString(dir.resolve(MARKDOWN_FILE), "# " + summary.title() + "\n\n" + header + "\n" + tables
                + "\n" + howCounted() + "\n\n![Final test accuracy against BOPs reduction](" + CHART_FILE + ")\n");
        AtomicFile.writeString(dir.resolve(JSON_FILE), JSON.writeValueAsString(summary));
        chart(summary, dir.resolve(CHART_FILE));
        return tables;
    }

    /** The two tables (results, then how to repeat them), and the folders left out and the groups not plotted. */
    static String tables(Summary summary) {
        StringBuilder md = new StringBuilder("| experiment | method | seeds | dense accuracy (mean) | final accuracy "
                + "(mean ± std) | final min..max | change vs dense (points) | BOPs reduction (mean ± std) | BOPs count | "
                + "final measured on |\n|---|---|---|---:|---:|---:|---:|---:|---|---|\n");
        for (Group g : summary.groups()) {
            Stats fin = g.finalAccuracyPercent();
            md.append("| ").append(g.experiment()).append(" | ").append(g.method()).append(" | ")
                    .append(g.seeds().size()).append(": ")
                    .append(g.seeds().stream().map(String::valueOf).collect(Collectors.joining(", "))).append(" | ")
                    .append(g.denseAccuracyPercent() == null ? "–" : fmt("%.2f %%", g.denseAccuracyPercent().mean()))
                    .append(" | ").append(fmt("%.2f", fin.mean())).append(" ± ").append(std("%.2f", fin)).append(" % | ")
                    .append(fmt("%.2f..%.2f %%", fin.min(), fin.max())).append(" | ")
                    .append(g.accuracyChangePoints() == null ? "–" : fmt("%+.2f", g.accuracyChangePoints().mean())
                            + " ± " + std("%.2f", g.accuracyChangePoints())).append(" | ")
                    .append(g.bopsReduction() == null ? "–" : fmt("%.1f", g.bopsReduction().mean()) + " ± "
                            + std("%.1f", g.bopsReduction()) + " x").append(" | ")
                    .append(switch (g.bopsCount()) {
                        case CHANNELS -> "bopsChannels.reduction";
                        case DENSE -> "bops.reductionDense";
                        case NONE -> "not in every report";
                    }).append(" | ").append(finalStages(g)).append(" |\n");
        }
        md.append("\n| experiment | model, data set | command (one run; seed and folder as placeholders) | commits |\n"
                + "|---|---|---|---|\n");
        for (Group g : summary.groups()) {
            md.append("| ").append(g.experiment()).append(" | ").append(g.model()).append(", ").append(g.dataset())
                    .append(" | ").append(g.command() == null ? "unknown (no provenance)" : "`" + g.command() + "`")
                    .append(" | ").append(String.join(", ", g.commits())).append(" |\n");
        }
        List<String> unplotted = summary.groups().stream().filter(g -> g.bopsReduction() == null)
                .map(Group::experiment).toList();
        if (!unplotted.isEmpty()) {
            md.append("\nNot plotted (no BOPs count common to all their runs): ").append(String.join(", ", unplotted))
                    .append(".\n");
        }
        if (!summary.leftOut().isEmpty()) {
            md.append("\nLeft out: ").append(String.join("; ", summary.leftOut())).append(".\n");
        }
        return md.toString();
    }

    private static String finalStages(Group g) {
        Map<String, Long> stages = g.runs().stream().collect(Collectors.groupingBy(Run::finalStage, LinkedHashMap::new,
                Collectors.counting()));
        return stages.entrySet().stream().map(e -> (e.getKey().equals(RunRecord.FROM_COMPRESSED_FILE) ? "model file"
                : "last stage " + e.getKey()) + (stages.size() > 1 ? " (" + e.getValue() + ")" : ""))
                .collect(Collectors.joining(", "));
    }

    private static String howCounted() {
        return "How counted: each run is one finished results folder's " + REPORT + " (runs without finishedAt are "
                + "left out). A group is the runs of one experiment file (named after the .yaml in the command line; "
                + "runs of a command without one are grouped by plan and named after the folder of the lowest seed) "
                + "whose plans are equal apart from the seed. "
                + "Dense accuracy is the dense baseline's test accuracy (accuracy.pretrained, or the dense baseline of "
                + "the run that wrote the starting model when the report names it). Final accuracy is that of the "
                + "model read back from its compressed file (accuracy.fromCompressedFile) where the report has it, "
                + "else of the last stage recorded; the change is final minus dense per run, in percentage points. "
                + "BOPs reduction is 32 x 32-bit dense BOPs over the compressed model's BOPs (MACs x b_w x b_a): "
                + "bopsChannels.reduction (pruned channels removed, the count comparable with DJPQ's) where every run "
                + "of the group has it, else bops.reductionDense (every weight executed, zeros included, at the "
                + "layers' bits; in a DJPQ report already against the unpruned network, so with the removed channels "
                + "saved); the BOPs count column says which. Method: djpq for method djpq, two-stage (DQ bits) for method "
                + "djpq with fixed gates (the channels of a pruned start, only the bits learned); two-stage for an ADMM plan "
                + "without any ADMM round (admm.rounds 0 and no quantize.rounds), i.e. magnitude pruning and rounding; "
                + "else admm. Each ± is the sample standard deviation (n - 1) "
                + "over the group's seeds (– for one seed). The chart shows each group's mean with ±1 standard "
                + "deviation bars in both directions and each seed as a faint mark, with dashed lines at the mean "
                + "dense accuracy and " + MARGIN_POINTS + " points below it.";
    }

    /** Accuracy against BOPs reduction, one spread per group that has a count, the dense levels per model. */
    private static void chart(Summary summary, Path file) throws IOException {
        List<Charts.Spread> spreads = new ArrayList<>();
        Map<String, List<Double>> denseByModel = new LinkedHashMap<>();
        for (Group g : summary.groups()) {
            if (g.bopsReduction() == null) {
                continue;
            }
            spreads.add(new Charts.Spread(g.experiment(), g.bopsReductions(),
                    g.runs().stream().map(Run::finalAccuracyPercent).toList(), g.bopsReduction().mean(),
                    g.finalAccuracyPercent().mean(), g.bopsReduction().std(), g.finalAccuracyPercent().std()));
            denseByModel.computeIfAbsent(g.model() + ", " + g.dataset(), k -> new ArrayList<>()).addAll(
                    g.runs().stream().map(Run::denseAccuracyPercent).filter(Objects::nonNull).toList());
        }
        List<Charts.Level> levels = new ArrayList<>();
        denseByModel.forEach((model, dense) -> {
            if (!dense.isEmpty()) {
                double mean = Stats.of(dense).mean();
                String prefix = denseByModel.size() > 1 ? model + ": " : "";
                levels.add(new Charts.Level(prefix + fmt("dense mean %.2f %%", mean), mean));
                levels.add(new Charts.Level(prefix + fmt("dense - %.1f points", MARGIN_POINTS), mean - MARGIN_POINTS));
            }
        });
        Charts.spreads(file, summary.title(), "BOPs reduction (x, 32 x 32-bit dense / compressed)",
                "final test accuracy (%)", true, spreads, levels);
    }

    private static String std(String format, Stats s) {
        return s.std() == null ? "–" : fmt(format, s.std());
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
