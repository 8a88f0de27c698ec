package io.admmnn.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.admmnn.format.ActivationQuantization;
import io.admmnn.format.ModelFileContents;
import io.admmnn.format.WeightRecord;
import io.admmnn.runtime.kernel.ConvolutionKernel;
import io.admmnn.runtime.kernel.FullyConnectedKernel;
import io.admmnn.runtime.kernel.KernelKind;
import io.admmnn.runtime.kernel.KernelPolicy;
import io.admmnn.runtime.kernel.LayerKind;
import io.admmnn.runtime.kernel.SparseRows;
import io.admmnn.runtime.layer.Activation;
import io.admmnn.runtime.layer.Convolution;
import io.admmnn.runtime.layer.Elementwise;
import io.admmnn.runtime.layer.FullyConnected;
import io.admmnn.runtime.layer.Layer;
import io.admmnn.runtime.layer.LocalResponseNormalization;
import io.admmnn.runtime.layer.Pooling;
import io.admmnn.runtime.layer.QuantizeActivations;
import io.admmnn.runtime.layer.Reshape;
import io.admmnn.runtime.layer.Shape;
import io.admmnn.runtime.layer.Window;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a model file's DL4J {@code MultiLayerConfiguration} JSON (read with Jackson's tree model, no DL4J) and its
 * weight records into runtime layers, choosing each weighted layer's kernel with a {@link KernelPolicy}.
 *
 * <p>Weights: a dense layer's {@code W} is {@code [nIn, nOut]}, a convolution's {@code [nOut, nIn, kH, kW]}, each
 * flat in the record's own ordering; a sparse kernel gets the non-zeros decoded once into rows per output, a dense
 * kernel a row-major copy. Biases come from the file's dense parameters, in layer order.
 */
final class NetworkReader {

    static final String SUPPORTED = "DenseLayer, OutputLayer, ConvolutionLayer, SubsamplingLayer, "
            + "LocalResponseNormalization, ActivationLayer, DropoutLayer";

    private final Map<String, WeightRecord> records = new HashMap<>();
    private final Map<String, ActivationQuantization> activations;
    private final float[] dense;
    private final KernelPolicy policy;
    private final String source;
    private int denseUsed;

    private NetworkReader(ModelFileContents contents, KernelPolicy policy, String source) {
        contents.layers().forEach(r -> records.put(r.name(), r));
        this.dense = contents.denseParameters();
        this.activations = contents.activations();
        this.policy = policy;
        this.source = source;
    }

    /**
     * The layers of {@code contents}, preprocessors included as {@link Reshape} steps and activation quantizers as
     * {@link QuantizeActivations} steps right before the layer whose input they quantize.
     */
    static List<Layer> read(ModelFileContents contents, KernelPolicy policy, String source) throws IOException {
        if (contents.graph()) {
            throw new UnsupportedLayerException(source + ": a ComputationGraph; admm-runtime runs MultiLayerNetwork "
                    + "configurations only");
        }
        return new NetworkReader(contents, policy, source).layers(new ObjectMapper().readTree(
                contents.configurationJson()));
    }

    private List<Layer> layers(JsonNode conf) throws IOException {
        JsonNode confs = conf.path("confs");
        JsonNode preprocessors = conf.path("inputPreProcessors");
        List<Layer> layers = new ArrayList<>();
        int quantized = 0;
        for (int i = 0; i < confs.size(); i++) {
            JsonNode layer = confs.get(i).path("layer");
            String name = layer.path("layerName").asText("");
            name = name.isBlank() ? Integer.toString(i) : name;
            JsonNode pre = preprocessors.path(Integer.toString(i));
            if (!pre.isMissingNode() && !pre.isNull()) {
                layers.add(preprocessor(pre, name));
            }
            ActivationQuantization q = activations.get(name);
            if (q != null) {
                layers.add(new QuantizeActivations("quantize input of " + name, q));
                quantized++;
            }
            layers.add(layer(layer, name));
        }
        if (quantized != activations.size()) {
            throw new IOException(source + ": activation quantizers name layers the configuration lacks: "
                    + activations.keySet());
        }
        if (denseUsed != dense.length) {
            throw new IOException(source + ": the configuration's layers use " + denseUsed + " dense parameters, the "
                    + "file holds " + dense.length);
        }
        return layers;
    }

