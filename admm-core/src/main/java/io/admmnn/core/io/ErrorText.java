package io.admmnn.core.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * One-line descriptions of failures for users: file-system errors (Java's own messages for these are often just the
 * path, {@code FileAlreadyExistsException: out.yaml}, which says nothing about what went wrong) and the first line of
 * library messages that run to many lines (DL4J, Jackson).
 */
public final class ErrorText {

    private ErrorText() {
    }

    /** The first line of {@code e}'s message, or its type if it has none. */
    public static String firstLine(Throwable e) {
        return firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /** The first line of {@code message} (empty for null). */
    public static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** What went wrong, naming the file: e.g. {@code out.yaml: exists and is not a folder}. */
    public static String describe(IOException e) {
        if (!(e instanceof FileSystemException f)) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        String what;
        if (e instanceof NoSuchFileException) {
            what = "no such file or folder";
        } else if (e instanceof FileAlreadyExistsException) {
            what = "exists and is not a folder (or is in the way of one)";
        } else if (e instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (e instanceof NotDirectoryException) {
            what = "not a folder";
        } else if (e instanceof DirectoryNotEmptyException) {
            what = "folder not empty";
        } else {
            what = f.getReason() == null ? e.getClass().getSimpleName() : f.getReason();
        }
        return (f.getFile() == null ? "" : f.getFile() + ": ") + what
                + (f.getOtherFile() == null ? "" : " (" + f.getOtherFile() + ")");
    }
}
