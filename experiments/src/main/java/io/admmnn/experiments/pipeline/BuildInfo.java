package io.admmnn.experiments.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The admm-nn build that is running: its version, the git commit it was built from and whether its sources differed
 * from that commit. The build writes them into the jar ({@code build.properties}, see experiments/pom.xml), so they
 * describe the code that runs wherever it is started from; the working directory may be another repository or none.
 *
 * @param version the project version, e.g. {@code 0.1.0-SNAPSHOT}
 * @param commit  the full commit hash, or null when the build was not made from a git checkout (or without git),
 *                or the build information is missing (classes compiled outside Maven)
 * @param dirty   whether the built sources (pom.xml files and src/main, untracked files there included) had changes
 *                not in {@code commit}
 */
public record BuildInfo(String version, String commit, boolean dirty) {

    /** Where the build writes the properties, beside this class. */
    static final String RESOURCE = "/io/admmnn/experiments/build.properties";

    private static final BuildInfo CURRENT = read();

    /** This build's. */
    public static BuildInfo current() {
        return CURRENT;
    }

    /** The commit for a report: the hash, or "unknown (...)" saying why there is none. */
    public String commitText() {
        if (commit != null) {
            return commit;
        }
        return "unknown (" + (version == null ? "no build information: not built by Maven"
                : "not built from a git checkout") + ")";
    }

    /** Version and commit on one line, for {@code admm-nn --version}. */
    public String describe() {
        return "admm-nn " + (version == null ? "(version unknown)" : version) + ", commit " + commitText()
                + (dirty ? ", built with uncommitted changes" : "");
    }

    /** Reads the properties the build wrote. */
    static BuildInfo of(Properties p) {
        String commit = p.getProperty("commit", "").strip();
        return new BuildInfo(p.getProperty("version"), commit.isEmpty() ? null : commit,
                Boolean.parseBoolean(p.getProperty("dirty")));
    }

    private static BuildInfo read() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the admm-nn jar", e);
        }
        return of(p);
    }
}
