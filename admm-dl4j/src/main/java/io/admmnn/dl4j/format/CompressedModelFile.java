package io.admmnn.dl4j.format;

import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.hook.AdmmPenalty;
import io.admmnn.dl4j.hook.PrunedWeightMask;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.zip.CRC32;
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

/**
 * A compressed model file: for every layer with weights, its non-zero values as codebook indices packed at
 * their bit width (or raw 32-bit floats where a codebook would not pay), their positions in a
 * {@link SparseIndexFormat}; the remaining parameters (biases) as raw floats; and the network configuration.
 *
 * <p>The file's size is exactly {@link Summary#fileBytes()} = header + per-layer data + dense parameters, each
 * part reported. Values are stored bit-exactly, so a network read back computes exactly what the written one
 * did. A CRC-32 over the whole file makes a corrupt or truncated file an error, never a wrong model.
 *
 * <p>Layout (big-endian): magic "ADMMNN\0\1"; network type; configuration JSON; per encoded layer: name,
 * shape, ordering, encoding, counts, codebook, packed payload; dense parameters; CRC-32 of all preceding bytes.
 */
public final class CompressedModelFile {

    private static final byte[] MAGIC = {'A', 'D', 'M', 'M', 'N', 'N', 0, 1};
    private static final int VERSION = 1;
    private static final int MAX_CODEBOOK = 1 << 16;

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
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeBoolean(network.isGraph());
        byte[] json = cleanConfigurationJson(network).getBytes(StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);

        List<ConstrainableLayer> layers = network.constrainableLayers();
        out.writeInt(layers.size());
        List<LayerStorage> storage = new ArrayList<>();
        for (ConstrainableLayer layer : layers) {
            storage.add(writeLayer(out, layer, indexFormat.apply(layer.name())));
        }
        List<INDArray> dense = denseParameters(network);
        long denseCount = dense.stream().mapToLong(INDArray::length).sum();
        out.writeLong(denseCount);
        for (INDArray p : dense) {
            for (float f : FlatValues.readFloats(p)) {
                out.writeFloat(f);
            }
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();

        Path target = file.toAbsolutePath();
        AtomicFile.writeBytes(target, bytes.toByteArray());
        long fileBytes = Files.size(target);
        long data = storage.stream().mapToLong(LayerStorage::dataBytes).sum();
        return new Summary(storage, denseCount, fileBytes - data - 4 * denseCount, fileBytes);
    }

