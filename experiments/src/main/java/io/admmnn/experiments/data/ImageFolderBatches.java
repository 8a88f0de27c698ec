package io.admmnn.experiments.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of an {@link ImageFolderDataset}, decoded from disk when requested (one batch in memory at a
 * time: {@code batch * 3 * crop^2} floats, 618 KB per 227x227 image, 158 MB for a batch of 256), in the
 * order of {@link ShuffledBatches}: file order, or per-epoch permutation {@link ShuffledBatches#permutation}
 * of (seed, epoch), so a resumed run sees the batches an uninterrupted one would. Features are
 * {@code [n, 3, crop, crop]} (NCHW) or {@code [n, crop, crop, 3]} (NHWC) floats, labels one-hot
 * {@code [n, classes]}. The images of a batch are decoded on {@code options.threads()} threads.
 */
public final class ImageFolderBatches implements DataSetIterator, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient ImageFolderDataset data;
    private final ImageFolderDataset.Options options;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final transient ExecutorService pool;
    private int[] order;
    private int position;
    private DataSetPreProcessor preProcessor;

    ImageFolderBatches(ImageFolderDataset data, ImageFolderDataset.Options options, int batchSize, long seed,
                       boolean shuffle) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, was " + batchSize);
        }
        this.data = data;
        this.options = options;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.pool = options.threads() > 1 ? Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "image-decoder");
            t.setDaemon(true); // never keeps the JVM alive if a caller forgets close()
            return t;
        }) : null;
        setEpoch(0);
    }

    /** Selects the order of epoch {@code epoch} and rewinds. */
    public void setEpoch(int epoch) {
        order = shuffle ? ShuffledBatches.permutation(data.size(), seed, epoch) : ShuffledBatches.identity(data.size());
        position = 0;
    }

    /** Number of batches per epoch. */
    public int batchesPerEpoch() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    /** The data set indices of the next {@code num} images (what {@link #next(int)} will decode). */
    int[] upcoming(int num) {
        return java.util.Arrays.copyOfRange(order, position, Math.min(position + num, order.length));
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException("epoch finished; reset() or setEpoch() first");
        }
        int[] rows = upcoming(num);
        position += rows.length;
        int n = rows.length;
        int crop = options.crop();
        float[] x = new float[n * options.valuesPerImage()];
        float[] y = new float[n * data.classes().size()];
        for (int r = 0; r < n; r++) {
            y[r * data.classes().size() + data.image(rows[r]).label()] = 1f;
        }
        decode(rows, x);
        long[] shape = options.channelsFirst() ? new long[]{n, 3, crop, crop} : new long[]{n, crop, crop, 3};
        DataSet ds = new DataSet(Nd4j.create(x, shape, 'c'), Nd4j.create(y, new long[]{n, data.classes().size()}, 'c'));
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    private void decode(int[] rows, float[] x) {
        if (pool == null) {
            for (int r = 0; r < rows.length; r++) {
                ImageFolderDataset.decodeInto(data.image(rows[r]).file(), options, x, r);
            }
            return;
        }
        List<Future<?>> jobs = new ArrayList<>(rows.length);
        for (int r = 0; r < rows.length; r++) {
            int row = r;
            jobs.add(pool.submit(() -> ImageFolderDataset.decodeInto(data.image(rows[row]).file(), options, x, row)));
        }
        try {
            for (Future<?> job : jobs) {
                job.get();
            }
        } catch (ExecutionException e) {
            jobs.forEach(j -> j.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re; // the DataException that names the bad file
            }
            throw new DataException("image decoding failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while decoding images", e);
        }
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
        return options.valuesPerImage();
    }

    @Override
    public int totalOutcomes() {
        return data.classes().size();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
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
        return data.classes();
    }

    /** Stops the decoding threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
