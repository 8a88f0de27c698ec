package io.admmnn.experiments.cli;

import io.admmnn.experiments.inference.MeasuredKernelPolicy;
import io.admmnn.experiments.inference.RuntimeAccuracy;
import io.admmnn.runtime.model.CompressedModel;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code admm-nn infer DIR}: runs a results folder's model.admmnn with admm-runtime over the run's test set, prints
 * the kernel chosen per layer and the test accuracy next to the run's read-back accuracy.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = "Run a results folder's model.admmnn with the plain-Java runtime (dense or sparse kernel per "
                + "layer) over the run's test set; print the kernel per layer and the test accuracy.")
final class InferCommand implements Callable<Integer> {

    @Mixin
    RunModelOptions run = new RunModelOptions(100);


    @Override
    public Integer call() throws Exception {
        MeasuredKernelPolicy policy = run.policy(run.batch);
        CompressedModel model = CompressedModel.load(run.modelFile(), policy.policy());
        System.out.println(policy.description());
        System.out.print(model.describe());
        DataSetIterator test = run.testBatches(run.batch);
        long started = System.nanoTime();
        RuntimeAccuracy result = RuntimeAccuracy.of(model, test);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println(run.accuracyLine(result));
        System.out.printf(Locale.ROOT, "wall time %.2f s at batch %d, data loading included (one run on this machine, "
                + "not a benchmark)%n", seconds, run.batch);
        return 0;
    }
}