    /**
     * Reads a file written by {@link #write} into a new, initialised network.
     *
     * @throws IOException naming the problem if the file is not such a file, is truncated or corrupt
     */
    public static TrainableNetwork read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < MAGIC.length + 8 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IOException(file + " is not an admm-nn compressed model file");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = java.nio.ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException(file + " is corrupt or truncated (checksum mismatch)");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(all, 0, all.length - 8))) {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException(file + ": unsupported format version " + version);
            }
            boolean graph = in.readBoolean();
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            TrainableNetwork network = build(graph, new String(json, StandardCharsets.UTF_8));
            int layerCount = in.readInt();
            for (int i = 0; i < layerCount; i++) {
                readLayer(in, network);
            }
            long denseCount = in.readLong();
            List<INDArray> dense = denseParameters(network);
            if (dense.stream().mapToLong(INDArray::length).sum() != denseCount) {
                throw new IOException(file + ": dense parameter count does not match the configuration");
            }
            for (INDArray p : dense) {
                float[] v = new float[(int) p.length()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = in.readFloat();
                }
                FlatValues.write(p, v);
            }
            if (in.available() != 0) {
                throw new IOException(file + ": unexpected bytes after the parameters");
            }
            return network;
        } catch (EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    private static LayerStorage writeLayer(DataOutputStream out, ConstrainableLayer layer, SparseIndexFormat format)
            throws IOException {
        INDArray w = layer.weights();
        if (w.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("layer " + layer.name() + ": only FLOAT weights are supported, was "
                    + w.dataType());
        }
        float[] values = FlatValues.readFloats(w);
        long nonZeros = 0;
        for (float v : values) {
            if (v != 0f) {
                nonZeros++;
            }
        }
        // Entries: the stored (position, value) pairs, fillers included, for the sparse form.
        List<int[]> sparse = format.kind().equals("relative") ? relativeEntries(values, format.maxGap()) : null;
        long sparseEntries = sparse != null ? sparse.size() : nonZeros;
        long sparseIndexBits = sparse != null ? sparseEntries * format.indexBits() : values.length;
        boolean useSparse;
        Codebook sparseBook = Codebook.of(values, true, sparseEntries);
        Codebook denseBook = Codebook.of(values, false, values.length);
        useSparse = sparseEntries * sparseBook.valueBits + sparseIndexBits + 32L * sparseBook.size()
                < (long) values.length * denseBook.valueBits + 32L * denseBook.size();
        Codebook book = useSparse ? sparseBook : denseBook;

        BitPacking.Writer payload = new BitPacking.Writer();
        long fillers = 0;
        long entries;
        long indexBits;
        if (!useSparse) {
            for (float v : values) {
                payload.write(book.code(v), book.valueBits);
            }
            entries = values.length;
            indexBits = 0;
        } else if (sparse != null) {
            for (int[] e : sparse) {
                payload.write(e[0], format.indexBits());
                boolean filler = e[1] < 0;
                payload.write(filler ? 0 : book.code(values[e[1]]), book.valueBits);
                fillers += filler ? 1 : 0;
            }
            entries = sparse.size();
            indexBits = entries * format.indexBits();
        } else {
            for (float v : values) {
                payload.write(v != 0f ? 1 : 0, 1);
            }
            for (float v : values) {
                if (v != 0f) {
                    payload.write(book.code(v), book.valueBits);
                }
            }
            entries = nonZeros;
            indexBits = values.length;
        }
        byte[] packed = payload.toByteArray();

        out.writeUTF(layer.name());
        long[] shape = w.shape();
        out.writeByte(shape.length);
        for (long s : shape) {
            out.writeLong(s);
        }
        out.writeChar(w.ordering());
        out.writeByte(!useSparse ? 0 : format.kind().equals("relative") ? 1 : 2);
        out.writeByte(format.indexBits());
        out.writeLong(entries);
        out.writeByte(book.valueBits);
        out.writeInt(book.size());
        for (float level : book.levels) {
            out.writeFloat(level);
        }
        out.writeInt(packed.length);
        out.write(packed);
        return new LayerStorage(layer.name(), values.length, nonZeros, entries, fillers, book.valueBits, book.size(),
                useSparse ? format : null, entries * book.valueBits, indexBits, 4L * book.size(), packed.length);
    }

    private static void readLayer(DataInputStream in, TrainableNetwork network) throws IOException {
        String name = in.readUTF();
        ConstrainableLayer layer;
        try {
            layer = network.layer(name);
        } catch (IllegalArgumentException e) {
            throw new IOException("compressed file names layer '" + name + "', which its configuration lacks");
        }
        int rank = in.readByte();
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readLong();
        }
        char ordering = in.readChar();
        INDArray w = layer.weights();
        if (!Arrays.equals(shape, w.shape()) || ordering != w.ordering()) {
            throw new IOException("layer " + name + ": stored shape " + Arrays.toString(shape) + " does not match "
                    + Arrays.toString(w.shape()));
        }
        int encoding = in.readByte();
        int indexBits = in.readByte();
        long entries = in.readLong();
        int valueBits = in.readByte();
        float[] levels = new float[in.readInt()];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = in.readFloat();
        }
        byte[] packed = new byte[in.readInt()];
        in.readFully(packed);
        BitPacking.Reader bits = new BitPacking.Reader(packed);
        float[] values = new float[(int) w.length()];
        try {
            switch (encoding) {
                case 0 -> {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = decode(bits.read(valueBits), levels, valueBits);
                    }
                }
                case 1 -> {
                    int maxGap = (1 << indexBits) - 1;
                    long position = -1;
                    for (long e = 0; e < entries; e++) {
                        long gap = bits.read(indexBits);
                        long code = bits.read(valueBits);
                        if (gap == maxGap) {
                            position += maxGap; // filler: skips positions, stores no weight
                            continue;
                        }
                        position += gap + 1;
                        values[Math.toIntExact(position)] = decode(code, levels, valueBits);
                    }
                }
                case 2 -> {
                    boolean[] mask = new boolean[values.length];
                    for (int i = 0; i < values.length; i++) {
                        mask[i] = bits.read(1) == 1;
                    }
                    for (int i = 0; i < values.length; i++) {
                        if (mask[i]) {
                            values[i] = decode(bits.read(valueBits), levels, valueBits);
                        }
                    }
                }
                default -> throw new IOException("layer " + name + ": unknown encoding " + encoding);
            }
        } catch (IllegalStateException | IndexOutOfBoundsException | ArithmeticException e) {
            throw new IOException("layer " + name + ": corrupt payload (" + e.getMessage() + ")", e);
        }
        FlatValues.write(w, values);
    }

    private static float decode(long code, float[] levels, int valueBits) throws IOException {
        if (levels.length == 0) {
            return Float.intBitsToFloat((int) code);
        }
        if (code >= levels.length) {
            throw new IOException("value code " + code + " outside a codebook of " + levels.length);
        }
        return levels[(int) code];
    }

    /**
     * Relative-index entries of the non-zeros: {gap, position} with gap = zeros skipped since the previous entry;
     * a gap of maxGap or more first emits fillers {maxGap, -1}, each standing for maxGap skipped positions.
     */
    private static List<int[]> relativeEntries(float[] values, int maxGap) {
        List<int[]> entries = new ArrayList<>();
        long previous = -1;
        for (int i = 0; i < values.length; i++) {
            if (values[i] == 0f) {
                continue;
            }
            long gap = i - previous - 1;
            while (gap >= maxGap) {
                entries.add(new int[]{maxGap, -1});
                gap -= maxGap;
            }
            entries.add(new int[]{(int) gap, i});
            previous = i;
        }
        return entries;
    }

    /** The distinct stored values, when coding them by index is smaller than raw 32-bit floats. */
    private static final class Codebook {
        final float[] levels;
        final int valueBits;
        private final java.util.Map<Integer, Integer> codes = new java.util.HashMap<>();

        private Codebook(float[] levels, int valueBits) {
            this.levels = levels;
            this.valueBits = valueBits;
            for (int i = 0; i < levels.length; i++) {
                codes.put(Float.floatToRawIntBits(levels[i]), i);
            }
        }

        static Codebook of(float[] values, boolean nonZeroOnly, long entries) {
            TreeSet<Float> distinct = new TreeSet<>();
            for (float v : values) {
                if (!nonZeroOnly || v != 0f) {
                    distinct.add(v);
                    if (distinct.size() > MAX_CODEBOOK) {
                        return new Codebook(new float[0], 32);
                    }
                }
            }
            int size = Math.max(1, distinct.size());
            int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(size - 1));
            if (32L * distinct.size() + entries * bits >= entries * 32) {
                return new Codebook(new float[0], 32);
            }
            float[] levels = new float[distinct.size()];
            int i = 0;
            for (float f : distinct) {
                levels[i++] = f;
            }
            return new Codebook(levels, bits);
        }

        int size() {
            return levels.length;
        }

        long code(float v) {
            if (levels.length == 0) {
                return Float.floatToRawIntBits(v) & 0xffffffffL;
            }
            return codes.get(Float.floatToRawIntBits(v));
        }
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

    /** The configuration JSON without this framework's training hooks (they need ADMM state to run). */
    private static String cleanConfigurationJson(TrainableNetwork network) {
        if (network.model() instanceof MultiLayerNetwork mln) {
            MultiLayerConfiguration conf = mln.getLayerWiseConfigurations().clone();
            conf.getConfs().forEach(CompressedModelFile::stripHooks);
            return conf.toJson();
        }
        ComputationGraphConfiguration conf = ((ComputationGraph) network.model()).getConfiguration().clone();
        conf.getVertices().values().stream().filter(LayerVertex.class::isInstance)
                .forEach(v -> stripHooks(((LayerVertex) v).getLayerConf()));
        return conf.toJson();
    }

    private static void stripHooks(NeuralNetConfiguration conf) {
        if (conf.getLayer() instanceof BaseLayer layer && layer.getRegularization() != null) {
            layer.setRegularization(new ArrayList<>(layer.getRegularization().stream()
                    .filter(r -> !(r instanceof AdmmPenalty) && !(r instanceof PrunedWeightMask)).toList()));
        }
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
