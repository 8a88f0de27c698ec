package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Off-heap arrays of DJPQ training (issue 15): DL4J asks for the quantized weights outside its workspaces on every
 * forward pass; they must go into one reused buffer, not a new native array per pass that only the garbage collector
 * frees (with a 6 GB heap it seldom ran, and a LeNet-5 run grew to 19 GB off-heap).
 */
class DjpqOffHeapTest {

    @Test
    void quantizedWeightsOfEveryPassShareOneBufferHoldingTheCurrentLevels() {
        SmallDjpqNetwork small = SmallDjpqNetwork.of(3, 0.05);
        DjpqNetwork d = small.djpq();
        INDArray x = small.input();
        INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
        for (int i = 0; i < 8; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        MultiLayerNetwork net = d.network();
        net.setListeners(d.bopsPenalty());
        for (DjpqNetwork.Unit u : d.units()) {
            Layer weighted = net.getLayer(u.layer());
            DqWeightNoise noise = (DqWeightNoise) ((BaseLayer) weighted.conf().getLayer()).getWeightNoise();
            DqWeightQuantizer q = (DqWeightQuantizer) net.getLayer(u.weightQuantizer());
            net.fit(x, y);
            INDArray first = noise.getParameter(weighted, "W", 0, 0, true, LayerWorkspaceMgr.noWorkspaces());
            INDArray before = weighted.getParam("W").dup();
            net.fit(x, y);
            net.output(x);
            INDArray second = noise.getParameter(weighted, "W", 0, 0, false, LayerWorkspaceMgr.noWorkspaces());
            assertThat(weighted.getParam("W")).as(u.name() + " trained").isNotEqualTo(before);
            assertThat(second).as(u.name()).isSameAs(first);
            assertThat(second.isAttached()).isFalse();
            assertThat(second).as(u.name() + " levels").isEqualTo(q.quantize(weighted.getParam("W")));
        }
    }
}
