package io.admmnn.experiments.inference;

import io.admmnn.experiments.config.ProjectRoots;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The project's Python scripts ({@code scripts/bench_torch.py}, {@code scripts/infer_torch.py}), found under the
 * {@link ProjectRoots} (the root scripts/admm-nn passes, or the working directory and the folders above it),
 * and run with Debian's {@code /usr/bin/python3} (or {@code $ADMM_NN_PYTHON}).
 */
public final class ProjectScripts {

    /** The Python the comparison and the BLAS check run (Debian's, which has python3-torch). */
    public static final String DEFAULT_PYTHON = System.getenv().getOrDefault("ADMM_NN_PYTHON", "/usr/bin/python3");

    private ProjectScripts() {
    }

    /** {@code scripts/<name>}, or an error saying where it was looked for. */
    public static Path script(String name) {
        return ProjectRoots.candidates().stream().map(r -> r.resolve("scripts").resolve(name))
                .filter(Files::isRegularFile).findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "scripts/" + name + " not found (run from the project, or through scripts/admm-nn)"));
    }

    /** Set by bin/blas-env when it, not the user, chose ND4J's OpenBLAS core. */
    static final String LAUNCHER_CORE = "ADMM_NN_OPENBLAS_CORETYPE_BY_LAUNCHER";

    /**
     * Removes the OpenBLAS core that the launcher chose for ND4J's bundled OpenBLAS (bin/blas-env) from a child
     * process's environment: PyTorch runs on Debian's newer OpenBLAS, which picks the right core for this CPU by
     * itself, and forcing ours on it could make the baseline slower than what its users get. A core the user set
     * stays.
     */
    static void withoutLauncherCore(Map<String, String> environment) {
        String chosen = environment.remove(LAUNCHER_CORE);
        if (chosen != null && chosen.equals(environment.get("OPENBLAS_CORETYPE"))) {
            environment.remove("OPENBLAS_CORETYPE");
        }
    }

    /** Output of a finished process. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs {@code python script args...} with {@code env} added to this process's environment, waiting at most
     * {@code timeoutSeconds}.
     */
    public static Result run(String python, Path script, List<String> args, Map<String, String> env,
                             long timeoutSeconds) throws IOException {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        withoutLauncherCore(pb.environment());
        pb.environment().putAll(env);
        Path out = Files.createTempFile("admm-nn-py-", ".out");
        Path err = Files.createTempFile("admm-nn-py-", ".err");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p = pb.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * The core of each OpenBLAS file mapped into this JVM ({@code bench_torch.py openblas}, which loads only the file
     * named), as "path (core X)" joined by "; ", or why it could not be read.
     */
    public static String openBlasCores(List<String> libraries, String python) {
        if (libraries.isEmpty()) {
            return "no BLAS library mapped";
        }
        try {
            Result r = run(python, script("bench_torch.py"), prepend("openblas", libraries),
                    Map.of("OMP_NUM_THREADS", "1"), 60);
            if (r.exitCode() != 0) {
                return String.join("; ", libraries) + " (core not read: " + r.stderr().strip().lines().reduce((a, b) -> b)
                        .orElse("exit " + r.exitCode()) + ")";
            }
            List<String> parts = new ArrayList<>();
            r.stdout().lines().filter(l -> l.startsWith("openblas ")).forEach(l -> parts.add(l.substring(9)));
            return String.join("; ", parts);
        } catch (IOException | RuntimeException e) {
            return String.join("; ", libraries) + " (core not read: " + e.getMessage() + ")";
        }
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }
}
