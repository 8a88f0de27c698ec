package io.admmnn.experiments.cli;

import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.report.PruningReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code admm-nn resume DIR}: continues an interrupted run from its last checkpoint. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue an interrupted run from the last checkpoint in its results folder.")
final class ResumeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger("admm-nn");

    @Parameters(index = "0", description = "the run's results folder")
    Path folder;

    @Option(names = "--data-dir", description = "MNIST folder (default: the user cache)")
    Path dataDir;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CompressionPipeline pipeline = new CompressionPipeline(folder, dataDir != null ? dataDir : Mnist.defaultDirectory(),
                LOG::info, !noProgress && System.console() != null);
        RunRecord rec = pipeline.resume(CommandLineText.of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new)));
        String md = PruningReport.write(rec, folder);
        System.out.println();
        System.out.println(md);
        return 0;
    }
}
