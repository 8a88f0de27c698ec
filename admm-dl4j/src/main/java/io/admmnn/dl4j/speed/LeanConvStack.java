package io.admmnn.dl4j.speed;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolution and pooling layers at the front of a network that {@link LeanDenseTrainer} trains (e.g. LeNet-5's
 * conv1, pool1, conv2, pool2): their forward pass from the flat input to the rows the first dense layer reads, and
 * their backward pass from the gradient of those rows to the layers' weight and bias gradients.
 *
 * <p>Per convolution: {@code cols = im2col(a_prev)} ({@code [C*kh*kw, oh*ow*B]}), {@code z = W cols + b} with
 * {@code W} the layer's {@code [outC, C*kh*kw]} weights (DL4J's {@code [outC, C, kh, kw]} 'c' layout), ReLU if the
 * layer has it; backward {@code db = row sums of dz}, {@code dW = dz cols^T} and, except for the first layer, whose
 * input gradient is of no use, {@code da_prev = col2im(W^T dz)}. Each is one OpenBLAS GEMM over the whole batch,
 * because activations are kept as {@code [C, h, w, B]} (see {@link ConvKernels}); they are reordered from DL4J's
 * NCHW input once, and to its NCHW rows where the dense layers begin. Max pooling remembers where each maximum came from; average pooling spreads the
 * gradient evenly over its window.
 *
 * <p>Supported (see {@link #ineligibility}): {@link ConvolutionLayer}s with bias, identity or ReLU activation, no
 * padding or dilation, NCHW; {@link SubsamplingLayer}s with max or average pooling, no padding or dilation; the
 * network's input flat ({@code InputType.convolutionalFlat}, a {@link FeedForwardToCnnPreProcessor} on the first
 * layer) and a {@link CnnToFeedForwardPreProcessor} before the first dense layer.
 */
final class LeanConvStack {

    /** One convolution or pooling layer: its geometry, and for a convolution where its parameters are. */
    private static final class Stage {
        final boolean conv;
        final boolean max;
        final boolean relu;
        final int inC;
        final int inH;
        final int inW;
        final int outC;
        final ConvKernels.Window window;
        /** Offsets of the bias and weights in the flat parameter and gradient arrays (DL4J: b, then W 'c'). */
        final int biasAt;
        final int weightAt;
        FloatPointer weights;
        FloatPointer weightGradient;

        Stage(boolean conv, boolean max, boolean relu, int inC, int inH, int inW, int outC, ConvKernels.Window window,
              int biasAt) {
            this.conv = conv;
            this.max = max;
            this.relu = relu;
            this.inC = inC;
            this.inH = inH;
            this.inW = inW;
            this.outC = outC;
            this.window = window;
            this.biasAt = biasAt;
            this.weightAt = biasAt + outC;
        }

        int patch() {
            return inC * window.kh() * window.kw();
        }

        int outPlane() {
            return window.outH() * window.outW();
        }

        int paramCount() {
            return conv ? outC + outC * patch() : 0;
        }
    }

    /** A float array in native memory, for a GEMM operand: the array, its pointer and a buffer over it. */
    private static final class Native {
        final INDArray array;
        final FloatPointer pointer;
        final FloatBuffer buffer;

        Native(int length) {
            array = Nd4j.create(DataType.FLOAT, new long[]{length}, 'c');
            pointer = LeanDenseTrainer.pointer(array);
            buffer = array.data().asNioFloat();
        }
    }

    /**
     * Per batch size, outside workspaces. In Java arrays ({@link ConvKernels}): the input, each stage's output and
     * the gradient with respect to it, a convolution's im2col matrix and its gradient, a max pooling's argmax, and
     * the rows handed to the dense layers with their gradient. In native memory, for the GEMMs: a convolution's
     * im2col matrix (kept from forward for dW), output, output gradient and im2col gradient, and the rows.
     */
    private final class Buffers {
        /** The input as DL4J gives it (NCHW rows), and reordered to {@code [C, H, W, B]}. */
        final float[] input;
        final float[] inputBatchInnermost;
        final float[][] out = new float[stages.length][];
        final float[][] delta = new float[stages.length][];
        final float[][] cols = new float[stages.length][];
        final float[][] colsGradient = new float[stages.length][];
        final byte[][] argmax = new byte[stages.length][];
        final Native[] nativeCols = new Native[stages.length];
        final Native[] nativeOut = new Native[stages.length];
        final Native[] nativeDelta = new Native[stages.length];
        final Native[] nativeColsGradient = new Native[stages.length];
        final float[] rows;
        final Native nativeRows;
        final Native nativeRowsGradient;

        Buffers(int batch) {
            input = new float[batch * inputSize];
            inputBatchInnermost = new float[batch * inputSize];
            for (int i = 0; i < stages.length; i++) {
                Stage s = stages[i];
                int outSize = s.outC * batch * s.outPlane();
                out[i] = new float[outSize];
                delta[i] = new float[outSize];
                if (s.conv) {
                    int colsSize = s.patch() * batch * s.outPlane();
                    cols[i] = new float[colsSize];
                    nativeCols[i] = new Native(colsSize);
                    nativeOut[i] = new Native(outSize);
                    nativeDelta[i] = new Native(outSize);
                    if (i > 0) {
                        colsGradient[i] = new float[colsSize];
                        nativeColsGradient[i] = new Native(colsSize);
                    }
                } else if (s.max) {
                    argmax[i] = new byte[outSize];
                }
            }
            rows = new float[batch * outputSize];
            nativeRows = new Native(batch * outputSize);
            nativeRowsGradient = new Native(batch * outputSize);
        }
    }

    private final Stage[] stages;
    /** Values per example at the input ({@code C*H*W}) and in the rows handed to the dense layers. */
    final int inputSize;
    final int outputSize;
    /** Parameters of the stack's layers: the dense layers' start at this offset in the flat arrays. */
    final int paramCount;
    private final Map<Integer, Buffers> buffers = new HashMap<>();

    /** The first {@code count} layers of {@code net}, already checked by {@link #ineligibility}. */
    LeanConvStack(MultiLayerNetwork net, int count, FloatPointer params, FloatPointer gradient) {
        Layer[] layers = net.getLayers();
        FeedForwardToCnnPreProcessor in = (FeedForwardToCnnPreProcessor) net.getLayerWiseConfigurations()
                .getInputPreProcess(0);
        int c = (int) in.getNumChannels();
        int h = (int) in.getInputHeight();
        int w = (int) in.getInputWidth();
        this.inputSize = c * h * w;
        this.stages = new Stage[count];
        int offset = 0;
        for (int i = 0; i < count; i++) {
            org.deeplearning4j.nn.conf.layers.Layer l = layers[i].conf().getLayer();
            Stage s;
            if (l instanceof ConvolutionLayer conv) {
                int[] k = conv.getKernelSize();
                int[] st = conv.getStride();
                s = new Stage(true, false, !(conv.getActivationFn() instanceof ActivationIdentity), c, h, w,
                        (int) conv.getNOut(), ConvKernels.Window.of(h, w, k[0], k[1], st[0], st[1]), offset);
                s.weights = new FloatPointer(params).position(s.weightAt);
                s.weightGradient = new FloatPointer(gradient).position(s.weightAt);
                INDArray wArr = layers[i].getParam("W");
                if (wArr.ordering() != 'c' || net.params().getFloat(s.weightAt) != wArr.getFloat(0, 0, 0, 0)
                        || net.params().getFloat(s.biasAt) != layers[i].getParam("b").getFloat(0)
                        || wArr.length() != (long) s.outC * s.patch()) {
                    throw new IllegalStateException("layer " + i + ": parameters not in DL4J's convolution layout");
                }
            } else {
                SubsamplingLayer pool = (SubsamplingLayer) l;
                int[] k = pool.getKernelSize();
                int[] st = pool.getStride();
                s = new Stage(false, pool.getPoolingType() == PoolingType.MAX, false, c, h, w, c,
                        ConvKernels.Window.of(h, w, k[0], k[1], st[0], st[1]), offset);
            }
            stages[i] = s;
            offset += s.paramCount();
            c = s.outC;
            h = s.window.outH();
            w = s.window.outW();
        }
        this.outputSize = c * h * w;
        this.paramCount = offset;
    }

    /**
     * Why layers {@code 0..count-1} of {@code net} (its convolution and pooling layers) cannot take the lean step,
     * or null if they can. The checks every lean layer needs (updater, regularization, dropout, ...) are the
     * caller's.
     */
    static String ineligibility(MultiLayerNetwork net, int count, int denseNIn) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        Map<Integer, InputPreProcessor> pre = conf.getInputPreProcessors();
        if (!(conf.getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor in)) {
            return "layer 0: convolutional input not flat (only InputType.convolutionalFlat)";
        }
        if (!(conf.getInputPreProcess(count) instanceof CnnToFeedForwardPreProcessor flat)
                || flat.getFormat() != CNN2DFormat.NCHW) {
            return "layer " + count + ": no NCHW CnnToFeedForwardPreProcessor before the first dense layer";
        }
        if (pre.size() != 2) {
            return "input preprocessors other than at the first layer and the first dense layer";
        }
        long c = in.getNumChannels();
        long h = in.getInputHeight();
        long w = in.getInputWidth();
        Layer[] layers = net.getLayers();
        for (int i = 0; i < count; i++) {
            org.deeplearning4j.nn.conf.layers.Layer l = layers[i].conf().getLayer();
            String name = "layer " + i + " (" + l.getClass().getSimpleName() + ")";
            int[] kernel;
            int[] stride;
            if (l.getClass() == ConvolutionLayer.class) {
                ConvolutionLayer conv = (ConvolutionLayer) l;
                if (!conv.hasBias()) {
                    return name + ": no bias";
                }
                if (conv.getNIn() != c) {
                    return name + ": nIn " + conv.getNIn() + " but " + c + " input channels";
                }
                IActivation a = conv.getActivationFn();
                if (!(a instanceof ActivationIdentity) && !LeanDenseTrainer.isPlainRelu(a)) {
                    return name + ": activation " + a + " (only identity or ReLU)";
                }
                String why = geometry(conv.getConvolutionMode(), conv.getCnn2dDataFormat(), conv.getPadding(),
                        conv.getDilation());
                if (why != null) {
                    return name + ": " + why;
                }
                kernel = conv.getKernelSize();
                stride = conv.getStride();
                c = conv.getNOut();
            } else if (l.getClass() == SubsamplingLayer.class) {
                SubsamplingLayer pool = (SubsamplingLayer) l;
                if (pool.getPoolingType() != PoolingType.MAX && pool.getPoolingType() != PoolingType.AVG) {
                    return name + ": pooling " + pool.getPoolingType() + " (only MAX and AVG)";
                }
                if (pool.getKernelSize()[0] * pool.getKernelSize()[1] > ConvKernels.MAX_POOL_WINDOW) {
                    return name + ": pooling window over " + ConvKernels.MAX_POOL_WINDOW + " values";
                }
                String why = geometry(pool.getConvolutionMode(), pool.getCnn2dDataFormat(), pool.getPadding(),
                        pool.getDilation());
                if (why != null) {
                    return name + ": " + why;
                }
                kernel = pool.getKernelSize();
                stride = pool.getStride();
            } else {
                return name + ": only ConvolutionLayers and SubsamplingLayers before the dense layers";
            }
            if (kernel[0] > h || kernel[1] > w || stride[0] < 1 || stride[1] < 1) {
                return name + ": kernel larger than its input";
            }
            h = (h - kernel[0]) / stride[0] + 1;
            w = (w - kernel[1]) / stride[1] + 1;
        }
        if (flat.getNumChannels() != c || flat.getInputHeight() != h || flat.getInputWidth() != w || denseNIn != c * h * w) {
            return "layer " + count + ": input " + denseNIn + " does not match the convolution stack's " + c + "x" + h
                    + "x" + w;
        }
        return null;
    }

    private static String geometry(ConvolutionMode mode, CNN2DFormat format, int[] padding, int[] dilation) {
        if (mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            return "convolution mode " + mode + " (only Truncate and Strict)";
        }
        if (format != CNN2DFormat.NCHW) {
            return "data format " + format + " (only NCHW)";
        }
        if (padding[0] != 0 || padding[1] != 0 || dilation[0] != 1 || dilation[1] != 1) {
            return "padding or dilation";
        }
        return null;
    }

    /**
     * Forward pass of the stack on {@code batch} examples of flat NCHW input {@code x}: returns the pointer to the
     * rows ({@code [batch, outputSize]}) for the first dense layer; {@link #rowsGradient} is where its input gradient
     * goes before {@link #backward}.
     */
    FloatPointer forward(FloatBuffer x, int batch, FloatBuffer params) {
        Buffers buf = buffers(batch);
        x.get(0, buf.input, 0, buf.input.length);
        ConvKernels.toBatchInnermost(buf.input, batch, inputSize, buf.inputBatchInnermost);
        float[] in = buf.inputBatchInnermost;
        for (int i = 0; i < stages.length; i++) {
            Stage s = stages[i];
            if (s.conv) {
                int n = s.outPlane() * batch;
                ConvKernels.im2col(in, s.inC, s.inH, s.inW, batch, s.window, buf.cols[i]);
                buf.nativeCols[i].buffer.put(0, buf.cols[i], 0, buf.cols[i].length);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.outC, n, s.patch(), 1f, s.weights, s.patch(),
                        buf.nativeCols[i].pointer, n, 0f, buf.nativeOut[i].pointer, n);
                buf.nativeOut[i].buffer.get(0, buf.out[i], 0, buf.out[i].length);
                ConvKernels.addRowBias(buf.out[i], s.outC, n, params, s.biasAt, s.relu);
            } else if (s.max) {
                ConvKernels.maxPool(in, s.inC, s.inH, s.inW, batch, s.window, buf.out[i], buf.argmax[i]);
            } else {
                ConvKernels.avgPool(in, s.inC, s.inH, s.inW, batch, s.window, buf.out[i]);
            }
            in = buf.out[i];
        }
        ConvKernels.toRows(in, batch, outputSize, buf.rows);
        buf.nativeRows.buffer.put(0, buf.rows, 0, buf.rows.length);
        return buf.nativeRows.pointer;
    }

    /** Where the gradient of the loss with respect to the rows {@link #forward} returned is to be written. */
    FloatPointer rowsGradient(int batch) {
        return buffers(batch).nativeRowsGradient.pointer;
    }

    /**
     * Backward pass of the last {@link #forward} on {@code batch} examples, from the gradient in
     * {@link #rowsGradient}: writes each convolution's bias and weight gradients, times {@code scale}, into
     * {@code gradient} (and its pointers).
     */
    void backward(int batch, float scale, FloatBuffer gradient) {
        Buffers buf = buffers(batch);
        int lastIndex = stages.length - 1;
        buf.nativeRowsGradient.buffer.get(0, buf.rows, 0, buf.rows.length);
        ConvKernels.fromRows(buf.rows, batch, outputSize, buf.delta[lastIndex]);
        for (int i = lastIndex; i >= 0; i--) {
            Stage s = stages[i];
            float[] dOut = buf.delta[i];
            if (s.conv) {
                int n = s.outPlane() * batch;
                if (s.relu) {
                    ConvKernels.reluDerivative(dOut, buf.out[i], dOut.length);
                }
                ConvKernels.rowSums(dOut, s.outC, n, scale, gradient, s.biasAt);
                buf.nativeDelta[i].buffer.put(0, dOut, 0, dOut.length);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, s.outC, s.patch(), n, scale,
                        buf.nativeDelta[i].pointer, n, buf.nativeCols[i].pointer, n, 0f, s.weightGradient, s.patch());
                if (i > 0) { // the first layer's input gradient is of no use: not computed
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s.patch(), n, s.outC, 1f, s.weights,
                            s.patch(), buf.nativeDelta[i].pointer, n, 0f, buf.nativeColsGradient[i].pointer, n);
                    buf.nativeColsGradient[i].buffer.get(0, buf.colsGradient[i], 0, buf.colsGradient[i].length);
                    ConvKernels.col2im(buf.colsGradient[i], s.inC, s.inH, s.inW, batch, s.window, buf.delta[i - 1]);
                }
            } else if (i > 0) {
                if (s.max) {
                    ConvKernels.maxPoolBackward(dOut, s.inC, s.inH, s.inW, batch, s.window, buf.argmax[i],
                            buf.delta[i - 1]);
                } else {
                    ConvKernels.avgPoolBackward(dOut, s.inC, s.inH, s.inW, batch, s.window, buf.delta[i - 1]);
                }
            }
        }
    }

    private Buffers buffers(int batch) {
        Buffers b = buffers.get(batch);
        if (b == null) {
            try (var ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                b = new Buffers(batch);
            }
            buffers.put(batch, b);
        }
        return b;
    }
}
