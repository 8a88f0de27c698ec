package io.admmnn.experiments.data;

import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of an {@link ImageDataset} in an order that depends only on (seed, epoch): the order of
 * epoch e is a Fisher-Yates permutation drawn from {@code new Random(seed * 1_000_003 + e)}. {@link #reset()}
 * replays the current epoch's order; {@link #setEpoch} picks another. This makes a resumed run see exactly
 * the batches an uninterrupted run would.
 */
public final class ShuffledBatches implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    private final ImageDataset data;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private int[] order;
    private int position;
    private DataSetPreProcessor preProcessor;

    private ShuffledBatches(ImageDataset data, int batchSize, long seed, boolean shuffle) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        setEpoch(0);
    }

    /** Training batches, reshuffled per epoch. */
    public static ShuffledBatches training(ImageDataset data, int batchSize, long seed) {
        return new ShuffledBatches(data, batchSize, seed, true);
    }

    /** Evaluation batches in file order. */
    public static ShuffledBatches inOrder(ImageDataset data, int batchSize) {
        return new ShuffledBatches(data, batchSize, 0, false);
    }

    /** Selects the order of epoch {@code epoch} and rewinds. */
    public void setEpoch(int epoch) {
        order = shuffle ? permutation(data.size(), seed, epoch) : identity(data.size());
        position = 0;
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

    /** Number of batches per epoch. */
    public int batchesPerEpoch() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    @Override
    public DataSet next(int num) {
        int end = Math.min(position + num, order.length);
        long[] rows = new long[end - position];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = order[position + i];
        }
        position = end;
        INDArray x = Nd4j.pullRows(data.features(), 1, toInt(rows));
        INDArray y = Nd4j.pullRows(data.labels(), 1, toInt(rows));
        DataSet ds = new DataSet(x, y);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    private static int[] toInt(long[] rows) {
        int[] r = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            r[i] = (int) rows[i];
        }
        return r;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return position < order.length;
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
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        position = 0;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
