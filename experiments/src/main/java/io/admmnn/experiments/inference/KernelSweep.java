package io.admmnn.experiments.inference;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.speed.NativeBackend;
import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.breakeven.MeasuredProfiles;
import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import io.admmnn.runtime.kernel.ConvGeometry;
import io.admmnn.runtime.kernel.ConvolutionKernel;
import io.admmnn.runtime.kernel.FullyConnectedKernel;
import io.admmnn.runtime.kernel.SparseRows;
import io.admmnn.runtime.layer.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times, for each layer shape of a network, admm-runtime's sparse kernel at a sweep of kept fractions against the
 * fastest dense kernel reachable here, at each batch size: ND4J's sgemm ({@code gemm} into a preallocated output,
 * then the bias row) for fully connected layers, DL4J's {@code ConvolutionLayer} forward (with the oneDNN helper
 * where {@link NativeBackend#configure()} enabled it, as in training) for convolutions. admm-runtime's own dense
 * kernel is timed beside them as a labelled extra column: it is what the runtime itself falls back to.
 *
 * <p>Weights are seeded random floats; the sparse kernel keeps each weight with probability = the kept fraction
 * (seeded positions). A grouped convolution (AlexNet's conv2, conv4, conv5 as {@link NetworkShape#alexnet()}
 * counts them) is timed as its groups run one after another, on both sides. Every point is the median of
 * {@link Timing} samples; the dense kernels are timed again beside each sparse point, so that both see the same
 * machine state.
 */
public final class KernelSweep {

    /** Seed of the weights, inputs and kept positions. */
    public static final long SEED = 17;

    /**
     * @param batches       batch sizes (images per call)
     * @param keptFractions kept fractions every layer is measured at
     * @param extraKept     per layer, further kept fractions to measure (e.g. a published model's)
     * @param samples       timed samples per point (the median is kept)
     * @param runtimeDense  whether to time admm-runtime's dense kernel too
     */
    public record Options(List<Integer> batches, double[] keptFractions, Map<String, Double> extraKept, int samples,
                          boolean runtimeDense) {
        public Options {
            if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1) || samples < 1) {
                throw new IllegalArgumentException("batches and repetitions must be >= 1, were batches " + batches
                        + " and repetitions " + samples);
            }
            if (keptFractions.length == 0 || Arrays.stream(keptFractions).anyMatch(k -> !(k > 0 && k <= 1))
                    || extraKept.values().stream().anyMatch(k -> !(k > 0 && k <= 1))) {
                throw new IllegalArgumentException("kept fractions must be in (0, 1]");
            }
            batches = List.copyOf(batches);
            extraKept = Map.copyOf(extraKept);
        }

        /** Kept fractions 1/256 .. 1 in factors of 2. */
        public static double[] defaultKeptFractions() {
            double[] k = new double[9];
            for (int i = 0; i < k.length; i++) {
                k[i] = Math.pow(2, i - 8);
            }
            return k;
        }

        /** The kept fractions {@code layer} is measured at, ascending. */
        double[] keptFor(String layer) {
            TreeSet<Double> all = new TreeSet<>();
            Arrays.stream(keptFractions).forEach(all::add);
            if (extraKept.containsKey(layer)) {
                all.add(extraKept.get(layer));
            }
            return all.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    private KernelSweep() {
    }

    /** Measures every layer of {@code network} at every batch; {@code log} gets one line per layer and batch. */
    public static MeasuredProfiles measure(NetworkShape network, Options options, String machine,
                                           Consumer<String> log) {
        Map<Integer, MeasuredProfile> byBatch = new LinkedHashMap<>();
        for (int batch : options.batches()) {
            Map<String, List<MeasuredProfile.Point>> layers = new LinkedHashMap<>();
            for (LayerShape layer : network.layers()) {
                List<MeasuredProfile.Point> points = layer instanceof ConvLayer c ? conv(c, batch, options)
                        : fc((FcLayer) layer, batch, options);
                layers.put(layer.name(), points);
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s batch %d: sparse/dense time",
                        layer.name(), batch));
                points.forEach(p -> line.append(String.format(Locale.ROOT, " %.3g@%.3g", p.ratio(),
                        p.keptFraction())));
                log.accept(line.toString());
            }
            byBatch.put(batch, new MeasuredProfile(machine, layers));
        }
        return new MeasuredProfiles(machine, byBatch);
    }

    /** What the dense kernel of each layer kind is here, in words (after a convolution has been built). */
    public static String denseKernels() {
        MultiLayerNetwork net = convNetwork(ConvLayer.of("probe", 1, 2, 3, 1, 0, 8));
        return "fully connected: ND4J gemm (" + Nd4j.getExecutioner().getEnvironmentInformation().get("blas.vendor")
                + " sgemm); convolution: DL4J ConvolutionLayer forward, "
                + NativeBackend.describe(TrainableNetwork.of(net)).replace("training path: ", "").replace("oneDNN helpers active on probe", "oneDNN helper active");
    }

    static List<MeasuredProfile.Point> fc(FcLayer layer, int batch, Options options) {
        Random random = new Random(SEED);
        int nIn = layer.in();
        int nOut = layer.out();
        float[] x = randomFloats(batch * nIn, random);
        float[] w = randomFloats(nIn * nOut, random);
        float[] bias = randomFloats(nOut, random);
        float[] y = new float[batch * nOut];
        INDArray xNd = Nd4j.create(x, new long[]{batch, nIn}, DataType.FLOAT);
        INDArray wNd = Nd4j.create(w, new long[]{nIn, nOut}, DataType.FLOAT);
        INDArray bNd = Nd4j.create(bias, new long[]{1, nOut}, DataType.FLOAT);
        INDArray yNd = Nd4j.create(DataType.FLOAT, batch, nOut);
        Runnable nd4j = () -> {
            Nd4j.gemm(xNd, wNd, yNd, false, false, 1.0, 0.0);
            yNd.addiRowVector(bNd);
        };
        FullyConnectedKernel runtimeDense = FullyConnectedKernel.dense(nIn, nOut, w);
        List<MeasuredProfile.Point> points = new ArrayList<>();
        for (double kept : options.keptFor(layer.name())) {
            FullyConnectedKernel sparse = FullyConnectedKernel.sparse(randomRows(nOut, nIn, kept, random));
            double dense = Timing.medianMillis(nd4j, options.samples());
            double sparseMs = Timing.medianMillis(() -> sparse.forward(x, batch, bias, y), options.samples());
            double ours = options.runtimeDense()
                    ? Timing.medianMillis(() -> runtimeDense.forward(x, batch, bias, y), options.samples()) : Double.NaN;
            points.add(new MeasuredProfile.Point(kept, dense, sparseMs, ours));
        }
        return points;
    }

    static List<MeasuredProfile.Point> conv(ConvLayer layer, int batch, Options options) {
        Random random = new Random(SEED);
        int groups = layer.groups();
        int inPerGroup = layer.inChannels() / groups;
        int outPerGroup = layer.outChannels() / groups;
        ConvLayer group = new ConvLayer(layer.name(), inPerGroup, outPerGroup, layer.kernelH(), layer.kernelW(),
                layer.stride(), layer.pad(), 1, layer.inH(), layer.inW());
        MultiLayerNetwork net = convNetwork(group);
        org.deeplearning4j.nn.api.Layer dl4j = net.getLayer(0);
        INDArray xNd = Nd4j.rand(DataType.FLOAT, batch, inPerGroup, layer.inH(), layer.inW()).subi(0.5);
        float[] x = xNd.dup('c').data().asFloat();
        int filterSize = inPerGroup * layer.kernelH() * layer.kernelW();
        float[] w = randomFloats(outPerGroup * filterSize, random);
        float[] bias = randomFloats(outPerGroup, random);
        ConvGeometry g = new Window(layer.kernelH(), layer.kernelW(), layer.stride(), layer.stride(), layer.pad(),
                layer.pad(), 1, 1, false).over(layer.name(), inPerGroup, layer.inH(), layer.inW());
        int outSize = outPerGroup * g.outputPlane();
        float[] y = new float[batch * outSize];
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        Runnable dense = () -> {
            for (int r = 0; r < groups; r++) {
                dl4j.activate(xNd, false, noWorkspaces);
            }
        };
        ConvolutionKernel runtimeDense = ConvolutionKernel.dense(outPerGroup, inPerGroup, layer.kernelH(),
                layer.kernelW(), w);
        List<MeasuredProfile.Point> points = new ArrayList<>();
        for (double kept : options.keptFor(layer.name())) {
            ConvolutionKernel sparse = ConvolutionKernel.sparse(randomRows(outPerGroup, filterSize, kept, random),
                    layer.kernelH(), layer.kernelW());
            double denseMs = Timing.medianMillis(dense, options.samples());
            double sparseMs = Timing.medianMillis(() -> runImages(sparse, x, bias, y, g, batch, groups),
                    options.samples());
            double ours = options.runtimeDense() ? Timing.medianMillis(
                    () -> runImages(runtimeDense, x, bias, y, g, batch, groups), options.samples()) : Double.NaN;
            points.add(new MeasuredProfile.Point(kept, denseMs, sparseMs, ours));
        }
        return points;
    }

    /** One convolution's group over the batch, {@code groups} times (as the runtime's layer does). */
    private static void runImages(ConvolutionKernel kernel, float[] x, float[] bias, float[] y, ConvGeometry g,
                                  int batch, int groups) {
        for (int r = 0; r < groups; r++) {
            kernel.forward(x, batch, bias, y, g);
        }
    }

    /** A one-layer network holding {@code layer} (identity activation) as DL4J builds it, helpers included. */
    static MultiLayerNetwork convNetwork(ConvLayer layer) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(SEED)
                .dataType(DataType.FLOAT).list()
                .layer(new ConvolutionLayer.Builder(layer.kernelH(), layer.kernelW()).name(layer.name())
                        .stride(layer.stride(), layer.stride()).padding(layer.pad(), layer.pad())
                        .nIn(layer.inChannels()).nOut(layer.outChannels()).activation(Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(layer.inH(), layer.inW(), layer.inChannels()))
                .build());
        net.init();
        return net;
    }

    /** Rows x columns with each entry kept with probability {@code kept}, seeded random values. */
    static SparseRows randomRows(int rows, int columns, double kept, Random random) {
        int[] start = new int[rows + 1];
        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, (long) ((double) rows * columns * kept * 1.05) + 16);
        int[] column = new int[capacity];
        int size = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if (random.nextDouble() < kept) {
                    if (size == column.length) {
                        column = Arrays.copyOf(column, column.length * 2);
                    }
                    column[size++] = c;
                }
            }
            start[r + 1] = size;
        }
        float[] value = randomFloats(size, random);
        return new SparseRows(rows, columns, start, Arrays.copyOf(column, size), value);
    }

    private static float[] randomFloats(int n, Random random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextFloat() - 0.5f;
        }
        return x;
    }

}
