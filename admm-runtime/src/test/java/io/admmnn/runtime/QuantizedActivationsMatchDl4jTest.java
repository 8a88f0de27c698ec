package io.admmnn.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.format.CompressedModelFile;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.format.ActivationQuantization;
import io.admmnn.format.ModelFileContents;
import io.admmnn.runtime.kernel.KernelKind;
import io.admmnn.runtime.kernel.KernelPolicy;
import io.admmnn.runtime.layer.QuantizeActivations;
import io.admmnn.runtime.model.CompressedModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * A LeNet-5 with quantized input activations at every weighted layer, written to model.admmnn: read back by DL4J
 * with its quantizers, and run by the runtime with the same results.
 *
 * <p>Why dyadic values: a quantizer maps a value on a rounding boundary to one level or the next, so two engines
 * whose sums differ in the last bit (a different summation order) can differ by a whole step there. With weights on
 * multiples of 1/16, inputs quantized to multiples of 1/16 and every activation step a power of two, every sum is
 * exact in float whatever the order, so both engines see identical inputs at every quantizer, as they would need to
 * for bit-equal levels; then the existing tolerance (for softmax and the like) holds.
 */
class QuantizedActivationsMatchDl4jTest {

    private static MultiLayerNetwork lenet5() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(21)
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(5, 5).name("conv1").nOut(20).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool1").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).name("conv2").nOut(50).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool2").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("ip1").nOut(500).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).name("ip2").nOut(10).activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build());
        net.init();
        return net;
    }

    /** Keeps about {@code kept} of each weight tensor, on multiples of 1/16 (biases too). */
    private static void dyadicWeights(MultiLayerNetwork net, double kept, long seed) {
        Random random = new Random(seed);
        for (ConstrainableLayer layer : TrainableNetwork.of(net).constrainableLayers()) {
            for (INDArray p : List.of(layer.weights(), layer.bias())) {
                float[] v = FlatValues.readFloats(p);
                for (int i = 0; i < v.length; i++) {
                    v[i] = p == layer.bias() ? (random.nextInt(9) - 4) / 16f
                            : random.nextDouble() < kept ? Math.round(v[i] * 64) / 16f : 0f;
                }
                FlatValues.write(p, v);
            }
        }
    }

    @Test
    void runtimeComputesWhatTheReadBackNetworkComputes(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = lenet5();
        dyadicWeights(net, 0.3, 5);
        Map<String, ActivationQuantization> q = new LinkedHashMap<>();
        q.put("conv1", ActivationQuantization.fromStepAndRange(1 / 16.0, 1.0, false));
        q.put("conv2", ActivationQuantization.fromStepAndRange(1 / 8.0, 4.0, true));
        q.put("ip1", ActivationQuantization.fromStepAndRange(1 / 8.0, 8.0, true));
        q.put("ip2", ActivationQuantization.fromStepAndRange(1 / 4.0, 8.0, false));
        float[] x = Dl4jReference.input(3, 784, 1);
        INDArray in = Nd4j.create(x, new long[]{3, 784}, 'c');
        INDArray floatOutput = net.output(in, false);
        ActivationQuantizers.install(TrainableNetwork.of(net), q);
        assertThat(net.output(in, false).equalsWithEps(floatOutput, 1e-3)).as("quantization changes the outputs")
                .isFalse();
        Path file = Dl4jReference.write(net, dir, "lenet-5-actq");

        assertThat(ModelFileContents.read(file).activations()).containsExactlyEntriesOf(q);
        MultiLayerNetwork back = (MultiLayerNetwork) CompressedModelFile.read(file).model();
        assertThat(ActivationQuantizers.installed(TrainableNetwork.of(back))).containsExactlyEntriesOf(q);
        assertThat(back.output(in, false).equals(net.output(in, false))).isTrue();
        CompressedModel model = CompressedModel.load(file);
        assertThat(model.layers().stream().filter(QuantizeActivations.class::isInstance).count()).isEqualTo(4);
        assertThat(model.describe()).contains("quantize input of conv2");
        for (KernelPolicy policy : List.of(KernelPolicy.always(KernelKind.DENSE), KernelPolicy.always(KernelKind.SPARSE))) {
            for (int batch : new int[]{1, 16}) {
                Dl4jReference.assertSameOutputs(back, file, policy, new long[]{0, 784}, batch);
            }
        }
    }
}
