package io.admmnn.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Everything a compressed model file ({@code model.admmnn}) holds, without any framework: the network
 * configuration as the training framework's JSON, one {@link WeightRecord} per layer with weights, and the
 * remaining parameters (biases) as raw floats in network order, and the quantizers of the layers whose input
 * activations are quantized.
 *
 * <p>Layout (big-endian): magic "ADMMNN\0\1"; version (int); graph flag (boolean: DL4J ComputationGraph or
 * MultiLayerNetwork configuration); configuration JSON (int length + UTF-8); layer count and records; dense
 * parameter count (long) and floats; from version 2 on, the activation quantizer count (int) and per quantizer the
 * layer name (UTF) and its {@link ActivationQuantization} record; CRC-32 (long) of all preceding bytes. A file
 * without activation quantizers is written as version 1, byte for byte what earlier builds wrote, and a version 1
 * file reads with none (32-bit float activations). A CRC mismatch makes a corrupt or truncated file an error,
 * never a wrong model.
 *
 * @param graph             whether the configuration is a ComputationGraph's (else a MultiLayerNetwork's)
 * @param configurationJson the network configuration
 * @param layers            the weight tensors, in network order
 * @param denseParameters   every other parameter, in network order (per layer in its parameter table's order)
 * @param activations       the quantizer of each layer whose input activations are quantized, by layer name, in
 *                          network order; layers not named take 32-bit float inputs
 */
public record ModelFileContents(boolean graph, String configurationJson, List<WeightRecord> layers,
                                float[] denseParameters, Map<String, ActivationQuantization> activations) {

    private static final byte[] MAGIC = {'A', 'D', 'M', 'M', 'N', 'N', 0, 1};
    private static final int VERSION_WEIGHTS_ONLY = 1;
    private static final int VERSION_ACTIVATIONS = 2;

    public ModelFileContents {
        layers = List.copyOf(layers);
        activations = Collections.unmodifiableMap(new LinkedHashMap<>(activations));
    }

    /** Contents with 32-bit float activations everywhere. */
    public ModelFileContents(boolean graph, String configurationJson, List<WeightRecord> layers,
                             float[] denseParameters) {
        this(graph, configurationJson, layers, denseParameters, Map.of());
    }

    /** The activation bits of {@code layer}'s input: its quantizer's, or 32 when not quantized. */
    public int activationBits(String layer) {
        return ActivationQuantization.bitsOf(activations.get(layer));
    }

    /** The whole file's bytes, checksum included. */
    public byte[] toBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(activations.isEmpty() ? VERSION_WEIGHTS_ONLY : VERSION_ACTIVATIONS);
        out.writeBoolean(graph);
        byte[] json = configurationJson.getBytes(StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);
        out.writeInt(layers.size());
        for (WeightRecord layer : layers) {
            layer.write(out);
        }
        out.writeLong(denseParameters.length);
        for (float f : denseParameters) {
            out.writeFloat(f);
        }
        if (!activations.isEmpty()) {
            out.writeInt(activations.size());
            for (Map.Entry<String, ActivationQuantization> a : activations.entrySet()) {
                out.writeUTF(a.getKey());
                a.getValue().write(out);
            }
        }
        out.flush();
        CRC32 crc = new CRC32();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    /**
     * Reads {@code file}.
     *
     * @throws IOException naming the file and the problem if it is not such a file, is truncated or corrupt
     */
    public static ModelFileContents read(Path file) throws IOException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /**
     * Parses a file's bytes; {@code source} names it in error messages.
     *
     * @throws IOException naming the source and the problem if it is not such a file, is truncated or corrupt
     */
    public static ModelFileContents parse(byte[] all, String source) throws IOException {
        if (all.length < MAGIC.length + 8 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IOException(source + " is not an admm-nn compressed model file");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        if (stored != crc.getValue()) {
            throw new IOException(source + " is corrupt or truncated (checksum mismatch)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8))) {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version != VERSION_WEIGHTS_ONLY && version != VERSION_ACTIVATIONS) {
                throw new IOException(source + ": unsupported format version " + version);
            }
            boolean graph = in.readBoolean();
            byte[] json = new byte[in.readInt()];
            in.readFully(json);
            int layerCount = in.readInt();
            List<WeightRecord> layers = new ArrayList<>(layerCount);
            for (int i = 0; i < layerCount; i++) {
                layers.add(WeightRecord.read(in));
            }
            float[] dense = new float[Math.toIntExact(in.readLong())];
            for (int j = 0; j < dense.length; j++) {
                dense[j] = in.readFloat();
            }
            Map<String, ActivationQuantization> activations = new LinkedHashMap<>();
            if (version >= VERSION_ACTIVATIONS) {
                int count = in.readInt();
                for (int a = 0; a < count; a++) {
                    String layer = in.readUTF();
                    ActivationQuantization q;
                    try {
                        q = ActivationQuantization.read(in);
                    } catch (EOFException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new IOException(source + ": layer '" + layer + "': " + e.getMessage(), e);
                    }
                    if (activations.put(layer, q) != null) {
                        throw new IOException(source + ": two activation quantizers for layer '" + layer + "'");
                    }
                }
            }
            if (in.available() != 0) {
                throw new IOException(source + ": unexpected bytes after the parameters");
            }
            return new ModelFileContents(graph, new String(json, StandardCharsets.UTF_8), layers, dense,
                    activations);
        } catch (EOFException | ArithmeticException | NegativeArraySizeException e) {
            throw new IOException(source + " is truncated", e);
        }
    }
}
