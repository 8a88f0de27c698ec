package io.admmnn.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.format.CompressedModelFile;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.format.SparseIndexFormat;
import io.admmnn.runtime.kernel.KernelPolicy;
import io.admmnn.runtime.layer.Layer;
import io.admmnn.runtime.layer.QuantizeActivations;
import io.admmnn.runtime.layer.Reshape;
import io.admmnn.runtime.model.CompressedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Compressed DL4J networks written to model.admmnn, and the comparison of the runtime's outputs with DL4J's. */
final class Dl4jReference {

    /** Largest accepted |runtime - DL4J| relative to |DL4J| (see {@link #assertSameOutputs}). */
    static final double RELATIVE = 1e-4;

    private Dl4jReference() {
    }

    /**
     * Prunes every weight tensor to about {@code kept} of its weights (random positions) and, when {@code levels}
     * is positive, snaps the survivors to {@code levels} values per sign (a codebook of 2 * levels entries).
     */
    static void compress(MultiLayerNetwork net, double kept, int levels, long seed) {
        Random random = new Random(seed);
        for (ConstrainableLayer layer : TrainableNetwork.of(net).constrainableLayers()) {
            INDArray w = layer.weights();
            float[] v = FlatValues.readFloats(w);
            float step = 0f;
            for (float f : v) {
                step = Math.max(step, Math.abs(f));
            }
            step = levels > 0 ? step / levels : 0f;
            for (int i = 0; i < v.length; i++) {
                if (random.nextDouble() >= kept) {
                    v[i] = 0f;
                } else if (levels > 0) {
                    int k = Math.max(1, Math.min(levels, Math.round(Math.abs(v[i]) / step)));
                    v[i] = (v[i] < 0 ? -k : k) * step;
                }
            }
            FlatValues.write(w, v);
        }
    }

    /** Writes {@code net} as {@code dir/name.admmnn} with 4-bit relative indices and returns the path. */
    static Path write(MultiLayerNetwork net, Path dir, String name) throws IOException {
        Path file = dir.resolve(name + ".admmnn");
        CompressedModelFile.write(TrainableNetwork.of(net), file, layer -> SparseIndexFormat.relative(4));
        return file;
    }

    /** Random inputs {@code [batch, features]} in [0, 1). */
    static float[] input(int batch, int features, long seed) {
        Random random = new Random(seed);
        float[] x = new float[batch * features];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat();
        }
        return x;
    }

    /**
     * Asserts that the runtime, with {@code policy}, computes what DL4J computes on {@code batch} random inputs of
     * {@code inputShape} (DL4J's input array shape, batch first): every layer's activations (DL4J's
     * {@code feedForward}) and the output ({@code output()}), each element within {@link #RELATIVE} of
     * {@code |expected| + 0.01 * max|expected of that layer|} (the second term for values that cancel to near zero).
     */
    static void assertSameOutputs(MultiLayerNetwork net, Path file, KernelPolicy policy, long[] inputShape,
                                  int batch) throws IOException {
        long[] shape = inputShape.clone();
        shape[0] = batch;
        int features = 1;
        for (int i = 1; i < shape.length; i++) {
            features *= (int) shape[i];
        }
        float[] x = input(batch, features, 7 + batch);
        INDArray in = Nd4j.create(x, shape, 'c');
        List<INDArray> expectedLayers = net.feedForward(in, false); // [0] is the input
        CompressedModel model = CompressedModel.load(file, policy);
        List<float[]> actualLayers = model.activations(x, batch);
        int dl4jLayer = 1;
        for (int i = 0; i < actualLayers.size(); i++) {
            Layer layer = model.layers().get(i);
            if (layer instanceof Reshape || layer instanceof QuantizeActivations) {
                continue; // not a DL4J layer: a preprocessor's work
            }
            assertClose(actualLayers.get(i), FlatValues.readFloats(expectedLayers.get(dl4jLayer++).dup('c')),
                    layer.name() + " (" + layer.kernel().map(Enum::name).orElse("-") + ", batch " + batch + ")");
        }
        assertThat(dl4jLayer).isEqualTo(expectedLayers.size());
        assertClose(model.predict(x, batch), FlatValues.readFloats(net.output(in, false).dup('c')),
                "output (batch " + batch + ")");
    }

    /** DL4J's {@code output()} for inputs {@code x} of {@code shape} (batch first), flat. */
    static float[] output(MultiLayerNetwork net, float[] x, long[] shape) {
        return FlatValues.readFloats(net.output(Nd4j.create(x, shape, 'c'), false).dup('c'));
    }

    /** Asserts {@code actual} is within {@link #RELATIVE} of {@code expected} (see {@link #assertSameOutputs}). */
    static void assertClose(float[] actual, float[] expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        double max = 0;
        for (float e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tolerance = RELATIVE * (Math.abs(expected[i]) + 0.01 * max);
            assertThat((double) actual[i]).as("%s: element %d of %d", what, i, expected.length)
                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tolerance));
        }
    }
}
