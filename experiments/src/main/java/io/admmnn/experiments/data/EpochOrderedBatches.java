package io.admmnn.experiments.data;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Minibatches over {@code size} examples in an order that depends only on (seed, epoch): file order, or the
 * permutation {@link ShuffledBatches#permutation} of epoch e. {@link #reset()} replays the current epoch's order
 * and {@link #setEpoch} picks another, so a resumed run sees exactly the batches an uninterrupted run would.
 * Subclasses turn the example indices of a batch ({@link #take}) into a {@link DataSet}.
 */
public abstract class EpochOrderedBatches implements DataSetIterator {

    private static final long serialVersionUID = 1L;

    private final int size;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private int[] order;
    private int position;
    private DataSetPreProcessor preProcessor;

    protected EpochOrderedBatches(int size, int batchSize, long seed, boolean shuffle) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.size = size;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        setEpoch(0);
    }

    /** Selects the order of epoch {@code epoch} and rewinds. */
    public final void setEpoch(int epoch) {
        order = shuffle ? ShuffledBatches.permutation(size, seed, epoch) : ShuffledBatches.identity(size);
        position = 0;
        rewound();
    }

    /** Called after every rewind ({@link #setEpoch}, {@link #reset}): a subclass drops what it read ahead. */
    protected void rewound() {
    }

    /** The files left out because they could not be read (none for sets held in memory), for reports. */
    public List<String> unreadableFiles() {
        return List.of();
    }

    /** Number of examples per epoch. */
    public final int size() {
        return size;
    }

    /** Number of batches per epoch. */
    public final int batchesPerEpoch() {
        return (size + batchSize - 1) / batchSize;
    }

    /** The indices of the next {@code num} examples, without consuming them. */
    protected final int[] upcoming(int num) {
        return Arrays.copyOfRange(order, position, Math.min(position + num, order.length));
    }

    /** Consumes and returns the indices of the next {@code num} examples (fewer at the end of the epoch). */
    protected final int[] take(int num) {
        if (position >= order.length) {
            throw new java.util.NoSuchElementException("epoch finished; reset() or setEpoch() first");
        }
        int[] rows = upcoming(num);
        position += rows.length;
        return rows;
    }

    /** Applies the pre-processor, if any, to a batch built by a subclass. */
    protected final DataSet finish(DataSet batch) {
        if (preProcessor != null) {
            preProcessor.preProcess(batch);
        }
        return batch;
    }

    @Override
    public final DataSet next() {
        return next(batchSize);
    }

    /** Whether the epoch has examples left; a subclass that may pass over some says whether any batch is left. */
    @Override
    public boolean hasNext() {
        return position < order.length;
    }

    @Override
    public final boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public final void reset() {
        position = 0;
        rewound();
    }

    @Override
    public final int batch() {
        return batchSize;
    }

    @Override
    public final void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public final DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }
}
