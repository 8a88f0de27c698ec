package io.admmnn.dl4j.network;

import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.io.ErrorText;
import io.admmnn.core.tensor.Subnormals;
import io.admmnn.dl4j.speed.LeanDenseTrainer;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * One view of a {@link MultiLayerNetwork} or a {@link ComputationGraph}: its constrainable layers by name,
 * and the few training operations the compression pipeline needs.
 */
public final class TrainableNetwork {

    private final Model model;
    /** The lean training step of an eligible MLN, kept between epochs for its buffers; rebuilt if stale. */
    private LeanDenseTrainer lean;

    private TrainableNetwork(Model model) {
        this.model = model;
    }

    /** Wraps an initialised {@code MultiLayerNetwork} or {@code ComputationGraph}. */
    public static TrainableNetwork of(Model model) {
        if (!(model instanceof MultiLayerNetwork) && !(model instanceof ComputationGraph)) {
            throw new IllegalArgumentException("unsupported model type " + model.getClass().getName()
                    + ": expected MultiLayerNetwork or ComputationGraph");
        }
        return new TrainableNetwork(model);
    }

    /**
     * Restores a network written by {@link #save}; the type (MLN or graph) is read from the file. A DJPQ network's
     * weight quantizers are bound to their layers ({@link io.admmnn.dl4j.djpq.DjpqNetwork#bind}).
     *
     * @throws IOException naming the file when it is damaged (an entry does not match its CRC) or not a DL4J model
     *                     file
     */
    public static TrainableNetwork load(File file, boolean loadUpdater) throws IOException {
        verify(file, null, "a DL4J model file");
        if (isGraphFile(file)) {
            return new TrainableNetwork(ModelSerializer.restoreComputationGraph(file, loadUpdater));
        }
        MultiLayerNetwork mln = ModelSerializer.restoreMultiLayerNetwork(file, loadUpdater);
        io.admmnn.dl4j.djpq.DjpqNetwork.bind(mln); // a DJPQ network's weight quantizers join their layers again
        return new TrainableNetwork(mln);
    }

    public Model model() {
        return model;
    }

    public boolean isGraph() {
        return model instanceof ComputationGraph;
    }

    /**
     * Sets parameters and updater state (e.g. Adam's moments) below 1e-30 in magnitude to zero, in place. ADMM
     * produces subnormal ones by the ten thousand, and the native updater runs slower on them; see {@link Subnormals}.
     */
    public void flushSubnormals() {
        Subnormals.flushToZero(model.params());
        INDArray state = model instanceof ComputationGraph g ? g.getUpdater().getStateViewArray()
                : ((MultiLayerNetwork) model).getUpdater().getStateViewArray();
        if (state != null) {
            Subnormals.flushToZero(state);
        }
    }

    /** The layers that have a weight parameter {@code W}, in network order. */
    public List<ConstrainableLayer> constrainableLayers() {
        List<ConstrainableLayer> result = new ArrayList<>();
        Layer[] layers = layers();
        for (int i = 0; i < layers.length; i++) {
            Layer layer = layers[i];
            if (layer.conf().getLayer() instanceof BaseLayer && layer.paramTable().containsKey("W")) {
                result.add(new ConstrainableLayer(nameOf(layer, i), i, layer.conf().getLayer().getClass().getSimpleName(),
                        layer));
            }
        }
        return Collections.unmodifiableList(result);
    }

