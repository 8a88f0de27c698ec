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
    /** Whether batches are written into {@link #slots} (see {@link #reusingBatchArrays}). */
    private boolean reuse;
    /** Per batch size, two pairs of (features, labels) arrays that batches take turns to fill. */
    private transient java.util.Map<Integer, INDArray[][]> slots;
    private transient int turn;

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

    /**
     * Makes this iterator write each batch into arrays it keeps (two sets per batch size, used in turn) instead of
     * new ones: a batch's arrays then hold its values only until the second {@code next()} after it. For a consumer
     * that is done with a batch when it asks for the one after next, as training is ({@code fitEpoch}, DL4J's
     * {@code fit}); not for one that keeps batches. Saves allocating fresh off-heap arrays for every batch, which
     * cost 100-150 us of CPU per batch here, against a LeNet-300-100 step of about 2 ms. Returns this.
     */
    public ShuffledBatches reusingBatchArrays() {
        reuse = true;
        return this;
    }

    @Override
    public DataSet next(int num) {
        int[] rows = take(num);
        INDArray features = data.features();
        INDArray labels = data.labels();
        if (reuse && isFloatRows(features) && isFloatRows(labels)) {
            if (slots == null) {
                slots = new java.util.HashMap<>();
            }
            INDArray[][] pairs = slots.computeIfAbsent(rows.length, n -> {
                try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    return new INDArray[][]{
                        {Nd4j.create(DataType.FLOAT, n, features.size(1)), Nd4j.create(DataType.FLOAT, n, labels.size(1))},
                        {Nd4j.create(DataType.FLOAT, n, features.size(1)), Nd4j.create(DataType.FLOAT, n, labels.size(1))}};
                }
            });
            INDArray[] pair = pairs[turn];
            turn ^= 1;
            copyRows(features, rows, pair[0]);
            copyRows(labels, rows, pair[1]);
            return finish(new DataSet(pair[0], pair[1]));
        }
        return finish(new DataSet(pullRows(features, rows), pullRows(labels, rows)));
    }

    /**
     * {@code Nd4j.pullRows(source, 1, rows)}: for a float matrix of contiguous rows (MNIST's, or a {@code first(n)}
     * view of it) one bulk copy per row, which takes a tenth of the 100-300 us per LeNet-300-100 batch that the
     * ND4J op took (the batch is a part of every timed training step).
     */
    static INDArray pullRows(INDArray source, int[] rows) {
        if (!isFloatRows(source)) {
            return Nd4j.pullRows(source, 1, rows);
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, rows.length, source.size(1));
        copyRows(source, rows, out);
        return out;
    }

    /** Whether {@code a} is a float matrix of contiguous rows, which {@link #copyRows} can read. */
    private static boolean isFloatRows(INDArray a) {
        return a.rank() == 2 && a.dataType() == DataType.FLOAT && a.ordering() == 'c' && a.stride(1) == 1
                && a.stride(0) == a.size(1) && a.length() <= Integer.MAX_VALUE;
    }

    /** {@code out[i] = source[rows[i]]} for a {@link #isFloatRows} source and a float row-major {@code out} of its own. */
    private static void copyRows(INDArray source, int[] rows, INDArray out) {
        FloatBuffer from = source.data().asNioFloat();
        FloatBuffer to = out.data().asNioFloat();
        int n = (int) source.size(1);
        int base = (int) source.offset();
        for (int i = 0; i < rows.length; i++) {
            to.put(i * n, from, base + rows[i] * n, n);
        }
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
