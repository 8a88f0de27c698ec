package io.admmnn.experiments.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Where a result came from: the command, the code version, the seed and the machine.
 *
 * @param command    the command line as typed (program arguments)
 * @param gitCommit  the commit the running admm-nn was built from ({@link BuildInfo}), or "unknown (why)"
 * @param gitDirty   whether that build's sources had uncommitted changes
 * @param seed       the run's seed
 * @param machine    CPU model, cores, memory, OS and Java version
 * @param startedAt  ISO-8601 start time
 */
public record Provenance(String command, String gitCommit, boolean gitDirty, long seed, String machine,
                         String startedAt) {

    /**
     * Collects the facts of this process and machine. The commit is the build's, recorded when it was built: the
     * working directory's repository (if any) says nothing about the code that runs.
     */
    public static Provenance collect(String command, long seed) {
        BuildInfo build = BuildInfo.current();
        return new Provenance(command, build.commitText(), build.dirty(), seed, describeMachine(),
                Instant.now().toString());
    }

    /**
     * A two-column Markdown table with the rows "command", "git commit", "seed" and "machine"; callers may append
     * rows of their own.
     *
     * @param seeded false for work that draws no random numbers: the seed row then says so
     */
    public String markdownTable(boolean seeded) {
        return "| | |\n|---|---|\n"
                + "| command | `" + command + "` |\n"
                + "| git commit | " + gitCommit + (gitDirty ? " (built with uncommitted changes)" : "") + " |\n"
                + "| seed | " + (seeded ? Long.toString(seed) : "none (draws no random numbers)") + " |\n"
                + "| machine | " + machine + " |\n";
    }

    /** One line describing this machine. */
    public static String describeMachine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException ignored) {
            // not Linux: keep "unknown CPU"
        }
        long memory = 0;
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            memory = os.getTotalMemorySize() >> 30;
        }
        return String.format("%s, %d cores, %d GiB RAM, %s %s, Java %s", cpu,
                Runtime.getRuntime().availableProcessors(), memory, System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"));
    }
}
