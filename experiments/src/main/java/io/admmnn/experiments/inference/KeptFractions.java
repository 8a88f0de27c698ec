package io.admmnn.experiments.inference;

import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.runtime.layer.Layer;
import io.admmnn.runtime.model.CompressedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The kept (non-zero) fraction of each weighted layer of a saved compressed model. */
public final class KeptFractions {

    private KeptFractions() {
    }

    /** Per layer name, non-zeros / weights of {@code run}'s model.admmnn ({@code run} a results folder or the file). */
    public static Map<String, Double> ofRun(Path run) throws IOException {
        Path file = Files.isDirectory(run) ? run.resolve(CompressionPipeline.COMPRESSED_MODEL) : run;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " not found (a results folder with model.admmnn, or the file)");
        }
        return of(CompressedModel.load(file));
    }

    /** Per layer name, non-zeros / weights of {@code model}'s weighted layers. */
    public static Map<String, Double> of(CompressedModel model) {
        Map<String, Double> kept = new LinkedHashMap<>();
        for (Layer l : model.layers()) {
            if (l.kernel().isPresent()) {
                kept.put(l.name(), (double) l.nonZeros() / l.weights());
            }
        }
        return kept;
    }
}
