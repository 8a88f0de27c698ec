package io.admmnn.experiments.cli;

import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.inference.MeasuredKernelPolicy;
import io.admmnn.experiments.inference.RuntimeAccuracy;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.RunRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What {@code infer} and {@code compare} share: a results folder whose model.admmnn admm-runtime runs, the data set's
 * folder, and the runtime's kernel choice (provisional, or from a measured profile).
 */
final class RunModelOptions {

    @Parameters(index = "0", description = "the run's results folder (with model.admmnn and report.json)")
    Path folder;

    @Option(names = "--batch", description = "images per batched runtime call (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--data-dir", description = "the data set's folder (default: the user cache)")
    Path dataDir;

    @Option(names = "--kernel-profile", description = "a measured profile (profile.csv of `admm-nn hardware measure`): "
            + "each layer sparse below its measured break-even at the measured batch nearest to the batch run "
            + "(default: the provisional rule)")
    Path kernelProfile;

    private RunRecord record;
    private Path dataFolder;

    /** @param defaultBatch the command's default {@code --batch} */
    RunModelOptions(int defaultBatch) {
        this.batch = defaultBatch;
    }

    /** The folder's report.json, read once. */
    RunRecord record() throws IOException {
        if (record == null) {
            record = RunRecord.read(folder);
        }
        return record;
    }

    Path modelFile() {
        return folder.resolve(CompressionPipeline.COMPRESSED_MODEL);
    }

    /** The kernel choice for running at {@code batch}. */
    MeasuredKernelPolicy policy(int batch) throws IOException {
        return kernelProfile == null ? MeasuredKernelPolicy.provisional() : MeasuredKernelPolicy.from(kernelProfile, batch);
    }

    DatasetId dataset() throws IOException {
        return DatasetId.byId(record().plan.dataset());
    }

    /** The run's test set (its own limit) in batches of {@code batch}, fetched first if needed. */
    DataSetIterator testBatches(int batch) throws IOException {
        DatasetId dataset = dataset();
        if (dataFolder == null) {
            dataFolder = dataset.ensureAvailable(dataDir != null ? dataDir : dataset.defaultDirectory(),
                    System.err::println);
        }
        return dataset.testBatches(dataFolder, record().plan.testLimit(), batch, dataset.shape().classes());
    }

    /** "test accuracy A (c/n mnist images); the run's read-back accuracy (DL4J) R: equal" (or DIFFERENT). */
    String accuracyLine(RuntimeAccuracy result) throws IOException {
        Double reported = record().accuracy.get(RunRecord.FROM_COMPRESSED_FILE);
        return String.format(Locale.ROOT, "test accuracy %.4f (%d/%d %s images)%s", result.accuracy(), result.correct(),
                result.total(), dataset().id(), reported == null ? "" : String.format(Locale.ROOT,
                        "; the run's read-back accuracy (DL4J) %.4f: %s", reported,
                        reported == result.accuracy() ? "equal" : "DIFFERENT"));
    }
}