    /** Weight count ({@code W} only, no biases) per constrainable layer name, in network order. */
    public Map<String, Long> weightCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        constrainableLayers().forEach(l -> counts.put(l.name(), l.weights().length()));
        return counts;
    }

    /**
     * The constrainable layer called {@code name}.
     *
     * @throws IllegalArgumentException naming the layers that exist, if there is no such layer
     */
    public ConstrainableLayer layer(String name) {
        return constrainableLayers().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer with weights named '" + name
                        + "'; layers with weights: " + constrainableLayers().stream().map(ConstrainableLayer::name)
                        .collect(Collectors.joining(", "))));
    }

    /**
     * One pass over {@code data}: through {@link LeanDenseTrainer}'s lean step where the network is eligible and
     * the step is not switched off (see {@link #trainingStep}), otherwise through DL4J's {@code fit}. Both leave
     * the network in the same state (parameters, updater state, iteration and epoch counts, score).
     */
    public void fitEpoch(DataSetIterator data) {
        if (model instanceof MultiLayerNetwork mln) {
            if (LeanDenseTrainer.enabled() && LeanDenseTrainer.ineligibility(mln) == null) {
                if (lean == null || !lean.isCurrent()) {
                    lean = LeanDenseTrainer.of(mln);
                }
                lean.fitEpoch(data);
            } else {
                mln.fit(data);
            }
        } else {
            ((ComputationGraph) model).fit(data);
        }
    }

    /**
     * Which training step {@link #fitEpoch} takes, in words: "lean dense step" (dense layers only), "lean
     * convolutional step" (convolution and pooling layers in front of them), or "DL4J fit" with the reason the
     * lean step does not apply.
     */
    public String trainingStep() {
        if (!(model instanceof MultiLayerNetwork mln)) {
            return "DL4J fit (a ComputationGraph)";
        }
        if (!LeanDenseTrainer.enabled()) {
            return "DL4J fit (lean step switched off by -D" + LeanDenseTrainer.PROPERTY + "=false)";
        }
        String why = LeanDenseTrainer.ineligibility(mln);
        return why == null ? LeanDenseTrainer.stepName(mln) : "DL4J fit (" + why + ")";
    }

    /** Classification metrics on {@code data} (the iterator is reset first). */
    public Evaluation evaluate(DataSetIterator data) {
        data.reset();
        if (model instanceof MultiLayerNetwork mln) {
            return mln.evaluate(data);
        }
        return ((ComputationGraph) model).evaluate(data);
    }

    /**
     * The number of classes the network outputs: {@code nOut} of its output layer.
     *
     * @throws IllegalArgumentException if it has several outputs, does not end in an output layer with a loss, or
     *                                  its output layer declares no {@code nOut}
     */
    public long outputSize() {
        Layer out;
        if (model instanceof MultiLayerNetwork mln) {
            out = mln.getOutputLayer();
        } else {
            ComputationGraph g = (ComputationGraph) model;
            if (g.getNumOutputArrays() != 1) {
                throw new IllegalArgumentException("the graph has " + g.getNumOutputArrays()
                        + " outputs; compression needs a classifier with one output layer");
            }
            out = g.getOutputLayer(0);
        }
        String type = out.conf().getLayer().getClass().getSimpleName();
        if (!(out instanceof org.deeplearning4j.nn.api.layers.IOutputLayer)) {
            throw new IllegalArgumentException("the last layer (" + type + ") is not an output layer with a loss; "
                    + "compression trains the network, so it must end in one (e.g. OutputLayer)");
        }
        if (!(out.conf().getLayer() instanceof FeedForwardLayer ff) || ff.getNOut() <= 0) {
            throw new IllegalArgumentException("the last layer (" + type
                    + ") declares no number of outputs; compression needs a classifier ending in an output layer");
        }
        return ff.getNOut();
    }

    /** The network's output for {@code features} (inference mode: no dropout). */
    public INDArray output(INDArray features) {
        if (model instanceof MultiLayerNetwork mln) {
            return mln.output(features, false);
        }
        return ((ComputationGraph) model).outputSingle(false, features);
    }

    /**
     * How many times each weight of a constrainable layer is used for one example, from a forward pass of
     * {@code input} (one example): output elements / {@code nOut}, i.e. output positions of a convolution (H x W),
     * 1 for a dense layer. MACs per example = weights x reuse, for any data layout, depthwise convolutions included.
     */
    public Map<String, Long> weightReuse(INDArray input) {
        if (input.size(0) != 1) {
            throw new IllegalArgumentException("give one example, not " + input.size(0));
        }
        Map<String, INDArray> activations = new HashMap<>();
        if (model instanceof MultiLayerNetwork mln) {
            List<INDArray> out = mln.feedForward(input, false); // [0] is the input, [i + 1] layer i's output
            Layer[] layers = mln.getLayers();
            for (int i = 0; i < layers.length; i++) {
                activations.put(nameOf(layers[i], i), out.get(i + 1));
            }
        } else {
            activations.putAll(((ComputationGraph) model).feedForward(input, false));
        }
        Map<String, Long> reuse = new LinkedHashMap<>();
        for (ConstrainableLayer l : constrainableLayers()) {
            INDArray a = activations.get(l.name());
            if (a != null && l.layer().conf().getLayer() instanceof FeedForwardLayer ff && ff.getNOut() > 0) {
                reuse.put(l.name(), a.length() / ff.getNOut());
            }
        }
        return reuse;
    }

    /** Sets the learning rate of every layer (schedules are replaced by this constant). */
    public void setLearningRate(double learningRate) {
        if (model instanceof MultiLayerNetwork mln) {
            mln.setLearningRate(learningRate);
        } else {
            ((ComputationGraph) model).setLearningRate(learningRate);
        }
    }

    public void setListeners(TrainingListener... listeners) {
        model.setListeners(listeners);
    }

    /** Epochs completed so far, as counted by DL4J's configuration (saved with the model). */
    public int epochCount() {
        if (model instanceof MultiLayerNetwork mln) {
            return mln.getEpochCount();
        }
        return ((ComputationGraph) model).getConfiguration().getEpochCount();
    }

    /** Writes the model zip (configuration, parameters and, if asked, the updater state). */
    public void save(File file, boolean saveUpdater) throws IOException {
        AtomicFile.write(file.toPath(), temp -> ModelSerializer.writeModel(model, temp.toFile(), saveUpdater));
    }

    /**
     * Writes the model (with updater state) and {@code objects} (Java-serialized under {@code objects/<key>})
     * into one zip, atomically: it is written beside {@code file} and then renamed over it, so a crash at
     * any moment leaves either the previous checkpoint or the new one, never a partial file.
     */
    public void saveCheckpoint(File file, Map<String, ? extends java.io.Serializable> objects)
            throws IOException {
        AtomicFile.write(file.toPath(), temp -> {
            ModelSerializer.writeModel(model, temp.toFile(), true);
            for (var e : objects.entrySet()) {
                ModelSerializer.addObjectToFile(temp.toFile(), e.getKey(), e.getValue());
            }
        });
    }

    /**
     * Whether {@code file} holds an object stored by {@link #saveCheckpoint} under {@code key}, without reading it
     * (a session's state is the size of the network several times over).
     *
     * @throws IOException naming the file when it is not a zip
     */
    public static boolean hasCheckpointObject(File file, String key) throws IOException {
        try (ZipFile zip = new ZipFile(file)) {
            return zip.getEntry("objects/" + key) != null;
        } catch (ZipException e) {
            throw new IOException(file + " is damaged or not a checkpoint (" + ErrorText.firstLine(e) + ")", e);
        }
    }

    /**
     * Reads an object stored by {@link #saveCheckpoint}, or null if the file has none under {@code key}.
     *
     * @throws IOException naming the file when it is damaged or not a checkpoint, or when the object is of a class
     *                     this build does not have
     */
    @SuppressWarnings("unchecked")
    public static <T> T readCheckpointObject(File file, String key) throws IOException {
        String name = "objects/" + key;
        if (!verify(file, name, "a checkpoint")) {
            return null;
        }
        // Not ModelSerializer.getObjectFromFile: it wraps every IOException in a RuntimeException.
        try (ZipFile zip = new ZipFile(file);
             ObjectInputStream in = new ObjectInputStream(new BufferedInputStream(
                     zip.getInputStream(zip.getEntry(name))))) {
            return (T) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException(file + ": " + name + " is of a class this build does not have ("
                    + e.getMessage() + ")", e);
        }
    }

    /**
     * Fails, naming the file, unless every entry of the zip {@code file} (or only {@code entry}, if not null) reads
     * back with the CRC it was written with. A flipped byte otherwise surfaces as DL4J's or the JDK's bare
     * "invalid entry CRC" or "invalid stored block lengths" with no file named; and {@link ZipFile} does not check
     * CRCs at all, so a damaged entry could reach the deserializer (and ask it for an absurd array) unnoticed.
     * The price is one more read of the file before it is used: about a second per few hundred MB.
     *
     * @param what what the file should be, for the message when it is not a zip at all
     * @return false if {@code entry} is not in the file
     */
    private static boolean verify(File file, String entry, String what) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file);
        } catch (ZipException e) {
            throw new IOException(file + " is damaged or not " + what + " (" + ErrorText.firstLine(e) + ")", e);
        }
        try (zip) {
            List<? extends ZipEntry> entries = entry == null ? Collections.list(zip.entries())
                    : zip.getEntry(entry) == null ? List.of() : List.of(zip.getEntry(entry));
            for (ZipEntry e : entries) {
                String failure;
                try (CheckedInputStream in = new CheckedInputStream(zip.getInputStream(e), new CRC32())) {
                    in.transferTo(OutputStream.nullOutputStream());
                    failure = e.getCrc() == -1 || in.getChecksum().getValue() == e.getCrc() ? null
                            : String.format("CRC %08x, written as %08x", in.getChecksum().getValue(), e.getCrc());
                } catch (ZipException | EOFException x) { // what the inflater says of bytes that are not deflate data
                    failure = ErrorText.firstLine(x);
                }
                if (failure != null) {
                    throw new ZipException(file + " is damaged (" + e.getName() + ": " + failure + ")");
                }
            }
            return !entries.isEmpty();
        }
    }

    /** Total number of parameters (weights and biases). */
    public long parameterCount() {
        return model.numParams();
    }

    private Layer[] layers() {
        if (model instanceof MultiLayerNetwork mln) {
            return mln.getLayers();
        }
        return ((ComputationGraph) model).getLayers();
    }

    private static String nameOf(Layer layer, int index) {
        String name = layer.conf().getLayer().getLayerName();
        return name == null || name.isBlank() ? Integer.toString(index) : name;
    }

    private static boolean isGraphFile(File file) throws IOException {
        try (ZipFile zip = new ZipFile(file)) {
            ZipEntry entry = zip.getEntry("configuration.json");
            if (entry == null) {
                throw new IOException(file + " is not a DL4J model file (no configuration.json inside)");
            }
            try (java.io.InputStream in = zip.getInputStream(entry)) {
                String json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                return json.contains("\"vertices\"");
            }
        }
    }
}
