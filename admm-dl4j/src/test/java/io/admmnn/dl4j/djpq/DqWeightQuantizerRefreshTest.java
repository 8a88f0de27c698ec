package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A weighted layer that kept the quantized weights of an earlier training pass in DL4J's weight-noise cache (as
 * DL4J's convolution layer does whenever its oneDNN helper runs the backward pass, which skips clearing that cache)
 * must still compute with {@code q(W)} of its current weights: the weight quantizer's forward pass refreshes them.
 * Before the refresh, DJPQ's conv layers trained a whole epoch on the {@code q(W)} of its first pass (issue 15).
 */
class DqWeightQuantizerRefreshTest {

    @Test
    void aLayerHoldingAnEarlierPassesQuantizedWeightsComputesWithTheCurrentOnes() {
        SmallDjpqNetwork small = SmallDjpqNetwork.of(5, 0.01);
        DjpqNetwork d = small.djpq();
        INDArray x = small.input();
        MultiLayerNetwork net = d.network();
        LayerWorkspaceMgr ws = LayerWorkspaceMgr.noWorkspaces();
        DjpqNetwork.Unit u = d.units().get(0);
        Layer quantizer = net.getLayer(u.weightQuantizer());
        Layer weighted = net.getLayer(u.layer());
        List<INDArray> acts = net.feedForwardToLayer(u.weightQuantizer(), x, false);
        INDArray in = acts.get(acts.size() - 1);

        quantizer.setInput(in, ws);
        quantizer.activate(true, ws);
        weighted.setInput(in, ws);
        INDArray beforeChange = weighted.activate(true, ws).dup(); // caches q(W) as a training pass does
        weighted.getParam("W").muli(-1.5); // what many optimizer steps do to W between passes

        quantizer.setInput(in, ws);
        quantizer.activate(true, ws);
        weighted.setInput(in, ws);
        INDArray withCache = weighted.activate(true, ws).dup();
        weighted.clearNoiseWeightParams();
        weighted.setInput(in, ws);
        INDArray fresh = weighted.activate(true, ws).dup();

        assertThat(fresh).as("the weights changed the output").isNotEqualTo(beforeChange);
        assertThat(withCache).isEqualTo(fresh);
    }
}
