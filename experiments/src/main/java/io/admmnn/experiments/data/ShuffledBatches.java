package io.admmnn.experiments.data;


import java.nio.FloatBuffer;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
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
        return finish(new DataSet(pullRows(data.features(), rows), pullRows(data.labels(), rows)));
    }

    /**
     * {@code Nd4j.pullRows(source, 1, rows)}: for a float matrix of contiguous rows (MNIST's, or a {@code first(n)}
     * view of it) one bulk copy per row, which takes a tenth of the 100-300 us per LeNet-300-100 batch that the
     * ND4J op took (the batch is a part of every timed training step).
     */
    static INDArray pullRows(INDArray source, int[] rows) {
        long cols = source.size(1);
        if (source.dataType() != DataType.FLOAT || source.ordering() != 'c' || source.stride(1) != 1
                || source.stride(0) != cols || source.length() > Integer.MAX_VALUE) {
            return Nd4j.pullRows(source, 1, rows);
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, rows.length, cols);
        FloatBuffer from = source.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int n = (int) cols;
        int base = (int) source.offset();
        for (int i = 0; i < rows.length; i++) {
            to.put(i * n, from, base + rows[i] * n, n);
        }
        return out;
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
