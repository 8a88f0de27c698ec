package io.admmnn.experiments.config;

/**
 * A mistake in an experiment file, reported as one line {@code file:line: key.path: what is wrong} (line 1-based,
 * as in the file). It is a user error: the command line prints the message and exits with code 2, no stack trace.
 */
public final class ConfigException extends IllegalArgumentException {

    private final String file;
    private final int line;
    private final String path;

    /**
     * @param file   the file name as given by the user
     * @param line   1-based line of the offending key or value (0 if unknown)
     * @param path   dotted key path, e.g. {@code admm.rho} (empty for the whole file)
     * @param reason what is wrong, without the location
     */
    public ConfigException(String file, int line, String path, String reason) {
        super(file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + reason);
        this.file = file;
        this.line = line;
        this.path = path;
    }

    /** The file name as given by the user. */
    public String file() {
        return file;
    }

    /** The 1-based line of the error. */
    public int line() {
        return line;
    }

    /** The dotted key path of the error. */
    public String path() {
        return path;
    }
}
