package io.admmnn.experiments.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The data sets an experiment may name (the {@code dataset} key of an experiment file, the {@code dataset} of a
 * plan). This enum is the one list of known ids: a new data set is a constant here plus its case in
 * {@link #train} and {@link #test}.
 */
public enum DatasetId {

    /** MNIST digits, 28x28 grey, 10 classes (see {@link Mnist}). */
    MNIST("mnist");

    private final String id;

    DatasetId(String id) {
        this.id = id;
    }

    /** The id used in experiment files and reports, e.g. {@code mnist}. */
    public String id() {
        return id;
    }

    /** Looks a data set up by id (case-insensitive). */
    public static DatasetId byId(String id) {
        for (DatasetId d : values()) {
            if (d.id.equals(id.toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + id + "'; known datasets: " + ids());
    }

    /** The known ids, comma separated, for messages. */
    public static String ids() {
        return Arrays.stream(values()).map(DatasetId::id).collect(Collectors.joining(", "));
    }

    /** Makes the files available in {@code directory} (fetching them once) and returns that folder. */
    public Path ensureAvailable(Path directory, Consumer<String> log) {
        return switch (this) {
            case MNIST -> Mnist.ensureAvailable(directory, log);
        };
    }

    /** The training images. */
    public ImageDataset train(Path directory) {
        return switch (this) {
            case MNIST -> Mnist.train(directory);
        };
    }

    /** The test images. */
    public ImageDataset test(Path directory) {
        return switch (this) {
            case MNIST -> Mnist.test(directory);
        };
    }
}
