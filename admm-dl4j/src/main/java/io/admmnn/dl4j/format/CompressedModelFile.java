package io.admmnn.dl4j.format;

import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.hook.AdmmPenalty;
import io.admmnn.dl4j.hook.PrunedWeightMask;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.format.LayerStorage;
import io.admmnn.format.ModelFileContents;
import io.admmnn.format.SparseIndexFormat;
import io.admmnn.format.WeightRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A compressed model file: for every layer with weights, its non-zero values as codebook indices packed at
 * their bit width (or raw 32-bit floats where a codebook would not pay), their positions in a
 * {@link SparseIndexFormat}; the remaining parameters (biases) as raw floats; the network configuration; and the
 * activation quantizers ({@link ActivationQuantizers}), stored as records beside the configuration, not in it, so
 * the configuration stays plain DL4J (the runtime reads it without knowing this framework's classes).
 *
 * <p>The file's size is exactly {@link Summary#fileBytes()} = header + per-layer data + dense parameters, each
 * part reported. Values are stored bit-exactly, so a network read back computes exactly what the written one
 * did. A CRC-32 over the whole file makes a corrupt or truncated file an error, never a wrong model.
 *
 * <p>The layout and the encoding of each layer live in the DL4J-free module {@code admm-format}
 * ({@link ModelFileContents}, {@link WeightRecord}); this class maps them to and from a DL4J network.
 */
public final class CompressedModelFile {

    private CompressedModelFile() {
    }

    /**
     * Sizes of a written file.
     *
     * @param layers          per weight tensor
     * @param denseParameters parameters stored raw (biases and layers without weights)
     * @param headerBytes     magic, configuration JSON, per-layer metadata and checksum
     * @param fileBytes       the file's size on disk: header + layer data + 4 * dense parameters
     */
    public record Summary(List<LayerStorage> layers, long denseParameters, long headerBytes, long fileBytes) {

        public long weights() {
            return layers.stream().mapToLong(LayerStorage::weights).sum();
        }

        /** Bytes of all layers' values, indices and codebooks. */
        public long weightDataBytes() {
            return layers.stream().mapToLong(LayerStorage::dataBytes).sum();
        }

        /**
         * 32-bit dense weights over the kept weights' own bits (+ codebooks): no index storage and no filler
         * entries; how ADMM-NN's "weight data" reductions (1,910x, 231x) are counted.
         */
        public double weightReductionKeptValues() {
            double bits = layers.stream().mapToDouble(l -> l.nonZeros() * (double) l.valueBits() + 8.0 * l.codebookBytes()).sum();
            return 32.0 * weights() / bits;
        }

        /** 32-bit dense weights over stored value bits, fillers included (+ codebooks), without index bits. */
        public double weightReductionWithoutIndex() {
            double bits = layers.stream().mapToDouble(l -> l.valuePayloadBits() + 8.0 * l.codebookBytes()).sum();
            return 32.0 * weights() / bits;
        }

        /** 32-bit dense weights over all stored weight bits, indices and fillers included. */
        public double weightReductionWithIndex() {
            double bits = layers.stream().mapToDouble(l -> l.valuePayloadBits() + l.indexPayloadBits()
                    + 8.0 * l.codebookBytes()).sum();
            return 32.0 * weights() / bits;
        }

        /** The whole 32-bit dense model (weights + dense parameters) over the file size. */
        public double fileReduction() {
            return 4.0 * (weights() + denseParameters) / fileBytes;
        }
    }

    /**
     * Writes {@code network} to {@code file} (atomically: a temp file renamed over it).
     *
     * @param indexFormat the index format of each layer name (e.g. {@code name -> relative(4)}); a layer is
     *                    stored dense instead whenever that is smaller
     */
    public static Summary write(TrainableNetwork network, Path file, Function<String, SparseIndexFormat> indexFormat)
            throws IOException {
        List<WeightRecord> records = new ArrayList<>();
        List<LayerStorage> storage = new ArrayList<>();
        for (ConstrainableLayer layer : network.constrainableLayers()) {
            INDArray w = layer.weights();
            if (w.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("layer " + layer.name() + ": only FLOAT weights are supported, was "
                        + w.dataType());
            }
            WeightRecord.Encoded encoded = WeightRecord.encode(layer.name(), w.shape(), w.ordering(),
                    FlatValues.readFloats(w), indexFormat.apply(layer.name()));
            records.add(encoded.record());
            storage.add(encoded.storage());
        }
        List<INDArray> dense = denseParameters(network);
        float[] denseValues = new float[Math.toIntExact(dense.stream().mapToLong(INDArray::length).sum())];
        int offset = 0;
        for (INDArray p : dense) {
            float[] v = FlatValues.readFloats(p);
            System.arraycopy(v, 0, denseValues, offset, v.length);
            offset += v.length;
        }
        byte[] bytes = new ModelFileContents(network.isGraph(), cleanConfigurationJson(network), records, denseValues,
                ActivationQuantizers.installed(network)).toBytes();
        Path target = file.toAbsolutePath();
        AtomicFile.writeBytes(target, bytes);
        long fileBytes = Files.size(target);
        long data = storage.stream().mapToLong(LayerStorage::dataBytes).sum();
        return new Summary(storage, denseValues.length, fileBytes - data - 4L * denseValues.length, fileBytes);
    }

    /**
     * Reads a file written by {@link #write} into a new, initialised network.
     *
     * @throws IOException naming the problem if the file is not such a file, is truncated or corrupt
     */
    public static TrainableNetwork read(Path file) throws IOException {
        ModelFileContents contents = ModelFileContents.read(file);
        TrainableNetwork network = build(contents.graph(), contents.configurationJson());
        for (WeightRecord record : contents.layers()) {
            readLayer(record, network);
        }
        List<INDArray> dense = denseParameters(network);
        float[] stored = contents.denseParameters();
        if (dense.stream().mapToLong(INDArray::length).sum() != stored.length) {
            throw new IOException(file + ": dense parameter count does not match the configuration");
        }
        int offset = 0;
        for (INDArray p : dense) {
            int n = (int) p.length();
            FlatValues.write(p, Arrays.copyOfRange(stored, offset, offset + n));
            offset += n;
        }
        try {
            ActivationQuantizers.install(network, contents.activations());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": activation quantizers: " + e.getMessage(), e);
        }
        return network;
    }

    private static void readLayer(WeightRecord record, TrainableNetwork network) throws IOException {
        String name = record.name();
        ConstrainableLayer layer;
        try {
            layer = network.layer(name);
        } catch (IllegalArgumentException e) {
            throw new IOException("compressed file names layer '" + name + "', which its configuration lacks");
        }
        INDArray w = layer.weights();
        if (!Arrays.equals(record.shape(), w.shape()) || record.ordering() != w.ordering()) {
            throw new IOException("layer " + name + ": stored shape " + Arrays.toString(record.shape())
                    + " does not match " + Arrays.toString(w.shape()));
        }
        FlatValues.write(w, record.decode());
    }

    /** Parameters stored raw: everything except the encoded weight tensors, in network order. */
    private static List<INDArray> denseParameters(TrainableNetwork network) {
        List<INDArray> result = new ArrayList<>();
        java.util.Set<String> encoded = new java.util.HashSet<>();
        network.constrainableLayers().forEach(l -> encoded.add(l.name()));
        Layer[] layers = network.model() instanceof MultiLayerNetwork mln ? mln.getLayers()
                : ((ComputationGraph) network.model()).getLayers();
        for (int i = 0; i < layers.length; i++) {
            String name = layers[i].conf().getLayer().getLayerName();
            String key = name == null || name.isBlank() ? Integer.toString(i) : name;
            layers[i].paramTable().forEach((param, array) -> {
                if (!(param.equals("W") && encoded.contains(key))) {
                    result.add(array);
                }
            });
        }
        return result;
    }

    /**
     * The configuration JSON without this framework's training hooks (they need ADMM state to run) and activation
     * quantizers (stored as records).
     */
    private static String cleanConfigurationJson(TrainableNetwork network) {
        if (network.model() instanceof MultiLayerNetwork mln) {
            MultiLayerConfiguration conf = mln.getLayerWiseConfigurations().clone();
            conf.getConfs().forEach(CompressedModelFile::stripHooks);
            ActivationQuantizers.strip(conf);
            return conf.toJson();
        }
        ComputationGraphConfiguration conf = ((ComputationGraph) network.model()).getConfiguration().clone();
        conf.getVertices().values().stream().filter(LayerVertex.class::isInstance)
                .forEach(v -> stripHooks(((LayerVertex) v).getLayerConf()));
        return conf.toJson();
    }

    private static void stripHooks(NeuralNetConfiguration conf) {
        if (conf.getLayer() instanceof BaseLayer layer) {
            layer.setRegularization(withoutHooks(layer.getRegularization()));
            layer.setRegularizationBias(withoutHooks(layer.getRegularizationBias()));
        }
    }

    private static List<Regularization> withoutHooks(List<Regularization> regs) {
        return regs == null ? null : new ArrayList<>(regs.stream()
                .filter(r -> !(r instanceof AdmmPenalty) && !(r instanceof PrunedWeightMask)).toList());
    }

    private static TrainableNetwork build(boolean graph, String json) {
        if (graph) {
            ComputationGraph g = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
            g.init();
            return TrainableNetwork.of(g);
        }
        MultiLayerNetwork n = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
        n.init();
        return TrainableNetwork.of(n);
    }
}
