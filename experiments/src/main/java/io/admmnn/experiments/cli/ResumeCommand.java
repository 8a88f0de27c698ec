package io.admmnn.experiments.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code admm-nn resume DIR}: continues an interrupted run from its last checkpoint. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue an interrupted run from the last checkpoint in its results folder.")
final class ResumeCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the run's results folder")
    Path folder;

    @picocli.CommandLine.Mixin
    PipelineOptions pipelineOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return PruneCommand.report(pipelineOptions.pipeline(folder).resume(CommandLineText.of(spec)), folder);
    }
}
