package io.admmnn.experiments.data;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of an {@link ImageFolderDataset}, decoded from disk when requested (one batch in memory at a
 * time: {@code batch * 3 * crop^2} floats, 618 KB per 227x227 image, 158 MB for a batch of 256), in the
 * order of {@link ShuffledBatches}: file order, or per-epoch permutation {@link ShuffledBatches#permutation}
 * of (seed, epoch), so a resumed run sees the batches an uninterrupted one would. Features are
 * {@code [n, 3, crop, crop]} (NCHW) or {@code [n, crop, crop, 3]} (NHWC) floats, labels one-hot
 * {@code [n, labelColumns]} (the number of classes unless asked for more). The images of a batch are decoded on {@code options.threads()} threads.
 */
public final class ImageFolderBatches extends EpochOrderedBatches implements AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient ImageFolderDataset data;
    private final ImageFolderDataset.Options options;
    private final transient ExecutorService pool;
    private final int labelColumns;

    ImageFolderBatches(ImageFolderDataset data, ImageFolderDataset.Options options, int batchSize, long seed,
                       boolean shuffle, int labelColumns) {
        super(data.size(), batchSize, seed, shuffle);
        this.data = data;
        this.options = options;
        this.labelColumns = labelColumns;
        this.pool = options.threads() > 1 ? Executors.newFixedThreadPool(options.threads(), r -> {
            Thread t = new Thread(r, "image-decoder");
            t.setDaemon(true); // never keeps the JVM alive if a caller forgets close()
            return t;
        }) : null;
    }

    @Override
    public DataSet next(int num) {
        int[] rows = take(num);
        int n = rows.length;
        int crop = options.crop();
        float[] x = new float[n * options.valuesPerImage()];
        float[] y = new float[n * labelColumns];
        for (int r = 0; r < n; r++) {
            y[r * labelColumns + data.image(rows[r]).label()] = 1f;
        }
        decode(rows, x);
        long[] shape = options.channelsFirst() ? new long[]{n, 3, crop, crop} : new long[]{n, crop, crop, 3};
        return finish(new DataSet(Nd4j.create(x, shape, 'c'),
                Nd4j.create(y, new long[]{n, labelColumns}, 'c')));
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
    public int inputColumns() {
        return options.valuesPerImage();
    }

    @Override
    public int totalOutcomes() {
        return labelColumns;
    }

    @Override
    public boolean asyncSupported() {
        return true;
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
