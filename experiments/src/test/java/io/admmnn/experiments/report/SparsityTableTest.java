package io.admmnn.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.zoo.ZooModel;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SparsityTableTest {

    @Test
    void denseLayerCountsZeroInputRowsAndOutputColumns() {
        // [nIn = 4, nOut = 3]: input row 1 and 3 all zero, output column 2 all zero; 4 non-zeros of 12.
        INDArray w = Nd4j.createFromArray(new double[][] {
                {1, 2, 0},
                {0, 0, 0},
                {3, 4, 0},
                {0, 0, 0}}).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('f');
        SparsityTable.Row r = SparsityTable.row("fc", w, 1L);
        assertThat(r.nonZeros()).isEqualTo(4);
        assertThat(r.elements()).isEqualTo(8.0 / 12);
        assertThat(r.rows()).isEqualTo(0.5);
        assertThat(r.columns()).isEqualTo(1.0 / 3);
        assertThat(r.filters()).isNull();
        assertThat(r.channels()).isNull();
        assertThat(r.macsDense()).isEqualTo(12);
        assertThat(r.macsPruned()).isEqualTo(4);
    }

    @Test
    void convLayerCountsFiltersChannelsAndKernelPositions() {
        // [nOut = 3, nIn = 2, 2, 2]: filter 0 all zero; channel 1 all zero; kernel position (c=0, 0, 1) zero in
        // every filter. Non-zeros: filter 1 at (0,0,0), (0,1,1); filter 2 at (0,0,0).
        INDArray w = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 2, 2, 2);
        w.putScalar(new long[] {1, 0, 0, 0}, 1f);
        w.putScalar(new long[] {1, 0, 1, 1}, -2f);
        w.putScalar(new long[] {2, 0, 0, 0}, 3f);
        // 4x4 input, 2x2 kernel, stride 1: 3x3 outputs, so each weight is used 9 times per image.
        SparsityTable.Row r = SparsityTable.row("conv", w, 9L);
        assertThat(r.weights()).isEqualTo(24);
        assertThat(r.nonZeros()).isEqualTo(3);
        assertThat(r.filters()).isEqualTo(1.0 / 3);
        assertThat(r.rows()).isEqualTo(1.0 / 3);
        assertThat(r.channels()).isEqualTo(0.5);
        // 8 kernel positions (c, kh, kw); non-zero: (0,0,0) and (0,1,1) -> 6 of 8 all zero.
        assertThat(r.columns()).isEqualTo(6.0 / 8);
        assertThat(r.macsDense()).isEqualTo(24 * 9);
        assertThat(r.macsPruned()).isEqualTo(3 * 9);
    }

    @Test
    void macsFromAForwardPassEqualTheHardwareModelsForTheLeNets() {
        for (ZooModel model : new ZooModel[] {ZooModel.LENET_5, ZooModel.LENET_300_100}) {
            TrainableNetwork net = TrainableNetwork.of(model.build(1, 1e-3));
            net.layer(model == ZooModel.LENET_5 ? "ip1" : "fc1").weights().assign(0); // pruned MACs count non-zeros
            NetworkShape shape = NetworkShape.byName(model.id());
            List<SparsityTable.Row> rows = SparsityTable.of(net, Nd4j.zeros(DataType.FLOAT, DatasetId.MNIST.exampleShape()));
            assertThat(rows).extracting(SparsityTable.Row::layer).containsExactlyElementsOf(
                    shape.layers().stream().map(LayerShape::name).toList());
            for (SparsityTable.Row r : rows) {
                LayerShape l = shape.layer(r.layer());
                assertThat(r.macsDense()).as(model.id() + " " + r.layer()).isEqualTo(l.macs());
                assertThat(r.macsPruned()).as(model.id() + " " + r.layer()).isEqualTo(l.reuse() * r.nonZeros());
            }
        }
        // LeNet-5: 2.293 M MACs per image, conv2 1.6 M of them (8x8 positions x 25,000 weights).
        assertThat(NetworkShape.lenet5().layer("conv2").macs()).isEqualTo(1_600_000);
    }

    @Test
    void unknownReuseLeavesMacsOutAndTablesAreWritten(@TempDir Path dir) throws Exception {
        INDArray w = Nd4j.createFromArray(new float[][] {{0, 1}, {0, 0}});
        SparsityTable.Row r = SparsityTable.row("x", w, null);
        assertThat(r.macsDense()).isNull();
        String md = SparsityTable.write(List.of(r), dir);
        assertThat(md).contains("| x | [2, 2] | 4 | 1 | 75.00% | 50.00% | 50.00% | - | - | - | - | - |");
        assertThat(dir.resolve(SparsityTable.JSON_FILE)).content().contains("\"elements\" : 0.75")
                .doesNotContain("macsDense");
        assertThat(dir.resolve(SparsityTable.MARKDOWN_FILE)).content().isEqualTo(md);
    }
}
