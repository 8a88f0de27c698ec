package io.admmnn.experiments.cli;

import io.admmnn.experiments.config.ExperimentFile;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.CompressionPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code admm-nn run EXPERIMENT.yaml}: runs the experiment a YAML file describes (see {@link ExperimentFile}) with
 * the same pipeline, checkpoints and results folder as {@code prune}; the file is copied into the folder.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the experiment described by a YAML file (see experiments/configs/). Writes the same "
                + "results folder as prune, with a copy of the file as " + RunCommand.EXPERIMENT_COPY + ".")
final class RunCommand implements Callable<Integer> {

    /** Name of the experiment file's copy in the results folder. */
    static final String EXPERIMENT_COPY = "experiment.yaml";

    private static final Logger LOG = LoggerFactory.getLogger("admm-nn");

    @Parameters(index = "0", description = "the experiment file")
    Path experiment;

    @Option(names = "--out", description = "results folder (default: results/runs/<file name>[-seed<N>]-<time>)")
    Path out;

    @Option(names = "--seed", paramLabel = "<N>", description = "seed of weight initialisation and data order, instead "
            + "of the file's (report.json's plan and provenance record the seed used; the file's copy is unchanged)")
    Long seed;

    @picocli.CommandLine.Mixin
    PipelineOptions pipelineOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CompressionPlan loaded = ExperimentFile.load(experiment);
        // The plan in the checkpoint carries the seed, so `resume` continues with it.
        CompressionPlan plan = seed == null ? loaded : loaded.withSeed(seed);
        // Runs of one file with several seeds, started in the same second, get folders of their own.
        String name = experiment.getFileName().toString().replaceFirst("\\.ya?ml$", "")
                + (seed == null ? "" : "-seed" + seed);
        Path folder = out != null ? out : Path.of("results", "runs", name + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        LOG.info("{} ({}) -> {}", plan.model(), experiment, folder);
        CompressionPipeline pipeline = pipelineOptions.pipeline(folder);
        return PruneCommand.report(pipeline.run(plan, CommandLineText.of(spec),
                Map.of(EXPERIMENT_COPY, Files.readAllBytes(experiment))), folder);
    }
}
