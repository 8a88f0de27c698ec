package io.admmnn.experiments.cli;

import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The command line as the user typed it, for provenance. */
final class CommandLineText {

    private CommandLineText() {
    }

    /** The command line of the command {@code spec} is running (all program arguments, subcommands included). */
    static String of(picocli.CommandLine.Model.CommandSpec spec) {
        return of(spec.commandLine().getParseResult().originalArgs().toArray(String[]::new));
    }

    /** {@code args} are all program arguments, the subcommand included. */
    static String of(String[] args) {
        return Stream.concat(Stream.of("admm-nn"), Stream.of(args))
                .map(a -> a.contains(" ") ? "'" + a + "'" : a).collect(Collectors.joining(" "));
    }
}
