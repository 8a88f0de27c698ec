package io.admmnn.experiments.cli;

import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.inference.MeasuredKernelPolicy;
import io.admmnn.experiments.inference.RuntimeAccuracy;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.runtime.model.CompressedModel;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code admm-nn infer DIR}: runs a results folder's model.admmnn with admm-runtime over the run's test set, prints
 * the kernel chosen per layer and the test accuracy next to the run's read-back accuracy.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Run a results folder's model.admmnn with the plain-Java runtime (dense or sparse kernel per "
                + "layer) over the run's test set; print the kernel per layer and the test accuracy.")
final class InferCommand implements Callable<Integer> {

    @Parameters(index = "0", description = "the run's results folder (with model.admmnn and report.json)")
    Path folder;

    @Option(names = "--batch", description = "examples per runtime call (default ${DEFAULT-VALUE})")
    int batch = 100;

    @Option(names = "--data-dir", description = "the data set's folder (default: the user cache)")
    Path dataDir;

    @Option(names = "--kernel-profile", description = "a measured profile (profile.csv of `admm-nn hardware measure`): "
            + "each layer sparse below its measured break-even at the measured batch nearest to --batch (default: the "
            + "provisional rule)")
    Path kernelProfile;

    @Override
    public Integer call() throws Exception {
        RunRecord rec = RunRecord.read(folder);
        MeasuredKernelPolicy policy = kernelProfile == null ? MeasuredKernelPolicy.provisional()
                : MeasuredKernelPolicy.from(kernelProfile, batch);
        CompressedModel model = CompressedModel.load(folder.resolve(CompressionPipeline.COMPRESSED_MODEL),
                policy.policy());
        System.out.println(policy.description());
        System.out.print(model.describe());
        DatasetId dataset = DatasetId.byId(rec.plan.dataset());
        Path dir = dataset.ensureAvailable(dataDir != null ? dataDir : dataset.defaultDirectory(), System.err::println);
        long started = System.nanoTime();
        RuntimeAccuracy result = RuntimeAccuracy.of(model, dataset.testBatches(dir, rec.plan.testLimit(), batch,
                dataset.shape().classes()));
        double seconds = (System.nanoTime() - started) / 1e9;
        Double reported = rec.accuracy.get(RunRecord.FROM_COMPRESSED_FILE);
        System.out.printf(Locale.ROOT, "test accuracy %.4f (%d/%d %s images)%s%n", result.accuracy(), result.correct(),
                result.total(), dataset.id(), reported == null ? "" : String.format(Locale.ROOT,
                        "; the run's read-back accuracy (DL4J) %.4f: %s", reported,
                        reported == result.accuracy() ? "equal" : "DIFFERENT"));
        System.out.printf(Locale.ROOT, "wall time %.2f s at batch %d, data loading included (one run on this machine, "
                + "not a benchmark)%n", seconds, batch);
        return 0;
    }
}
