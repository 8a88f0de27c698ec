package io.admmnn.experiments.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where a result came from: the command, the code version, the seed and the machine.
 *
 * @param command    the command line as typed (program arguments)
 * @param gitCommit  {@code git rev-parse HEAD} of the working directory, or "unknown"
 * @param gitDirty   whether the working tree had uncommitted changes
 * @param seed       the run's seed
 * @param machine    CPU model, cores, memory, OS and Java version
 * @param startedAt  ISO-8601 start time
 */
public record Provenance(String command, String gitCommit, boolean gitDirty, long seed, String machine,
                         String startedAt) {

    /** Collects the facts of this process and machine. */
    public static Provenance collect(String command, long seed) {
        String commit = git("rev-parse", "HEAD");
        String status = git("status", "--porcelain", "--untracked-files=no");
        return new Provenance(command, commit == null ? "unknown" : commit.strip(),
                status != null && !status.isBlank(), seed, describeMachine(), Instant.now().toString());
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
                + "| git commit | " + gitCommit + (gitDirty ? " (working tree had uncommitted changes)" : "") + " |\n"
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

    private static String git(String... args) {
        try {
            List<String> cmd = new java.util.ArrayList<>(List.of("git"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
