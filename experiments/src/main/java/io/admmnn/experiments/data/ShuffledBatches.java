package io.admmnn.experiments.data;

import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of an {@link ImageDataset} in an order that depends only on (seed, epoch): the order of
 * epoch e is a Fisher-Yates permutation drawn from {@code new Random(seed * 1_000_003 + e)}. {@link #reset()}
 * replays the current epoch's order; {@link #setEpoch} picks another. This makes a resumed run see exactly
 * the batches an uninterrupted run would.
 */
public final class ShuffledBatches extends EpochOrderedBatches {

    private static final long serialVersionUID = 1L;

    private final ImageDataset data;

    private ShuffledBatches(ImageDataset data, int batchSize, long seed, boolean shuffle) {
        super(data.size(), batchSize, seed, shuffle);
        this.data = data;
    }

    /** Training batches, reshuffled per epoch. */
    public static ShuffledBatches training(ImageDataset data, int batchSize, long seed) {
        return new ShuffledBatches(data, batchSize, seed, true);
    }

    /** Evaluation batches in file order. */
    public static ShuffledBatches inOrder(ImageDataset data, int batchSize) {
        return new ShuffledBatches(data, batchSize, 0, false);
    }

    /**
     * The order of epoch {@code epoch}: a Fisher-Yates permutation of 0..n-1 drawn from
     * {@code new Random(seed * 1_000_003 + epoch)} (shared by every iterator that must resume exactly).
     */
    public static int[] permutation(int n, long seed, int epoch) {
        int[] order = identity(n);
        Random random = new Random(seed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    @Override
    public DataSet next(int num) {
        int[] rows = take(num);
        INDArray x = Nd4j.pullRows(data.features(), 1, rows);
        INDArray y = Nd4j.pullRows(data.labels(), 1, rows);
        return finish(new DataSet(x, y));
    }

    @Override
    public int inputColumns() {
        return (int) data.features().size(1);
    }

    @Override
    public int totalOutcomes() {
        return data.classes();
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
