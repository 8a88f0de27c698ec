package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A report names the commit of the admm-nn build that made it, wherever the command was started. */
class ProvenanceTest {

    @Test
    void theCommitIsTheBuildsWhateverRepositoryTheCommandRunsIn(@TempDir Path elsewhere, @TempDir Path noRepository)
            throws Exception {
        // Issue 17: it was read from the working directory: 'unknown' outside the checkout, and the commit of
        // whatever repository a researcher ran the command in.
        String built = git(Path.of("").toAbsolutePath(), "rev-parse", "HEAD"); // Maven tests run in the checkout
        assumeTrue(built != null, "not run from a git checkout");
        assertThat(git(elsewhere, "init", "-q")).isNotNull();
        assertThat(git(elsewhere, "-c", "user.name=Researcher", "-c", "user.email=r@example.org", "commit", "-q",
                "--allow-empty", "-m", "their own project")).isNotNull();
        String theirs = git(elsewhere, "rev-parse", "HEAD");

        assertThat(provenanceCollectedIn(elsewhere)).isEqualTo(built).isNotEqualTo(theirs);
        assertThat(provenanceCollectedIn(noRepository)).isEqualTo(built);
    }

    @Test
    void theBuildIsDirtyExactlyWhenItsSourcesDifferFromTheCommit(@TempDir Path repo) throws Exception {
        List<String> status = new ArrayList<>(List.of("--no-optional-locks", "status", "--porcelain", "--"));
        status.addAll(buildInputPathspecs());
        // What the build ran, run again now: under Maven the build has just happened.
        String now = git(Path.of("").toAbsolutePath(), status.toArray(String[]::new));
        assumeTrue(now != null, "not run from a git checkout");
        assertThat(BuildInfo.current().dirty()).as(now).isEqualTo(!now.isEmpty());

        // The same pathspecs in a repository of the same layout: they reach into every module's sources and poms,
        // untracked files included, and nothing else.
        assertThat(git(repo, "init", "-q")).isNotNull();
        for (String f : List.of("pom.xml", "README.md", "mod/pom.xml", "mod/src/main/java/A.java", "mod/src/test/T.java")) {
            Files.createDirectories(repo.resolve(f).getParent());
            Files.writeString(repo.resolve(f), "1");
        }
        assertThat(git(repo, "add", ".")).isNotNull();
        assertThat(git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "x")).isNotNull();
        String[] command = status.toArray(String[]::new);
        assertThat(git(repo, command)).isEmpty();
        for (String changed : List.of("README.md", "mod/src/test/T.java", "results/new.md")) {
            Files.createDirectories(repo.resolve(changed).getParent());
            Files.writeString(repo.resolve(changed), "2");
        }
        assertThat(git(repo, command)).as("not what is built").isEmpty();
        for (String built : List.of("pom.xml", "mod/pom.xml", "mod/src/main/java/A.java", "mod/src/main/java/b/New.java")) {
            Files.createDirectories(repo.resolve(built).getParent());
            Files.writeString(repo.resolve(built), "2");
            assertThat(git(repo, command)).as(built).isNotEmpty();
            assertThat(git(repo, "checkout", "-q", "--", ".")).isNotNull();
            assertThat(git(repo, "clean", "-q", "-f", "--", "mod/src/main")).isNotNull();
        }
    }

    /** The pathspecs the build's {@code git status} checks (experiments/pom.xml, execution build-info). */
    private static List<String> buildInputPathspecs() throws IOException {
        List<String> specs = java.util.regex.Pattern.compile("<arg value=\"(:\\(top[^\"]*)\"/>")
                .matcher(Files.readString(Path.of("pom.xml"))).results().map(m -> m.group(1)).toList();
        assertThat(specs).hasSize(3);
        return specs;
    }

    @Test
    void aBuildNotMadeFromACheckoutSaysSoInsteadOfNamingACommit() {
        var p = new java.util.Properties();
        p.setProperty("version", "0.1.0");
        p.setProperty("commit", "");
        p.setProperty("dirty", "false");
        assertThat(BuildInfo.of(p).commitText()).isEqualTo("unknown (not built from a git checkout)");
        assertThat(BuildInfo.of(new java.util.Properties()).commitText())
                .isEqualTo("unknown (no build information: not built by Maven)");
        p.setProperty("commit", "abc123");
        p.setProperty("dirty", "true");
        assertThat(BuildInfo.of(p).describe()).isEqualTo("admm-nn 0.1.0, commit abc123, built with uncommitted changes");
        assertThat(BuildInfo.current().version()).as("the build wrote its properties").isNotNull();
    }

    /** The commit {@link Provenance#collect} records in a JVM whose working directory is {@code dir}. */
    private static String provenanceCollectedIn(Path dir) throws IOException, InterruptedException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, Probe.class.getName()).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
    }

    /** Prints the commit of a freshly collected provenance: run in a JVM of its own, in another folder. */
    static final class Probe {
        public static void main(String[] args) {
            System.out.println(Provenance.collect("probe", 0).gitCommit());
        }
    }
}
