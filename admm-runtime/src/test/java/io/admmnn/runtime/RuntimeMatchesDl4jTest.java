package io.admmnn.runtime;

import static io.admmnn.runtime.Dl4jReference.assertSameOutputs;
import static io.admmnn.runtime.Dl4jReference.compress;
import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.runtime.kernel.KernelKind;
import io.admmnn.runtime.kernel.KernelPolicy;
import io.admmnn.runtime.model.CompressedModel;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The runtime computes DL4J's {@code output()} of the same compressed weights (within 1e-4 relative), with the
 * dense kernels, the sparse kernels and the provisional choice, at batch 1 and 64.
 */
class RuntimeMatchesDl4jTest {

    private static final List<KernelPolicy> POLICIES = List.of(KernelPolicy.always(KernelKind.DENSE),
            KernelPolicy.always(KernelKind.SPARSE), KernelPolicy.provisional());

    private static NeuralNetConfiguration.ListBuilder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.XAVIER).list();
    }

    private static ConvolutionLayer.Builder conv(String name, int k, int stride, int pad, int nOut, Activation f) {
        return new ConvolutionLayer.Builder(k, k).stride(stride, stride).padding(pad, pad).name(name).nOut(nOut)
                .activation(f);
    }

    private static SubsamplingLayer.Builder pool(String name, PoolingType type, int k, int stride) {
        return new SubsamplingLayer.Builder(type).name(name).kernelSize(k, k).stride(stride, stride);
    }

    private static DenseLayer.Builder dense(String name, int nOut, Activation f) {
        return new DenseLayer.Builder().name(name).nOut(nOut).activation(f);
    }

    private static OutputLayer softmax(String name, int nOut) {
        return new OutputLayer.Builder(LossFunction.MCXENT).name(name).nOut(nOut).activation(Activation.SOFTMAX)
                .build();
    }

    private static MultiLayerNetwork init(NeuralNetConfiguration.ListBuilder conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf.build());
        net.init();
        return net;
    }

    private static void assertAllPoliciesMatch(MultiLayerNetwork net, Path file, long[] inputShape) throws Exception {
        for (KernelPolicy policy : POLICIES) {
            for (int batch : new int[]{1, 64}) {
                assertSameOutputs(net, file, policy, inputShape, batch);
            }
        }
    }

    @Test
    void lenet300100PrunedTo95Percent(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = init(base(1).layer(dense("fc1", 300, Activation.RELU).nIn(784).build())
                .layer(dense("fc2", 100, Activation.RELU).build()).layer(softmax("fc3", 10))
                .setInputType(InputType.feedForward(784)));
        compress(net, 0.05, 0, 11);
        Path file = Dl4jReference.write(net, dir, "lenet-300-100");
        assertAllPoliciesMatch(net, file, new long[]{0, 784});
        assertThat(CompressedModel.load(file).describe()).contains("fc1", "sparse");
    }

    @Test
    void lenet5PrunedAndQuantized(@TempDir Path dir) throws Exception {
        // LeNet-5 as experiments' ZooModel.LENET_5 builds it (Caffe's 20-50-500 variant).
        MultiLayerNetwork net = init(base(2).layer(conv("conv1", 5, 1, 0, 20, Activation.IDENTITY).build())
                .layer(pool("pool1", PoolingType.MAX, 2, 2).build())
                .layer(conv("conv2", 5, 1, 0, 50, Activation.IDENTITY).build())
                .layer(pool("pool2", PoolingType.MAX, 2, 2).build()).layer(dense("ip1", 500, Activation.RELU).build())
                .layer(softmax("ip2", 10)).setInputType(InputType.convolutionalFlat(28, 28, 1)));
        compress(net, 0.06, 8, 12); // 16 levels: 4-bit codes
        Path file = Dl4jReference.write(net, dir, "lenet-5");
        assertAllPoliciesMatch(net, file, new long[]{0, 784});
    }

    @Test
    void aUsersConvAndDenseNetworkWithSameAndTruncateModes(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = init(base(3)
                .layer(conv("c1", 3, 2, 1, 6, Activation.RELU).build()) // 3x3 stride 2 pad 1, Truncate
                .layer(conv("c2", 3, 1, 0, 5, Activation.TANH).convolutionMode(ConvolutionMode.Same).build())
                .layer(pool("p1", PoolingType.AVG, 2, 2).convolutionMode(ConvolutionMode.Same).build())
                .layer(new ConvolutionLayer.Builder(2, 3).stride(1, 2).name("c3").nOut(7)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.LEAKYRELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).name("c4").nOut(4).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.SIGMOID).build())
                .layer(pool("p2", PoolingType.MAX, 2, 1).convolutionMode(ConvolutionMode.Same).build())
                .layer(dense("d1", 20, Activation.SIGMOID).build())
                .layer(new DropoutLayer.Builder(0.5).name("drop").build()).layer(softmax("out", 4))
                .setInputType(InputType.convolutionalFlat(17, 13, 2)));
        compress(net, 0.3, 3, 13);
        Path file = Dl4jReference.write(net, dir, "user");
        assertAllPoliciesMatch(net, file, new long[]{0, 2 * 17 * 13});
    }

    /**
     * predict keeps its intermediate arrays for the next call: one model run at batch 64, then at smaller and larger
     * batches (its arrays then longer, then shorter than needed) computes DL4J's output each time, and a result
     * handed out is never written by a later call.
     */
    @Test
    void oneModelAtChangingBatchSizes(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = init(base(4)
                .layer(conv("c1", 3, 1, 1, 6, Activation.RELU).build())
                .layer(pool("p1", PoolingType.MAX, 2, 2).build())
                .layer(conv("c2", 3, 2, 0, 5, Activation.TANH).build())
                .layer(dense("d1", 12, Activation.RELU).build()).layer(softmax("out", 3))
                .setInputType(InputType.convolutionalFlat(12, 11, 1)));
        compress(net, 0.4, 0, 14);
        Path file = Dl4jReference.write(net, dir, "batches");
        for (KernelPolicy policy : POLICIES) {
            CompressedModel model = CompressedModel.load(file, policy);
            float[] first = null;
            float[] firstCopy = null;
            for (int batch : new int[]{64, 1, 5, 70, 2}) {
                float[] x = Dl4jReference.input(batch, 12 * 11, batch);
                float[] y = model.predict(x, batch);
                Dl4jReference.assertClose(y, Dl4jReference.output(net, x, new long[]{batch, 12 * 11}),
                        "output (batch " + batch + ")");
                if (first == null) {
                    first = y;
                    firstCopy = y.clone();
                }
            }
            assertThat(first).containsExactly(firstCopy);
        }
    }

    /**
     * AlexNet's layers as experiments' {@code ZooModel.ALEXNET} builds them (11x11 stride 4, LRN, 3/2 max-pooling,
     * 5x5 pad 2, three 3x3 pad 1, two dropout FC layers, softmax), NCHW input without a preprocessor, with the given
     * widths, LRN alpha and input size.
     */
    private static MultiLayerNetwork alexNet(int[] conv, int fc, int classes, double lrnAlpha, int input, long seed) {
        return init(base(seed).layer(conv("conv1", 11, 4, 0, conv[0], Activation.RELU).build())
                .layer(new LocalResponseNormalization.Builder().name("norm1").k(1).n(5).alpha(lrnAlpha).beta(0.75)
                        .build())
                .layer(pool("pool1", PoolingType.MAX, 3, 2).build())
                .layer(conv("conv2", 5, 1, 2, conv[1], Activation.RELU).build())
                .layer(new LocalResponseNormalization.Builder().name("norm2").k(1).n(5).alpha(lrnAlpha).beta(0.75)
                        .build())
                .layer(pool("pool2", PoolingType.MAX, 3, 2).build())
                .layer(conv("conv3", 3, 1, 1, conv[2], Activation.RELU).build())
                .layer(conv("conv4", 3, 1, 1, conv[3], Activation.RELU).build())
                .layer(conv("conv5", 3, 1, 1, conv[4], Activation.RELU).build())
                .layer(pool("pool5", PoolingType.MAX, 3, 2).build())
                .layer(dense("fc6", fc, Activation.RELU).dropOut(0.5).build())
                .layer(dense("fc7", fc, Activation.RELU).dropOut(0.5).build())
                .layer(softmax("fc8", classes)).setInputType(InputType.convolutional(input, input, 3)));
    }

    @Test
    void aNarrowAlexNetWithLrnAndANchwInput(@TempDir Path dir) throws Exception {
        // LRN's alpha raised from AlexNet's 2e-5 so that a wrong LRN shows in the activations.
        MultiLayerNetwork net = alexNet(new int[]{8, 12, 10, 10, 8}, 16, 10, 0.1, 67, 4);
        compress(net, 0.2, 0, 14);
        Path file = Dl4jReference.write(net, dir, "alexnet-narrow");
        assertAllPoliciesMatch(net, file, new long[]{0, 3, 67, 67});
    }

    /**
     * The whole AlexNet (62M weights, 5 % kept; sparse and provisional kernels, batch 2): about 9 s on 2 cores and
     * 3 GB of the tests' 4 GB heap.
     */
    @Test
    void theWholeAlexNetOnRandomInput(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = alexNet(new int[]{96, 256, 384, 384, 256}, 4096, 1000, 1e-4 / 5, 227, 5);
        compress(net, 0.05, 0, 15);
        Path file = Dl4jReference.write(net, dir, "alexnet");
        for (KernelPolicy policy : POLICIES.subList(1, 3)) {
            assertSameOutputs(net, file, policy, new long[]{0, 3, 227, 227}, 2);
        }
    }
}
