package io.admmnn.experiments.cli;

import io.admmnn.core.io.ErrorText;
import io.admmnn.experiments.data.DataException;
import io.admmnn.experiments.pipeline.DivergenceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code admm-nn} command: compression experiments from the command line. */
@Command(name = "admm-nn", mixinStandardHelpOptions = true, version = "admm-nn 0.1.0",
        description = "ADMM-based pruning and quantization of neural networks, with hardware cost reports.",
        subcommands = {PruneCommand.class, RunCommand.class, ResumeCommand.class, ReportCommand.class,
                HardwareCommand.class, AnalyzeCommand.class, ExportImagesCommand.class, InferCommand.class,
                CommandLine.HelpCommand.class})
public final class AdmmNnCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        io.admmnn.dl4j.speed.NativeBackend.configure(); // before ND4J loads
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (0 ok, 2 usage or input error, 1 internal error). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new AdmmNnCli());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (isUserError(e)) {
                commandLine.getErr().println("error: " + (e instanceof IOException io ? ErrorText.describe(io)
                        : e instanceof UncheckedIOException u ? ErrorText.describe(u.getCause()) : e.getMessage()));
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    private static boolean isUserError(Exception e) {
        return e instanceof IllegalArgumentException || e instanceof DataException || e instanceof DivergenceException
                || e instanceof IOException || e instanceof UncheckedIOException;
    }
}
