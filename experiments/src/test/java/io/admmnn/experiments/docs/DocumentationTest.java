package io.admmnn.experiments.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.experiments.cli.AdmmNnCli;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The documentation cannot rot: every Java block of README.md and docs/*.md compiles against the built modules, every
 * {@code admm-nn} command shown parses with the real command line (options and subcommands exist) and the project
 * files it names exist, every option list given for a run in prose names real options, and every relative link
 * points to a file, with every docs page reachable from the README (itself at most about 200 lines).
 */
class DocumentationTest {

    private static final Path ROOT = projectRoot();
    private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w*)[^\\n]*\\n(.*?)^```");
    private static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern TYPE = Pattern.compile("(?m)^(?:public\\s+)?(?:final\\s+|abstract\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+);");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyJavaSnippetCompilesAgainstTheModules() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        int compiled = 0;
        for (Path md : markdownFiles()) {
            int n = 0;
            for (Block b : blocks(md)) {
                if (!b.language().equals("java")) {
                    continue;
                }
                n++;
                Path dir = Files.createTempDirectory("doc-snippet-");
                Path source = writeSource(dir, b.text(), md.getFileName() + "_" + n);
                StringWriter errors = new StringWriter();
                boolean ok = javac.getTask(errors, null, null,
                        List.of("-proc:none", "-Xlint:none", "-cp", classPath, "-d", dir.resolve("classes").toString(),
                                "--add-modules", "jdk.incubator.vector"),
                        null, javac.getStandardFileManager(null, Locale.ROOT, null).getJavaFileObjects(source)).call();
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                assertThat(ok).as("Java block %d of %s does not compile:\n%s\n%s", n, ROOT.relativize(md),
                        b.text(), errors).isTrue();
                compiled++;
            }
        }
        assertThat(compiled).as("Java blocks found").isGreaterThanOrEqualTo(4);
    }

    @Test
    void everyAdmmNnCommandShownParsesAndItsProjectFilesExist() throws IOException {
        int parsed = 0;
        for (Path md : markdownFiles()) {
            for (String command : commands(md)) {
                List<String> args = words(command);
                if (args.isEmpty() || args.get(0).contains("<")) {
                    continue; // a placeholder for any subcommand, e.g. `admm-nn <command> --help`
                }
                CommandLine cli = new CommandLine(new AdmmNnCli());
                cli.setCaseInsensitiveEnumValuesAllowed(true);
                try {
                    cli.parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError(ROOT.relativize(md) + ": `admm-nn " + command + "` does not parse: "
                            + e.getMessage(), e);
                }
                for (int i = 0; i < args.size(); i++) {
                    String a = args.get(i);
                    boolean output = i > 0 && args.get(i - 1).equals("--out");
                    String path = a.replaceFirst("^measured:", "").replaceFirst("@\\d+$", "");
                    if (!output && !path.matches(".*[<*].*") && path.matches("(results|experiments)/.+")) {
                        assertThat(ROOT.resolve(path)).as("%s: `admm-nn %s` names a missing file",
                                ROOT.relativize(md), command).exists();
                    }
                }
                parsed++;
            }
        }
        assertThat(parsed).as("admm-nn commands found").isGreaterThanOrEqualTo(30);
    }

    /**
     * The option lists the result tables and the prose give for a run ("`prune --model lenet-5 --preset full ...`"):
     * every option they name exists for that subcommand. Required parameters may be left out of such a fragment.
     */
    @Test
    void everyOptionListShownInProseNamesRealOptions() throws IOException {
        CommandLine root = new CommandLine(new AdmmNnCli());
        Pattern fragment = Pattern.compile("^(" + String.join("|", root.getSubcommands().keySet()) + ")\\s+\\S*-.*");
        int checked = 0;
        for (Path md : markdownFiles()) {
            Matcher inline = INLINE.matcher(FENCE.matcher(Files.readString(md)).replaceAll(""));
            while (inline.find()) {
                String code = inline.group(1).replace(" ...", "").replaceAll("\\[[^]]*]", "").strip();
                if (!fragment.matcher(code).matches()) {
                    continue;
                }
                CommandLine cli = new CommandLine(new AdmmNnCli());
                cli.setCaseInsensitiveEnumValuesAllowed(true);
                try {
                    cli.parseArgs(words(code).toArray(String[]::new));
                } catch (CommandLine.MissingParameterException e) {
                    // a fragment: the rest of the command is in the text around it
                } catch (CommandLine.ParameterException e) {
                    throw new AssertionError(ROOT.relativize(md) + ": `" + code + "` does not parse: " + e.getMessage(), e);
                }
                checked++;
            }
        }
        assertThat(checked).as("option lists found").isGreaterThanOrEqualTo(10);
    }

    @Test
    void everyRelativeLinkResolvesAndEveryDocsPageIsLinkedFromTheReadme() throws IOException {
        List<Path> linked = new ArrayList<>();
        for (Path md : markdownFiles()) {
            Matcher m = LINK.matcher(Files.readString(md));
            while (m.find()) {
                String target = m.group(1).replaceFirst("#.*$", "");
                if (target.isEmpty() || target.matches("[a-z]+:.*")) {
                    continue; // same-page anchor or a web address
                }
                Path file = md.getParent().resolve(target).normalize();
                assertThat(file).as("%s links to a missing file: %s", ROOT.relativize(md), m.group(1)).exists();
                if (md.getFileName().toString().equals("README.md") && md.getParent().equals(ROOT)) {
                    linked.add(file);
                }
            }
        }
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md"))
                    .forEach(p -> assertThat(linked).as("README.md links to docs/%s", p.getFileName()).contains(p));
        }
        assertThat(Files.readAllLines(ROOT.resolve("README.md")).size()).as("README.md lines").isLessThanOrEqualTo(220);
    }

    /** README.md and every Markdown page under docs/. */
    static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    record Block(String language, String text) {
    }

    static List<Block> blocks(Path md) throws IOException {
        List<Block> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(Files.readString(md));
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return blocks;
    }

    /**
     * The arguments of every {@code admm-nn} command in a shell block (continuation lines joined, comments and
     * redirections dropped) or in an inline code span that starts with {@code scripts/admm-nn}.
     */
    static List<String> commands(Path md) throws IOException {
        String text = Files.readString(md);
        List<String> lines = new ArrayList<>();
        for (Block b : blocks(md)) {
            if (b.language().equals("bash") || b.language().equals("sh")) {
                lines.addAll(List.of(b.text().replace("\\\n", " ").split("\n")));
            }
        }
        // In prose only a span that starts with the launcher is a command; "`admm-nn compare` runs" names one.
        Matcher inline = INLINE.matcher(FENCE.matcher(text).replaceAll(""));
        while (inline.find()) {
            if (inline.group(1).startsWith("scripts/admm-nn ")) {
                lines.add(inline.group(1));
            }
        }
        List<String> commands = new ArrayList<>();
        Pattern start = Pattern.compile("(?:^|\\s)(?:\\S*/)?admm-nn\\s+(.*)$");
        for (String line : lines) {
            String code = line.replaceFirst("\\s#\\s.*$", "").replaceFirst("\\s+(?:[0-9&]?>|\\|).*$", "").strip();
            Matcher m = start.matcher(code);
            if (m.find() && !code.startsWith("...")) {
                // "..." stands for more of the same, [...] for an optional part
                commands.add(m.group(1).replace(" ...", "").replaceAll("\\[[^]]*]", "").strip());
            }
        }
        return commands;
    }

    /** Shell words: whitespace-separated, single and double quotes removed. */
    static List<String> words(String command) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("'([^']*)'|\"([^\"]*)\"|(\\S+)").matcher(command);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return words;
    }

    /**
     * A complete compilation unit as it is (file named after its first type, in its package's folder); a fragment
     * (statements, possibly after imports) wrapped in a method of a class of its own.
     */
    private static Path writeSource(Path dir, String text, String label) throws IOException {
        Matcher type = TYPE.matcher(text);
        String source;
        String name;
        if (type.find()) {
            source = text;
            name = type.group(1);
        } else {
            StringBuilder imports = new StringBuilder();
            StringBuilder body = new StringBuilder();
            for (String line : text.split("\n")) {
                (line.startsWith("import ") ? imports : body).append(line).append('\n');
            }
            name = "Snippet_" + label.replaceAll("\\W", "_");
            source = imports + "class " + name + " {\n    static void snippet() throws Exception {\n" + body + "    }\n}\n";
        }
        Matcher pkg = PACKAGE.matcher(source);
        Path folder = pkg.find() ? dir.resolve(pkg.group(1).replace('.', '/')) : dir;
        Files.createDirectories(folder);
        return Files.writeString(folder.resolve(name + ".java"), source);
    }

    private static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("experiments"))) {
                return p;
            }
        }
        throw new IllegalStateException("project root (README.md beside experiments/) not found");
    }
}
