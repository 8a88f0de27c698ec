package io.admmnn.experiments.pipeline;

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
     * @throws IllegalArgumentException (one line) if the path does not exist or holds no model
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
        return file.getFileName().toString().endsWith(".admmnn") ? CompressedModelFile.read(file)
                : TrainableNetwork.load(file.toFile(), false);
    }

    /** The zoo model id recorded in the folder's {@code report.json} (next to a model file), or null. */
    public static String modelId(Path runOrFile) throws IOException {
        Path dir = Files.isDirectory(runOrFile) ? runOrFile : runOrFile.toAbsolutePath().getParent();
        Path json = dir == null ? null : dir.resolve("report.json");
        if (json == null || !Files.isRegularFile(json)) {
            return null;
        }
        RunRecord rec = RunRecord.fromJson(Files.readString(json));
        return rec.plan == null ? null : rec.plan.model();
    }
}
