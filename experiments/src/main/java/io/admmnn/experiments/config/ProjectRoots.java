package io.admmnn.experiments.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a command looks for the project's own files (its Python scripts, the committed results an experiment file
 * starts from): the project root that scripts/admm-nn passes as the system property {@code admmnn.root}, then the
 * working directory and each folder above it, in that order.
 */
public final class ProjectRoots {

    private ProjectRoots() {
    }

    /** The folders to resolve a project-relative path against, in the order they are tried. */
    public static List<Path> candidates() {
        List<Path> roots = new ArrayList<>();
        String projectRoot = System.getProperty("admmnn.root");
        if (projectRoot != null) {
            roots.add(Path.of(projectRoot));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            roots.add(dir);
        }
        return roots;
    }
}
