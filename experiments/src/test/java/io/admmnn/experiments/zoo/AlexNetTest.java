package io.admmnn.experiments.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AlexNetTest {

    private static final Set<String> GROUPED_IN_CAFFE = Set.of("conv2", "conv4", "conv5");

    @Test
    void buildsAndMapsTwoImagesTo1000ClassProbabilities() {
        MultiLayerNetwork net = ZooModel.ALEXNET.build(1, 1e-3);
        INDArray images = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 227, 227).muli(255).subi(120);
        INDArray out = net.output(images, false);
        assertThat(out.shape()).containsExactly(2, 1000);
        assertThat(out.sum(1).toDoubleVector()).containsExactly(new double[]{1.0, 1.0}, within(1e-4));
        // pool5 gives 6x6x256 = 9216 inputs to fc6, as in Caffe.
        assertThat(net.getLayer("fc6").getParam("W").shape()).containsExactly(9216, 4096);
        assertThat(ZooModel.byId("AlexNet")).isEqualTo(ZooModel.ALEXNET);

        // Uses per weight per image (output positions) from a forward pass agree with hardware-model's layer shapes,
        // grouped or not: conv1 55x55, conv2 27x27, conv3-5 13x13, fc 1.
        Map<String, Long> reuse = TrainableNetwork.of(net).weightReuse(Nd4j.zeros(DataType.FLOAT, 1, 3, 227, 227));
        for (var layer : NetworkShape.alexnet().layers()) {
            assertThat(reuse.get(layer.name())).as(layer.name()).isEqualTo(layer.reuse());
        }
        assertThat(reuse.get("conv1")).isEqualTo(55 * 55);
    }

    @Test
    void weightCountsEqualTheHardwareModelsExceptTheUngroupedLayersWhichAreTwice() {
        Map<String, Long> zoo = ZooModel.ALEXNET.weightCounts();
        NetworkShape shape = NetworkShape.alexnet();
        assertThat(zoo.keySet()).containsExactly("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8");
        for (var layer : shape.layers()) {
            long factor = GROUPED_IN_CAFFE.contains(layer.name()) ? 2 : 1;
            assertThat(zoo.get(layer.name())).as(layer.name()).isEqualTo(factor * layer.weights());
        }
        assertThat(zoo.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(62_367_776L);
        assertThat(shape.weights()).isEqualTo(60_954_656L);
    }

    @Test
    void defaultRatiosAreTheKeptFractionsOfAdmmNns24xModel() {
        Map<String, Double> ratios = CompressionPlan.defaultRatios(ZooModel.ALEXNET);
        assertThat(ratios.keySet()).containsExactlyElementsOf(ZooModel.ALEXNET.weightCounts().keySet());
        assertThat(1 - ratios.get("conv1")).isCloseTo(0.810, within(5e-4));
        assertThat(1 - ratios.get("conv2")).isCloseTo(0.200, within(5e-4));
        assertThat(1 - ratios.get("conv3")).isCloseTo(0.190, within(5e-4));
        assertThat(1 - ratios.get("fc6")).isCloseTo(0.020, within(5e-4));
        assertThat(1 - ratios.get("fc7")).isCloseTo(0.054, within(5e-4));
        assertThat(1 - ratios.get("fc8")).isCloseTo(0.080, within(5e-4));
        // On the hardware model's grouped shapes these fractions give back the published 24.7x ...
        NetworkShape shape = NetworkShape.alexnet();
        double keptGrouped = shape.layers().stream().mapToDouble(l -> (1 - ratios.get(l.name())) * l.weights()).sum();
        assertThat(shape.weights() / keptGrouped).isCloseTo(24.70, within(0.01));
        // ... and 22.7x on the zoo's ungrouped AlexNet, whose conv2/4/5 keep twice as many weights.
        Map<String, Long> zoo = ZooModel.ALEXNET.weightCounts();
        double kept = zoo.entrySet().stream().mapToDouble(e -> (1 - ratios.get(e.getKey())) * e.getValue()).sum();
        assertThat(62_367_776 / kept).isCloseTo(22.68, within(0.01));
    }
}
