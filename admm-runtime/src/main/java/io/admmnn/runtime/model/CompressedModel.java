package io.admmnn.runtime.model;

import io.admmnn.format.ModelFileContents;
import io.admmnn.runtime.kernel.KernelPolicy;
import io.admmnn.runtime.layer.Convolution;
import io.admmnn.runtime.layer.Layer;
import io.admmnn.runtime.layer.QuantizeActivations;
import io.admmnn.runtime.layer.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A compressed model ({@code model.admmnn}) ready to run without DL4J: its layers in order, each weighted layer
 * with the dense or sparse kernel its {@link KernelPolicy} chose at load.
 *
 * <p>{@link #predict} maps inputs {@code [batch, features]} (row-major floats; images as flat NCHW rows) to the
 * network's outputs {@code [batch, outputs]}, computing what DL4J's {@code output()} computes on the same weights.
 */
public final class CompressedModel {

    private final List<Layer> layers;
    /**
     * The intermediate outputs of the last {@link #predict}, one array per layer, for the next call to write into
     * (at batch 64, LeNet-5's conv1 output alone is 2.9 MB, and allocating and zeroing it costs about as much as
     * computing it). A call takes them out and puts them back when done, so concurrent calls never share one (the
     * second allocates its own). They stay as large as the largest batch run.
     */
    private final AtomicReference<float[][]> spare = new AtomicReference<>();

    private CompressedModel(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    /**
     * Loads {@code file} with the {@linkplain KernelPolicy#provisional() provisional} kernel choice.
     *
     * @throws UnsupportedLayerException with one line naming the layer and type the runtime cannot run
     * @throws IOException               if the file is not a valid model file
     */
    public static CompressedModel load(Path file) throws IOException {
        return load(file, KernelPolicy.provisional());
    }

    /** Loads {@code file}, each weighted layer's kernel chosen by {@code policy}. */
    public static CompressedModel load(Path file, KernelPolicy policy) throws IOException {
        return of(ModelFileContents.read(file), policy, file.toString());
    }

    /** The model held by {@code contents}; {@code source} names it in errors. */
    public static CompressedModel of(ModelFileContents contents, KernelPolicy policy, String source)
            throws IOException {
        return new CompressedModel(NetworkReader.read(contents, policy, source));
    }

    /** The layers in order (input preprocessors included as reshapes). */
    public List<Layer> layers() {
        return layers;
    }

    /**
     * The network's outputs for {@code batch} examples.
     *
     * @param input {@code batch * features} floats, one example per row; an image input as its NCHW row (a network
     *              without a declared input shape whose first layer is a convolution takes square images)
     * @return {@code batch * outputs} floats
     * @throws IllegalArgumentException if the input does not fit the network
     */
    public float[] predict(float[] input, int batch) {
        Shape shape = checkedShape(input, batch);
        float[][] buffers = spare.getAndSet(null);
        if (buffers == null) {
            buffers = new float[layers.size()][];
        }
        float[] x = input;
        boolean fresh = false;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            boolean last = i == layers.size() - 1;
            // The last layer writes the caller's result: a new array of exactly its size.
            float[] y = layer.forward(x, batch, shape, last ? null : buffers[i]);
            fresh = y != x;
            if (fresh && !last) {
                buffers[i] = y;
            }
            shape = layer.outputShape(shape);
            x = y;
        }
        spare.set(buffers);
        // A network ending in a layer that passes its input on (or without layers) must not hand out a buffer.
        return fresh ? x : Arrays.copyOf(x, batch * shape.size());
    }

    private Shape checkedShape(float[] input, int batch) {
        if (batch < 1 || input.length % batch != 0) {
            throw new IllegalArgumentException(input.length + " inputs do not form " + batch + " examples");
        }
        return inputShape(input.length / batch);
    }

    /**
     * Every layer's outputs for {@code batch} examples, in the order of {@link #layers()} (a reshape's output is its
     * input); the last is {@link #predict}'s result.
     */
    public List<float[]> activations(float[] input, int batch) {
        Shape shape = checkedShape(input, batch);
        float[] x = input;
        List<float[]> result = new ArrayList<>(layers.size());
        for (Layer layer : layers) {
            x = layer.forward(x, batch, shape);
            shape = layer.outputShape(shape);
            result.add(x);
        }
        return result;
    }

    /** The index of the largest output of each example (the predicted class). */
    public int[] classify(float[] input, int batch) {
        float[] out = predict(input, batch);
        int classes = out.length / batch;
        int[] result = new int[batch];
        for (int b = 0; b < batch; b++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (out[b * classes + c] > out[b * classes + best]) {
                    best = c;
                }
            }
            result[b] = best;
        }
        return result;
    }

    /**
     * The shape of an input of {@code features} values: a flat row, or, when the network starts with a convolution
     * and declares no input preprocessor, a square image of the convolution's input channels.
     */
    public Shape inputShape(int features) {
        Layer first = layers.stream().filter(l -> !(l instanceof QuantizeActivations)).findFirst().orElse(null);
        if (first instanceof Convolution conv) {
            int channels = conv.inChannels();
            int side = (int) Math.round(Math.sqrt(features / (double) channels));
            if (side * side * channels != features) {
                throw new IllegalArgumentException(features + " inputs are not a square image of " + channels
                        + " channels, which layer " + conv.name() + " takes");
            }
            return new Shape(channels, side, side);
        }
        return Shape.flat(features);
    }

    /**
     * One line per layer: name, type, and for weighted layers the kept weights and the chosen kernel, e.g.
     * {@code conv1  ConvolutionLayer  kept 4.2% (21/500)  sparse}.
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        int width = layers.stream().mapToInt(l -> l.name().length()).max().orElse(4);
        int typeWidth = layers.stream().mapToInt(l -> l.type().length()).max().orElse(4);
        for (Layer l : layers) {
            out.append(String.format(Locale.ROOT, "%-" + width + "s  %-" + typeWidth + "s", l.name(), l.type()));
            l.kernel().ifPresent(k -> out.append(String.format(Locale.ROOT, "  kept %5.1f%% (%d/%d)  %s",
                    100.0 * l.nonZeros() / l.weights(), l.nonZeros(), l.weights(), k.name().toLowerCase(Locale.ROOT))));
            out.append('\n');
        }
        return out.toString();
    }
}
