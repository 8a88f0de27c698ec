package io.admmnn.experiments.cli;

import io.admmnn.core.io.ErrorText;
import io.admmnn.experiments.data.DataException;
import io.admmnn.experiments.pipeline.BuildInfo;
import io.admmnn.experiments.pipeline.DivergenceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code admm-nn} command: compression experiments from the command line. */
@Command(name = "admm-nn", mixinStandardHelpOptions = true, versionProvider = AdmmNnCli.Version.class,
        description = "ADMM-based pruning and quantization of neural networks, with hardware cost reports.",
        subcommands = {PruneCommand.class, RunCommand.class, ResumeCommand.class, ReportCommand.class,
                HardwareCommand.class, AnalyzeCommand.class, ExportImagesCommand.class, InferCommand.class, CompareCommand.class,
                SummarizeCommand.class,
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
        cli.setParameterExceptionHandler(AdmmNnCli::reportUsageError);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (isUserError(e)) {
                commandLine.getErr().println("error: " + (e instanceof IOException io ? ErrorText.describe(io)
                        : e instanceof UncheckedIOException u ? ErrorText.describe(u.getCause()) : e.getMessage()));
                return 2;
            }
            return reportInternalError(e, commandLine.getErr());
        });
        return cli.execute(args);
    }

    /**
     * A mistyped option or value: the error, picocli's "did you mean" if it has one, and where the help is. Not
     * picocli's default, which follows the error with the whole usage (over 100 lines for {@code prune}) and pushes
     * the one line that matters off the screen.
     */
    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        java.io.PrintWriter err = command.getErr();
        err.println("error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("see '" + command.getCommandSpec().qualifiedName() + " --help'");
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * An error that is a bug, not bad input (a failed check inside the framework, a library's exception): one line
     * naming it and where it was thrown, and the whole stack trace in a file for a bug report, instead of a trace
     * that buries the one line a user reads. Exit code 1.
     */
    static int reportInternalError(Throwable e, java.io.PrintWriter err) {
        StackTraceElement top = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        String where = top == null ? "" : " at " + top.getClassName() + "." + top.getMethodName() + "(" + top.getFileName()
                + ":" + top.getLineNumber() + ")";
        String saved;
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("admm-nn-error-", ".txt");
            java.io.StringWriter trace = new java.io.StringWriter();
            trace.write(BuildInfo.current().describe() + "\n");
            e.printStackTrace(new java.io.PrintWriter(trace));
            java.nio.file.Files.writeString(file, trace.toString());
            saved = "the full trace is in " + file + "; please report it";
        } catch (IOException | RuntimeException io) {
            saved = "the trace could not be saved (" + ErrorText.firstLine(io) + ")";
        }
        err.println("error: internal error: " + e.getClass().getName() + ": " + ErrorText.firstLine(e) + where + "; " + saved);
        err.flush();
        return 1;
    }

    /** {@code --version}: the version and the commit this build was made from, as reports record them. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{BuildInfo.current().describe()};
        }
    }

    private static boolean isUserError(Exception e) {
        return e instanceof IllegalArgumentException || e instanceof DataException || e instanceof DivergenceException
                || e instanceof IOException || e instanceof UncheckedIOException;
    }
}
