package io.admmnn.experiments.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
        SparsityTable.Row r = SparsityTable.row("fc", w, new FcLayer("fc", 4, 3));
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
        SparsityTable.Row r = SparsityTable.row("conv", w, ConvLayer.of("conv", 2, 3, 2, 1, 0, 4));
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
    void unknownShapeLeavesMacsOutAndTablesAreWritten(@TempDir Path dir) throws Exception {
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
