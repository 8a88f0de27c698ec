package io.admmnn.experiments.inference;

import io.admmnn.runtime.layer.Layer;
import io.admmnn.runtime.layer.Shape;
import io.admmnn.runtime.model.CompressedModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference speed of one network three ways, in one process run: the dense DL4J network, admm-runtime on the
 * compressed model, and (through {@code scripts/infer_torch.py}) PyTorch's dense equivalent with the same weights.
 * Batch-1 latency: the median time of one single-image call, cycling over the inputs; batch-N throughput: N over
 * the median time of one call on all N inputs. Both from {@link Timing} (the Python side times the same way).
 */
public final class InferenceComparison {

    /** One contestant's times. */
    public record Side(String name, double batch1Millis, double batchMillis, int batch) {
        /** Images per second at batch {@link #batch}. */
        public double throughput() {
            return batch / (batchMillis / 1000);
        }
    }

    /** One runtime layer's share: its median time at batch 1 and at batch N. */
    public record LayerTime(String layer, String type, String kernel, double batch1Millis, double batchMillis) {
    }

    /** What PyTorch said: its times and its predicted classes, and the info lines of its BLAS check. */
    public record TorchResult(Side side, int[] classes, Map<String, String> info) {
    }

    private InferenceComparison() {
    }

    /** The dense DL4J network's times on {@code inputs} ({@code n} rows). */
    public static Side dl4j(MultiLayerNetwork net, float[] inputs, int n, int samples) {
        INDArray all = Nd4j.create(inputs, new long[]{n, inputs.length / n}, DataType.FLOAT);
        INDArray[] singles = new INDArray[n];
        for (int i = 0; i < n; i++) {
            singles[i] = all.getRow(i, true).dup();
        }
        int[] next = {0};
        double one = Timing.medianMillis(() -> net.output(singles[next[0]++ % n], false), samples);
        double batch = Timing.medianMillis(() -> net.output(all, false), samples);
        return new Side("DL4J dense", one, batch, n);
    }

    /** admm-runtime's times: {@code single} at batch 1, {@code batched} at batch {@code n}. */
    public static Side runtime(CompressedModel single, CompressedModel batched, float[] inputs, int n, int samples) {
        int features = inputs.length / n;
        float[][] singles = new float[n][];
        for (int i = 0; i < n; i++) {
            singles[i] = Arrays.copyOfRange(inputs, i * features, (i + 1) * features);
        }
        int[] next = {0};
        double one = Timing.medianMillis(() -> single.predict(singles[next[0]++ % n], 1), samples);
        double batch = Timing.medianMillis(() -> batched.predict(inputs, n), samples);
        return new Side("admm-runtime", one, batch, n);
    }

    /** Where admm-runtime's time goes: each layer's forward pass timed alone on its real input. */
    public static List<LayerTime> runtimeProfile(CompressedModel single, CompressedModel batched, float[] inputs, int n,
                                                 int samples) {
        int features = inputs.length / n;
        double[] one = layerMillis(single, Arrays.copyOf(inputs, features), 1, samples);
        double[] many = layerMillis(batched, inputs, n, samples);
        List<LayerTime> result = new ArrayList<>();
        for (int i = 0; i < single.layers().size(); i++) {
            Layer l = single.layers().get(i);
            String kernels = l.kernel().map(k -> k.name().toLowerCase(Locale.ROOT)).orElse("-");
            String batchedKernel = batched.layers().get(i).kernel().map(k -> k.name().toLowerCase(Locale.ROOT))
                    .orElse("-");
            result.add(new LayerTime(l.name(), l.type(), kernels.equals(batchedKernel) ? kernels
                    : kernels + " / " + batchedKernel, one[i], many[i]));
        }
        return result;
    }

    private static double[] layerMillis(CompressedModel model, float[] input, int batch, int samples) {
        List<float[]> outputs = model.activations(input, batch);
        Shape shape = model.inputShape(input.length / batch);
        double[] ms = new double[model.layers().size()];
        float[] x = input;
        for (int i = 0; i < ms.length; i++) {
            Layer layer = model.layers().get(i);
            float[] in = x;
            Shape s = shape;
            // Into a buffer of the output's size, as predict does (it keeps its intermediate outputs' arrays).
            float[] reuse = new float[outputs.get(i).length];
            ms[i] = Timing.medianMillis(() -> layer.forward(in, batch, s, reuse), samples);
            shape = layer.outputShape(shape);
            x = outputs.get(i);
        }
        return ms;
    }

    /**
     * Runs PyTorch ({@code scripts/infer_torch.py}) on the network written in {@code specDir} with {@code threads}
     * threads (torch.set_num_threads, OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS).
     *
     * @throws IllegalArgumentException with the script's one-line reason when it refuses (reference BLAS) or fails
     */
    public static TorchResult torch(String python, Path specDir, int threads, int samples) throws IOException {
        String t = Integer.toString(threads);
        ProjectScripts.Result r = ProjectScripts.run(python, ProjectScripts.script("infer_torch.py"),
                List.of(specDir.toString(), t, Integer.toString(samples)),
                Map.of("OMP_NUM_THREADS", t, "OPENBLAS_NUM_THREADS", t, "MKL_NUM_THREADS", t), 3600);
        if (r.exitCode() != 0) {
            String last = r.stderr().strip().lines().reduce((a, b) -> b).orElse("exit code " + r.exitCode());
            throw new IllegalArgumentException("PyTorch side failed (exit " + r.exitCode() + "): " + last);
        }
        Map<String, String> info = new LinkedHashMap<>();
        double one = Double.NaN;
        double batch = Double.NaN;
        int n = 0;
        int[] classes = new int[0];
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.split(" ");
            if (f[0].equals("info") && f.length >= 3) {
                info.merge(f[1], line.substring(line.indexOf(f[1]) + f[1].length()).strip(), (a, b) -> a + "; " + b);
            } else if (line.startsWith("time torch batch1-ms ")) {
                one = Double.parseDouble(f[3]);
            } else if (line.startsWith("time torch batchN-ms ")) {
                n = Integer.parseInt(f[3]);
                batch = Double.parseDouble(f[4]);
            } else if (f[0].equals("classes")) {
                classes = Arrays.stream(f).skip(1).mapToInt(Integer::parseInt).toArray();
            }
        }
        if (Double.isNaN(one) || Double.isNaN(batch)) {
            throw new IllegalStateException("PyTorch side printed no times: " + r.stdout().strip());
        }
        return new TorchResult(new Side("PyTorch dense", one, batch, n), classes, info);
    }

    /** The index of the largest output of each of the {@code n} rows of {@code outputs}. */
    public static int[] argMax(float[] outputs, int n) {
        int classes = outputs.length / n;
        int[] result = new int[n];
        for (int b = 0; b < n; b++) {
            for (int c = 1; c < classes; c++) {
                if (outputs[b * classes + c] > outputs[b * classes + result[b]]) {
                    result[b] = c;
                }
            }
        }
        return result;
    }
}
