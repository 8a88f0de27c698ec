package io.admmnn.experiments.pipeline;

import io.admmnn.dl4j.hook.AdmmHooks;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.zoo.ZooModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The network a plan compresses, as its {@code model} field names it: a built-in {@link ZooModel} id, or the path of
 * a saved network (a DL4J {@code ModelSerializer} zip of a {@code MultiLayerNetwork} or {@code ComputationGraph}, an
 * {@code .admmnn} file, or a results folder holding one): the researcher's own architecture with its trained weights.
 */
public sealed interface ModelSource {

    /** As written in plans and configs: the zoo id, or the path as given. */
    String id();

    /** A short name for folders and messages: the zoo id, or the file name without its extension. */
    default String name() {
        return id();
    }

    /**
     * The network at the start of a run: a built-in model freshly initialised from {@code seed} with Adam at
     * {@code learningRate}; a saved one with its weights and its own updater (fresh updater state).
     */
    TrainableNetwork create(long seed, double learningRate) throws IOException;

    /** Weight count per layer with weights, in network order: the layers a plan can name. */
    Map<String, Long> weightCounts();

    /**
     * Loads the saved network {@code saved} (a results folder or model file) and checks that it has this source's
     * architecture: the same layers with weights, of the same sizes.
     *
     * @throws IllegalArgumentException (one line) naming both layer lists otherwise
     */
    default TrainableNetwork loadSameArchitecture(Path saved) throws IOException {
        TrainableNetwork net = SavedModels.load(saved);
        // Only the weights are taken: a saved ADMM run's hooks would throw, unbound, at the first training step.
        net.constrainableLayers().forEach(l -> AdmmHooks.remove(l.config()));
        Map<String, Long> found = net.weightCounts();
        Map<String, Long> expected = weightCounts();
        if (!found.equals(expected)) {
            throw new IllegalArgumentException(saved + " is not a " + name() + " network: its layers (weights) are "
                    + found + ", " + name() + "'s are " + expected);
        }
        return net;
    }

    /**
     * The source {@code model} names: a zoo id (case-insensitive) if it is one, else an existing file or folder
     * (read only when its network or its layers are needed).
     *
     * @throws IllegalArgumentException (one line) if it is neither
     */
    static ModelSource of(String model) {
        if (isBuiltIn(model)) {
            return new BuiltIn(ZooModel.byId(model));
        }
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("unknown model '" + model + "': not a built-in model ("
                    + Arrays.stream(ZooModel.values()).map(ZooModel::id).collect(Collectors.joining(", "))
                    + ") and no saved model at " + path.toAbsolutePath());
        }
        return new Saved(path);
    }

    /** Whether {@code model} is a zoo id (no file is looked at). */
    static boolean isBuiltIn(String model) {
        try {
            ZooModel.byId(model);
            return true;
        } catch (IllegalArgumentException notAZooId) {
            return false;
        }
    }

    /** A built-in network. */
    record BuiltIn(ZooModel model) implements ModelSource {
        @Override
        public String id() {
            return model.id();
        }

        @Override
        public TrainableNetwork create(long seed, double learningRate) {
            return TrainableNetwork.of(model.build(seed, learningRate));
        }

        @Override
        public Map<String, Long> weightCounts() {
            return model.weightCounts();
        }
    }

    /**
     * A saved network: the file (or results folder) {@code path}. It is loaded on each use, not held, so that naming
     * the source costs nothing and a run loads it once, in {@link #create}.
     */
    record Saved(Path path) implements ModelSource {
        @Override
        public String id() {
            return path.toString();
        }

        @Override
        public String name() {
            String file = path.toAbsolutePath().normalize().getFileName().toString();
            int dot = file.lastIndexOf('.');
            return (dot > 0 ? file.substring(0, dot) : file).toLowerCase(Locale.ROOT);
        }

        /** The saved network as it is: the seed only orders the data, and each phase sets its own learning rate. */
        @Override
        public TrainableNetwork create(long seed, double learningRate) throws IOException {
            return SavedModels.load(path);
        }

        /** @throws UncheckedIOException if the file cannot be read (permissions, disk) */
        @Override
        public Map<String, Long> weightCounts() {
            try {
                return SavedModels.load(path).weightCounts();
            } catch (IOException e) {
                throw new UncheckedIOException(e); // the command line names the file and what went wrong
            }
        }
    }
}
