package io.admmnn.experiments.cli;

import io.admmnn.experiments.pipeline.Provenance;
import io.admmnn.experiments.report.SeedSummary;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code admm-nn summarize RUN... --out DIR}: finished runs compared per experiment over their seeds (mean and
 * sample standard deviation of accuracy and BOPs reduction), as a table and an accuracy-vs-BOPs chart.
 */
@Command(name = "summarize", mixinStandardHelpOptions = true,
        description = "Compare finished runs over seeds: runs of one experiment that differ only in the seed form a "
                + "group; writes summary.md (mean ± std of final accuracy, change vs dense, BOPs reduction), "
                + "summary.json and pareto.png.")
final class SummarizeCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "run folders (with report.json), or folders to "
            + "search below for them")
    List<Path> runs;

    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--title", description = "title of the summary and its chart (default: ${DEFAULT-VALUE})",
            defaultValue = "Runs over seeds")
    String title;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SeedSummary.Summary summary = SeedSummary.of(SeedSummary.runFolders(runs), title);
        System.out.print(SeedSummary.write(summary, out,
                Provenance.collect(CommandLineText.of(spec), 0).markdownTable(false)));
        System.out.println("written: " + out.resolve(SeedSummary.MARKDOWN_FILE) + ", "
                + out.resolve(SeedSummary.JSON_FILE) + ", " + out.resolve(SeedSummary.CHART_FILE));
        return 0;
    }
}
