package io.admmnn.experiments.inference;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.runtime.model.CompressedModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Test accuracy of a compressed model run by admm-runtime (no DL4J in the forward pass): the share of examples
 * whose largest output is the labelled class, as DL4J's {@code Evaluation.accuracy()} counts it.
 *
 * @param correct examples classified correctly
 * @param total   examples seen
 */
public record RuntimeAccuracy(long correct, long total) {

    /** {@code correct / total}. */
    public double accuracy() {
        return total == 0 ? 0 : correct / (double) total;
    }

    /** Runs {@code model} over every batch of {@code data} (reset first), each as one call to the runtime. */
    public static RuntimeAccuracy of(CompressedModel model, DataSetIterator data) {
        data.reset();
        long correct = 0;
        long total = 0;
        while (data.hasNext()) {
            DataSet batch = data.next();
            INDArray features = batch.getFeatures();
            int n = (int) features.size(0);
            int[] predicted = model.classify(FlatValues.readFloats(features.dup('c')), n);
            long[] labels = batch.getLabels().argMax(1).toLongVector();
            for (int i = 0; i < n; i++) {
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
            total += n;
        }
        return new RuntimeAccuracy(correct, total);
    }
}
