package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A network with quantized conv and output weights, quantized activations and a gate: every parameter's gradient
 * (weights through the straight-through quantizer, steps and ranges, gate) against central differences of the
 * score, with the rounding offsets frozen at the evaluation point as in {@link DqQuantizerGradientTest}.
 */
class DqWeightQuantizerGradientTest {

    private static final int BATCH = 3;

    static INDArray frozenRound(INDArray[] offset, INDArray u) {
        if (offset[0] == null) {
            offset[0] = Transforms.round(u, true).subi(u).detach(); // kept across passes: out of the workspaces
        }
        return u.add(offset[0]);
    }

    /** A weight quantizer whose rounding offsets are frozen at their first use. */
    static final class FrozenWeights extends DqWeightQuantizerLayer {
        FrozenWeights(double step, double range, String name) {
            setInitialStep(step);
            setInitialRange(range);
            setLayerName(name);
        }

        @Override
        protected org.deeplearning4j.nn.layers.BaseLayer<?> create(NeuralNetConfiguration conf, DataType dataType) {
            INDArray[] offset = new INDArray[1];
            return new DqWeightQuantizer(conf, dataType) {
                @Override
                protected INDArray round(INDArray u) {
                    return frozenRound(offset, u);
                }
            };
        }
    }

    /** An activation quantizer whose rounding offsets are frozen at their first use. */
    static final class FrozenActivations extends DqQuantizerLayer {
        FrozenActivations(boolean signed, double step, double range) {
            setSigned(signed);
            setInitialStep(step);
            setInitialRange(range);
        }

        @Override
        protected org.deeplearning4j.nn.layers.BaseLayer<?> create(NeuralNetConfiguration conf, DataType dataType) {
            INDArray[] offset = new INDArray[1];
            return new DqQuantizer(conf, dataType) {
                @Override
                protected INDArray round(INDArray u) {
                    return frozenRound(offset, u);
                }
            };
        }
    }

    @Test
    void everyParameterGradientMatchesCentralDifferences() {
        ConvolutionLayer conv = new ConvolutionLayer.Builder(2, 2).nOut(2).activation(Activation.IDENTITY).build();
        conv.setWeightNoise(new DqWeightNoise());
        OutputLayer out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                .activation(Activation.SOFTMAX).build();
        out.setWeightNoise(new DqWeightNoise());
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(4)
                .dataType(DataType.DOUBLE).updater(new NoOp()).list()
                .layer(new FrozenActivations(false, 0.07, 0.9))
                .layer(new FrozenWeights(0.11, 0.5, "conv-wq"))
                .layer(conv)
                .layer(new VibGateLayer.Builder().klWeight(0.01).initialLogD(-2).build())
                .layer(new FrozenActivations(true, 0.09, 0.7))
                .layer(new FrozenWeights(0.13, 0.6, "out-wq"))
                .layer(out)
                .setInputType(InputType.convolutional(3, 3, 1)).build());
        net.init();
        DjpqNetwork.bind(net);
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, 1, 3, 3);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, BATCH, 3);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, i, 1.0);
        }
        // some weights beyond the ranges, so the range gradients and the straight-through mask are exercised
        net.getLayer(2).getParam("W").muli(2.0);
        net.getLayer(6).getParam("W").muli(2.0);
        NetworkGradientCheck.assertMatchesCentralDifferences(net, x, y, 5, 1e-5);
        // the clipped weights get no gradient (straight-through inside the range only)
        INDArray w = net.getLayer(2).getParam("W");
        assertThat(w.amaxNumber().doubleValue()).isGreaterThan(0.5);
    }
}