    private static String simpleType(JsonNode node) {
        String cls = node.path("@class").asText("?");
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    private Layer preprocessor(JsonNode pre, String layer) throws IOException {
        String type = simpleType(pre);
        switch (type) {
            case "FeedForwardToCnnPreProcessor" -> {
                return new Reshape("before " + layer, new Shape(pre.path("numChannels").asInt(),
                        pre.path("inputHeight").asInt(), pre.path("inputWidth").asInt()));
            }
            case "CnnToFeedForwardPreProcessor" -> {
                requireNchw(pre.path("format"), layer, type);
                return new Reshape("before " + layer, null);
            }
            default -> throw new UnsupportedLayerException("layer '" + layer + "': input preprocessor " + type
                    + " is not supported by admm-runtime (it runs FeedForwardToCnnPreProcessor, "
                    + "CnnToFeedForwardPreProcessor)");
        }
    }

    private static void requireNchw(JsonNode format, String layer, String type) throws UnsupportedLayerException {
        if (!format.isMissingNode() && !format.isNull() && !format.asText().equals("NCHW")) {
            throw new UnsupportedLayerException("layer '" + layer + "': type " + type + " with data format "
                    + format.asText() + " is not supported by admm-runtime (NCHW only)");
        }
    }

    private Layer layer(JsonNode l, String name) throws IOException {
        String type = simpleType(l);
        switch (type) {
            case "DenseLayer", "OutputLayer" -> {
                if (l.path("hasLayerNorm").asBoolean(false)) {
                    throw unsupported(name, type + " with layer normalisation");
                }
                int nIn = l.path("nin").asInt();
                int nOut = l.path("nout").asInt();
                WeightRecord w = weights(name, type, nIn, nOut);
                float[] bias = bias(l, nOut);
                // W [nIn, nOut]: row = output o (coordinate 1), column = input i (coordinate 0).
                SparseRows.EntrySource entries = entries(w, (c, v, sink) -> sink.accept(c[1], c[0], v));
                int nonZeros = count(w);
                KernelKind kind = policy.choose(LayerKind.FULLY_CONNECTED, name, nonZeros / (double) w.size());
                FullyConnectedKernel kernel = kind == KernelKind.SPARSE
                        ? FullyConnectedKernel.sparse(SparseRows.build(nOut, nIn, entries))
                        : FullyConnectedKernel.dense(nIn, nOut, denseCopy(entries, nIn * nOut, (o, i) -> i * nOut + o));
                return new FullyConnected(name, type, kernel, bias, activation(l, name, type), nonZeros);
            }
            case "ConvolutionLayer", "Convolution2D" -> {
                requireNchw(l.path("cnn2dDataFormat"), name, type);
                int nIn = l.path("nin").asInt();
                int nOut = l.path("nout").asInt();
                Window window = window(l, name, type);
                int kH = window.kernelH();
                int kW = window.kernelW();
                WeightRecord w = weights(name, type, nOut, nIn, kH, kW);
                float[] bias = bias(l, nOut);
                SparseRows.EntrySource entries = entries(w, (c, v, sink) -> sink.accept(c[0], (c[1] * kH + c[2]) * kW
                        + c[3], v));
                int nonZeros = count(w);
                KernelKind kind = policy.choose(LayerKind.CONVOLUTION, name, nonZeros / (double) w.size());
                int k = nIn * kH * kW;
                ConvolutionKernel kernel = kind == KernelKind.SPARSE
                        ? ConvolutionKernel.sparse(SparseRows.build(nOut, k, entries), kH, kW)
                        : ConvolutionKernel.dense(nOut, nIn, kH, kW, denseCopy(entries, nOut * k, (o, j) -> o * k + j));
                Activation activation = activation(l, name, type);
                if (activation.kind() == Activation.Kind.SOFTMAX) {
                    throw unsupported(name, type + " with a softmax activation");
                }
                return new Convolution(name, kernel, nIn, window, bias, activation, nonZeros);
            }
            case "SubsamplingLayer" -> {
                requireNchw(l.path("cnn2dDataFormat"), name, type);
                String pooling = l.path("poolingType").asText();
                if (!pooling.equals("MAX") && !pooling.equals("AVG")) {
                    throw unsupported(name, type + " with pooling " + pooling);
                }
                return new Pooling(name, pooling.equals("MAX"), window(l, name, type),
                        l.path("avgPoolIncludePadInDivisor").asBoolean(false));
            }
            case "LocalResponseNormalization" -> {
                requireNchw(l.path("dataFormat"), name, type);
                return new LocalResponseNormalization(name, l.path("k").asDouble(), (int) l.path("n").asDouble(),
                        l.path("alpha").asDouble(), l.path("beta").asDouble());
            }
            case "ActivationLayer" -> {
                return new Elementwise(name, type, activation(l, name, type));
            }
            case "DropoutLayer" -> {
                return new Elementwise(name, type, Activation.of(Activation.Kind.IDENTITY));
            }
            default -> throw new UnsupportedLayerException("layer '" + name + "' has type " + type
                    + ", which admm-runtime cannot run (it runs " + SUPPORTED + ")");
        }
    }

    private static UnsupportedLayerException unsupported(String name, String what) {
        return new UnsupportedLayerException("layer '" + name + "': " + what + " is not supported by admm-runtime");
    }

    private Window window(JsonNode l, String name, String type) throws UnsupportedLayerException {
        int[] k = pair(l.path("kernelSize"));
        int[] s = pair(l.path("stride"));
        int[] p = pair(l.path("padding"));
        JsonNode d = l.path("dilation");
        int[] dil = d.isMissingNode() || d.isNull() ? new int[]{1, 1} : pair(d);
        String mode = l.path("convolutionMode").asText("Truncate");
        if (!mode.equals("Truncate") && !mode.equals("Strict") && !mode.equals("Same")) {
            throw unsupported(name, type + " with convolution mode " + mode);
        }
        return new Window(k[0], k[1], s[0], s[1], p[0], p[1], dil[0], dil[1], mode.equals("Same"));
    }

    private static int[] pair(JsonNode node) {
        return new int[]{node.path(0).asInt(), node.path(1).asInt()};
    }

    private Activation activation(JsonNode l, String name, String type) throws UnsupportedLayerException {
        JsonNode fn = l.path("activationFn");
        String cls = simpleType(fn);
        switch (cls) {
            case "ActivationIdentity" -> {
                return Activation.of(Activation.Kind.IDENTITY);
            }
            case "ActivationReLU" -> {
                for (String p : List.of("max", "negativeSlope", "threshold")) {
                    if (!fn.path(p).isMissingNode() && !fn.path(p).isNull() && fn.path(p).asDouble() != 0) {
                        throw unsupported(name, type + " with ReLU parameter " + p + " = " + fn.path(p).asText());
                    }
                }
                return Activation.of(Activation.Kind.RELU);
            }
            case "ActivationLReLU" -> {
                return new Activation(Activation.Kind.LEAKY_RELU, (float) fn.path("alpha").asDouble(0.01));
            }
            case "ActivationSigmoid" -> {
                return Activation.of(Activation.Kind.SIGMOID);
            }
            case "ActivationTanH" -> {
                return Activation.of(Activation.Kind.TANH);
            }
            case "ActivationSoftmax" -> {
                return Activation.of(Activation.Kind.SOFTMAX);
            }
            default -> throw unsupported(name, type + " with activation " + cls);
        }
    }

    private WeightRecord weights(String name, String type, long... shape) throws IOException {
        WeightRecord w = records.get(name);
        if (w == null) {
            throw new IOException(source + ": layer '" + name + "' (" + type + ") has no weights in the file");
        }
        if (!Arrays.equals(w.shape(), shape)) {
            throw new IOException(source + ": layer '" + name + "' stores weights " + Arrays.toString(w.shape())
                    + ", its configuration needs " + Arrays.toString(shape));
        }
        return w;
    }

    private float[] bias(JsonNode l, int nOut) throws IOException {
        if (!l.path("hasBias").asBoolean(true)) {
            return null;
        }
        if (denseUsed + nOut > dense.length) {
            throw new IOException(source + ": the file holds fewer dense parameters than the layers' biases");
        }
        float[] b = Arrays.copyOfRange(dense, denseUsed, denseUsed + nOut);
        denseUsed += nOut;
        return b;
    }

    private static int count(WeightRecord w) throws IOException {
        int[] n = {0};
        w.forEachNonZero((p, v) -> n[0]++);
        return n[0];
    }

    /** Places one non-zero, given its coordinates in the tensor's shape, as a matrix entry. */
    @FunctionalInterface
    private interface Placement {
        void place(int[] coordinates, float value, SparseRows.EntrySink sink);
    }

    /** The record's non-zeros as matrix entries: positions turned into coordinates in the record's ordering. */
    private static SparseRows.EntrySource entries(WeightRecord w, Placement placement) {
        long[] shape = w.shape();
        boolean rowMajor = w.ordering() == 'c';
        return sink -> {
            int[] c = new int[shape.length];
            w.forEachNonZero((position, value) -> {
                int p = position;
                for (int j = 0; j < shape.length; j++) {
                    int d = rowMajor ? shape.length - 1 - j : j;
                    c[d] = (int) (p % shape[d]);
                    p /= (int) shape[d];
                }
                placement.place(c, value, sink);
            });
        };
    }

    /** Where entry (row, column) goes in a kernel's dense array. */
    @FunctionalInterface
    private interface DenseIndex {
        int of(int row, int column);
    }

    private static float[] denseCopy(SparseRows.EntrySource entries, int size, DenseIndex index) throws IOException {
        float[] values = new float[size];
        entries.forEach((r, c, v) -> values[index.of(r, c)] = v);
        return values;
    }
}
