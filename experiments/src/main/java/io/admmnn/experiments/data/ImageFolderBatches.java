package io.admmnn.experiments.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Minibatches of an {@link ImageFolderDataset}, decoded from disk when requested (one batch in memory at a
 * time, plus the next one being decoded: {@code batch * channels * height * width} floats, 618 KB per 3x227x227
 * image, 158 MB for a batch of 256), in the order of {@link ShuffledBatches}: file order, or per-epoch permutation
 * {@link ShuffledBatches#permutation} of (seed, epoch), so a resumed run sees the batches an uninterrupted one
 * would. Features are {@code [n, channels, height, width]} (NCHW) or {@code [n, height, width, channels]} (NHWC)
 * floats (or rows {@code [n, channels * height * width]}, see {@link ImageFolderDataset.Options#rows()}), labels
 * one-hot {@code [n, labelColumns]} (the number of classes unless asked for more).
 *
 * <p>Prefetching: while the network trains on one batch, a background thread decodes the next (the images of a
 * batch on {@code options.threads()} threads). This replaces DL4J's {@code AsyncDataSetIterator}, whose thread
 * dies on an exception and leaves {@code fit} waiting forever: here a failure in any of these threads reaches the
 * caller, rethrown by {@link #next()} (or {@link #hasNext()} when skipping), as the {@link DataException} naming
 * the file. So {@link #asyncSupported()} is false and DL4J does not wrap these batches.
 *
 * <p>With {@link ImageFolderDataset.Options#skipUnreadable()}, an image that cannot be read is left out of its
 * batch (which is then smaller) and its file recorded ({@link #unreadableFiles()}); the order of all other images
 * stays that of (seed, epoch), so a resumed run still sees the batches an uninterrupted one would. A batch of
 * unreadable images only is passed over.
 */
public final class ImageFolderBatches extends EpochOrderedBatches implements AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient ImageFolderDataset data;
    private final ImageFolderDataset.Options options;
    private final transient ExecutorService decoders;
    private final transient ExecutorService prefetcher;
    private final int labelColumns;
    private final transient Set<Path> unreadable = ConcurrentHashMap.newKeySet();
    /** The batch being decoded ahead and its example indices (null when none). */
    private transient Future<DataSet> pending;
    private transient int[] pendingRows;
    /** When skipping: the batch {@link #hasNext()} found and {@link #next()} has not handed out yet. */
    private transient DataSet ready;

    ImageFolderBatches(ImageFolderDataset data, ImageFolderDataset.Options options, int batchSize, long seed,
                       boolean shuffle, int labelColumns) {
        super(data.size(), batchSize, seed, shuffle);
        this.data = data;
        this.options = options;
        this.labelColumns = labelColumns;
        this.decoders = options.threads() > 1 ? Executors.newFixedThreadPool(options.threads(), daemons("image-decoder"))
                : null;
        this.prefetcher = Executors.newSingleThreadExecutor(daemons("image-prefetch"));
    }

    // Daemons never keep the JVM alive if a caller forgets close().
    private static java.util.concurrent.ThreadFactory daemons(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public boolean hasNext() {
        if (!options.skipUnreadable()) {
            return super.hasNext();
        }
        // Decoding ahead here lets a batch of unreadable images be passed over, so DL4J never gets an empty batch.
        while (ready == null && super.hasNext()) {
            ready = nextDecoded(batch());
        }
        return ready != null;
    }

    /**
     * The next batch of {@code num} images (when skipping unreadable images: of the iterator's batch size, fewer the
     * unreadable ones).
     *
     * @throws DataException naming the file that cannot be decoded, whichever thread decoded it
     */
    @Override
    public DataSet next(int num) {
        if (!options.skipUnreadable()) {
            return finish(nextDecoded(num));
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch finished; reset() or setEpoch() first");
        }
        DataSet batch = ready;
        ready = null;
        return finish(batch);
    }

    @Override
    protected void rewound() {
        ready = null; // a batch of the old order; a pending one is only used if its indices come up again
    }

    /** Takes the next {@code num} indices, returns their batch (decoded ahead if it was) and starts the one after. */
    private DataSet nextDecoded(int num) {
        int[] rows = take(num);
        DataSet batch;
        if (pending != null && Arrays.equals(rows, pendingRows)) {
            batch = await(pending);
        } else {
            if (pending != null) {
                pending.cancel(true); // read ahead for an order given up (reset or another epoch)
            }
            batch = build(rows);
        }
        pending = null;
        if (super.hasNext()) {
            int[] ahead = upcoming(num);
            pendingRows = ahead;
            pending = prefetcher.submit(() -> build(ahead));
        }
        return batch;
    }

    /** The batch of examples {@code rows}, or null if every one of them was unreadable and skipped. */
    private DataSet build(int[] rows) {
        int values = options.valuesPerImage();
        float[] x = new float[rows.length * values];
        boolean[] read = decode(rows, x);
        int n = 0;
        float[] y = new float[rows.length * labelColumns];
        for (int r = 0; r < rows.length; r++) {
            if (read[r]) {
                System.arraycopy(x, r * values, x, n * values, values); // close the gaps of skipped images
                y[n * labelColumns + data.image(rows[r]).label()] = 1f;
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        int c = options.channels();
        int h = options.height();
        int w = options.width();
        long[] shape = options.rows() ? new long[]{n, values}
                : options.channelsFirst() ? new long[]{n, c, h, w} : new long[]{n, h, w, c};
        return new DataSet(Nd4j.create(Arrays.copyOf(x, n * values), shape, 'c'),
                Nd4j.create(Arrays.copyOf(y, n * labelColumns), new long[]{n, labelColumns}, 'c'));
    }

    /** Decodes image {@code rows[r]} into row r of {@code x} for each r; false where it was unreadable and skipped. */
    private boolean[] decode(int[] rows, float[] x) {
        boolean[] read = new boolean[rows.length];
        if (decoders == null) {
            for (int r = 0; r < rows.length; r++) {
                read[r] = decodeOne(rows[r], x, r);
            }
            return read;
        }
        List<Future<Boolean>> jobs = new ArrayList<>(rows.length);
        for (int r = 0; r < rows.length; r++) {
            int row = r;
            jobs.add(decoders.submit(() -> decodeOne(rows[row], x, row)));
        }
        try {
            for (int r = 0; r < rows.length; r++) {
                read[r] = await(jobs.get(r));
            }
        } catch (RuntimeException e) {
            jobs.forEach(j -> j.cancel(true));
            throw e;
        }
        return read;
    }

    private boolean decodeOne(int index, float[] x, int row) {
        Path file = data.image(index).file();
        try {
            ImageFolderDataset.decodeInto(file, options, x, row);
            return true;
        } catch (DataException e) {
            if (!options.skipUnreadable()) {
                throw e;
            }
            unreadable.add(file);
            return false;
        }
    }

    /**
     * The result of a job of another thread; its failure rethrown here, on the caller's thread: the
     * {@link DataException} naming the file as it is, anything else (a bug, memory) as a one-line DataException.
     */
    private static <T> T await(Future<T> job) {
        try {
            return job.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DataException d) {
                throw d;
            }
            throw new DataException("decoding images failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while decoding images", e);
        }
    }

    /** The files left out so far because they could not be read or decoded (skipping only), sorted. */
    @Override
    public List<String> unreadableFiles() {
        return unreadable.stream().map(Path::toString).sorted().toList();
    }

    @Override
    public int inputColumns() {
        return options.valuesPerImage();
    }

    @Override
    public int totalOutcomes() {
        return labelColumns;
    }

    /** False: these batches prefetch themselves, handing a decoding failure to the caller (see the class comment). */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public List<String> getLabels() {
        return data.classes();
    }

    /** Stops the decoding and prefetching threads. */
    @Override
    public void close() {
        if (decoders != null) {
            decoders.shutdownNow();
        }
        prefetcher.shutdownNow();
    }
}
