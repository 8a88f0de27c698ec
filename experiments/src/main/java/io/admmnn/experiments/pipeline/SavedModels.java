package io.admmnn.experiments.pipeline;

import io.admmnn.core.io.ErrorText;
import io.admmnn.dl4j.format.CompressedModelFile;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds and loads the network a run saved: a results folder's {@value CompressionPipeline#MODEL} (dense floats),
 * else its {@value CompressionPipeline#COMPRESSED_MODEL}, else the last {@value CompressionPipeline#CHECKPOINT};
 * or a model file named directly (DL4J zip or {@code .admmnn}).
 */
public final class SavedModels {

    private SavedModels() {
    }

    /** The model file of {@code runOrFile}, or null if it is a folder without one. */
    public static Path find(Path runOrFile) {
        if (Files.isRegularFile(runOrFile)) {
            return runOrFile;
        }
        for (String name : new String[] {CompressionPipeline.MODEL, CompressionPipeline.COMPRESSED_MODEL,
                CompressionPipeline.CHECKPOINT}) {
            if (Files.isRegularFile(runOrFile.resolve(name))) {
                return runOrFile.resolve(name);
            }
        }
        return null;
    }

    /**
     * Loads the network of a results folder or model file.
     *
     * @throws IllegalArgumentException (one line) if the path does not exist, holds no model or is not one
     */
    public static TrainableNetwork load(Path runOrFile) throws IOException {
        if (!Files.exists(runOrFile)) {
            throw new IllegalArgumentException(runOrFile + " does not exist (give a results folder or a model file)");
        }
        Path file = find(runOrFile);
        if (file == null) {
            throw new IllegalArgumentException("no " + CompressionPipeline.MODEL + ", " + CompressionPipeline.COMPRESSED_MODEL
                    + " or " + CompressionPipeline.CHECKPOINT + " in " + runOrFile);
        }
        try {
            return file.getFileName().toString().endsWith(".admmnn") ? CompressedModelFile.read(file)
                    : TrainableNetwork.load(file.toFile(), false);
        } catch (java.nio.file.FileSystemException e) {
            throw e; // unreadable, not wrong: the command line says which file and why (ErrorText)
        } catch (IOException | RuntimeException e) {
            // A wrong file is the user's mistake, not a crash: say which file and what the reader found.
            throw new IllegalArgumentException(file + " is not a saved DL4J network (ModelSerializer zip) or .admmnn "
                    + "file: " + ErrorText.firstLine(e), e);
        }
    }

    /** The run record ({@code report.json}) of a results folder, or of the folder holding a model file; null if none. */
    public static RunRecord record(Path runOrFile) throws IOException {
        Path dir = Files.isDirectory(runOrFile) ? runOrFile : runOrFile.toAbsolutePath().getParent();
        if (dir == null || !Files.isRegularFile(dir.resolve("report.json"))) {
            return null;
        }
        return RunRecord.read(dir);
    }

    /**
     * Where a network loaded from {@code runOrFile} comes from: the file, its checksum, and the command, commit and
     * dense baseline of the run that wrote it (the first run's baseline, when that run itself started from a saved
     * network).
     */
    public static RunRecord.SourceModel source(Path runOrFile) throws IOException {
        Path file = find(runOrFile);
        RunRecord rec = record(runOrFile);
        Double baseline = null;
        String command = null;
        String commit = null;
        if (rec != null) {
            baseline = rec.source != null ? rec.source.denseBaseline() : rec.accuracy.get(RunRecord.PRETRAINED);
            command = rec.provenance == null ? null : rec.provenance.command();
            commit = rec.provenance == null ? null : rec.provenance.gitCommit();
        }
        return new RunRecord.SourceModel(file.toString(), io.admmnn.experiments.data.ChecksummedFiles.sha256(file),
                command, commit, baseline);
    }

}
