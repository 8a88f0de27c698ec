package io.admmnn.experiments.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.dl4j.djpq.DjpqNetwork;
import io.admmnn.dl4j.djpq.DjpqSettings;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.speed.LeanDenseTrainer;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class Vgg7QuarterTest {

    private static final ZooModel VGG = ZooModel.VGG_7_QUARTER;

    @Test
    void mapsFlat28x28ImagesThroughSizeKeepingConvolutionsAndThreePoolingsToTenClasses() {
        MultiLayerNetwork net = VGG.build(1, 1e-3);
        assertThat(ZooModel.byId("VGG7Quarter")).isEqualTo(VGG);
        INDArray out = net.output(Nd4j.rand(DataType.FLOAT, 2, 784), false);
        assertThat(out.shape()).containsExactly(2, 10);
        assertThat(out.sum(1).toDoubleVector()).containsExactly(new double[]{1.0, 1.0}, within(1e-4));
        // Activation sizes (channels x height x width) after each layer: padding 1 keeps the map, pooling halves it
        // (7 -> 3, floor).
        List<InputType> types = net.getLayerWiseConfigurations().getLayerActivationTypes(InputType.convolutionalFlat(
                28, 28, 1));
        long[][] expected = {{32, 28, 28}, {32, 28, 28}, {32, 14, 14}, {64, 14, 14}, {64, 14, 14}, {64, 7, 7},
                {128, 7, 7}, {128, 7, 7}, {128, 3, 3}};
        for (int i = 0; i < expected.length; i++) {
            InputType.InputTypeConvolutional t = (InputType.InputTypeConvolutional) types.get(i);
            assertThat(new long[]{t.getChannels(), t.getHeight(), t.getWidth()}).as("layer " + i)
                    .containsExactly(expected[i]);
        }
        assertThat(net.getLayer("fc7").getParam("W").shape()).containsExactly(1152, 256);
        assertThat(net.getLayer("fc8").getParam("W").shape()).containsExactly(256, 10);
        VGG.requireFits(DatasetId.byId("fashion-mnist"));
        VGG.requireFits(DatasetId.byId("mnist"));
    }

    @Test
    void weightAndParameterCountsAreTheHandCountsAndTheHardwareModelsShape() {
        // 3x3 kernels: out * in * 9; fc7 reads the 128 x 3 x 3 maps of pool3.
        Map<String, Long> zoo = VGG.weightCounts();
        assertThat(zoo).containsExactly(Map.entry("conv1", 288L), Map.entry("conv2", 9_216L),
                Map.entry("conv3", 18_432L), Map.entry("conv4", 36_864L), Map.entry("conv5", 73_728L),
                Map.entry("conv6", 147_456L), Map.entry("fc7", 294_912L), Map.entry("fc8", 2_560L));
        assertThat(zoo.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(583_456L);
        // plus one bias per output channel or unit: 32+32+64+64+128+128+256+10 = 714
        assertThat(VGG.build(1, 1e-3).numParams()).isEqualTo(583_456L + 714);

        NetworkShape shape = NetworkShape.byName(VGG.id());
        assertThat(shape.layers().stream().map(LayerShape::name)).containsExactlyElementsOf(zoo.keySet());
        // Uses per weight per image from a forward pass (output positions) agree with the hardware model's shapes,
        // so MACs (weights x uses) do too: 29,424,640 per image.
        Map<String, Long> reuse = TrainableNetwork.of(VGG.build(1, 1e-3)).weightReuse(Nd4j.zeros(DataType.FLOAT, 1, 784));
        long macs = 0;
        for (LayerShape layer : shape.layers()) {
            assertThat(zoo.get(layer.name())).as(layer.name()).isEqualTo(layer.weights());
            assertThat(reuse.get(layer.name())).as(layer.name()).isEqualTo(layer.reuse());
            macs += reuse.get(layer.name()) * zoo.get(layer.name());
        }
        assertThat(macs).isEqualTo(shape.macs()).isEqualTo(29_424_640L);
    }

    @Test
    void paddedConvolutionsTakeDl4jsFitNotTheLeanStep() {
        MultiLayerNetwork net = VGG.build(1, 1e-3);
        assertThat(LeanDenseTrainer.ineligibility(net)).isEqualTo("layer 0 (ConvolutionLayer): padding or dilation");
        assertThat(TrainableNetwork.of(net).trainingStep())
                .isEqualTo("DL4J fit (layer 0 (ConvolutionLayer): padding or dilation)");
    }

    @Test
    void aFewTrainingStepsOnOneBatchLowerItsLoss() {
        DataSet batch = patternBatch(20, new Random(5));
        TrainableNetwork net = TrainableNetwork.of(VGG.build(3, 1e-3));
        MultiLayerNetwork mln = (MultiLayerNetwork) net.model();
        double before = mln.score(batch);
        net.fitEpoch(new ListDataSetIterator<>(List.of(batch, batch, batch)));
        double after = mln.score(batch);
        assertThat(before).isCloseTo(Math.log(10), within(0.5)); // untrained: about uniform over 10 classes
        assertThat(after).isLessThan(before);
        assertThat(net.epochCount()).isEqualTo(1);
    }

    @Test
    void djpqWrapsItWithoutBatchNormAndCountsTheHardwareModelsMacs() {
        MultiLayerNetwork net = VGG.build(1, 1e-3);
        DjpqNetwork djpq = DjpqNetwork.insert(net, InputType.convolutionalFlat(28, 28, 1), true,
                DjpqSettings.defaults(), patternBatch(4, new Random(2)).getFeatures());
        NetworkShape shape = NetworkShape.vgg7Quarter();
        assertThat(djpq.units()).hasSize(shape.layers().size());
        for (int i = 0; i < shape.layers().size(); i++) {
            assertThat(djpq.shapes().get(i).name()).isEqualTo(shape.layers().get(i).name());
            assertThat(djpq.shapes().get(i).macs()).as(shape.layers().get(i).name())
                    .isEqualTo(shape.layers().get(i).macs());
        }
        assertThat(djpq.network().output(Nd4j.rand(DataType.FLOAT, 2, 784), false).shape()).containsExactly(2, 10);
    }

    /** {@code n} images, class {@code i % 10}: a bright band of rows {@code 2c+2..2c+4} on faint noise. */
    private static DataSet patternBatch(int n, Random random) {
        INDArray x = Nd4j.create(DataType.FLOAT, n, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) {
            int c = i % 10;
            for (int p = 0; p < 784; p++) {
                int row = p / 28;
                x.putScalar(i, p, (row >= 2 * c + 2 && row <= 2 * c + 4 ? 0.8f : 0f) + 0.2f * random.nextFloat());
            }
            y.putScalar(i, c, 1f);
        }
        return new DataSet(x, y);
    }
}
