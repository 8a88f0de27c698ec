package io.admmnn.experiments.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of a data set with their pinned SHA-256 sums (hex), so that a result can only come from the
 * exact bytes the sums were taken from. Shared by {@link Mnist} and {@link FashionMnist}.
 *
 * @param dataset display name used in messages, e.g. {@code "MNIST"}
 * @param sha256  file name to expected SHA-256 (lower-case hex), in a fixed order
 */
public record ChecksummedFiles(String dataset, Map<String, String> sha256) {

    public ChecksummedFiles {
        sha256 = Collections.unmodifiableMap(new LinkedHashMap<>(sha256));
    }

    /** Files given as name, sum, name, sum, ... (keeps that order in messages). */
    public static ChecksummedFiles of(String dataset, String... nameThenSha256) {
        if (nameThenSha256.length % 2 != 0) {
            throw new IllegalArgumentException("pairs of file name and SHA-256 expected");
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenSha256.length; i += 2) {
            m.put(nameThenSha256[i], nameThenSha256[i + 1]);
        }
        return new ChecksummedFiles(dataset, m);
    }

    /** The file names, in order. */
    public List<String> names() {
        return List.copyOf(sha256.keySet());
    }

    /** Whether every file is present (not checked) in {@code directory}. */
    public boolean allPresent(Path directory) {
        return sha256.keySet().stream().allMatch(f -> Files.isRegularFile(directory.resolve(f)));
    }

    /** The files missing from {@code directory}. */
    public List<String> missing(Path directory) {
        return sha256.keySet().stream().filter(f -> !Files.isRegularFile(directory.resolve(f))).toList();
    }

    /**
     * Checks that every file is present and has its pinned SHA-256.
     *
     * @param whatToDo the remedy appended to a one-line error (e.g. "delete X and run again")
     * @throws DataException naming the first missing or mismatching file
     */
    public void verify(Path directory, String whatToDo) {
        List<String> missing = missing(directory);
        if (!missing.isEmpty()) {
            throw new DataException(dataset + " file " + directory.resolve(missing.get(0)) + " is missing; " + whatToDo);
        }
        for (String f : sha256.keySet()) {
            checkSum(directory.resolve(f), f, whatToDo);
        }
    }

    /** Checks one file (which may lie elsewhere, e.g. in a download folder) against the sum pinned for {@code name}. */
    public void checkSum(Path file, String name, String whatToDo) {
        String expected = sha256.get(name);
        if (expected == null) {
            throw new IllegalArgumentException(dataset + " has no file " + name);
        }
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new DataException("checksum mismatch for " + file + ": SHA-256 " + actual + ", expected " + expected
                    + "; " + whatToDo);
        }
    }

    /** SHA-256 of a file's bytes, as lower-case hex. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
