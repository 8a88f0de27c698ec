package io.admmnn.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Replaces a file so that a crash at any moment leaves either its old content or the new one, never a
 * partial file: the content is written to a hidden temporary file in the same folder ({@code .<name>.<id>.tmp})
 * and renamed over the target in one atomic step.
 *
 * <p>The temporary file is created with the process's default permissions (umask), so the result is readable
 * like any other file the run writes, not private to its owner as {@link Files#createTempFile} would make it.
 */
public final class AtomicFile {

    /** Writes the new content into the given (empty, existing) temporary file. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    private static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    /**
     * Deletes the temporary files that writes into {@code dir} left behind when their process was killed (kill -9
     * skips the clean-up); call it only when no other process writes there. Returns how many were deleted.
     */
    public static int removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(TEMP_SUFFIX) && Files.isRegularFile(p)) {
                    Files.delete(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Replaces {@code target} with what {@code content} writes, creating its folder if needed. */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = Files.createFile(absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID()
                + TEMP_SUFFIX));
        try {
            content.writeTo(temp);
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Replaces {@code target} with {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, temp -> Files.write(temp, bytes));
    }

    /** Replaces {@code target} with {@code text} in UTF-8. */
    public static void writeString(Path target, CharSequence text) throws IOException {
        writeBytes(target, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}
