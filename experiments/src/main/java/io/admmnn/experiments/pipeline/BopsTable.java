package io.admmnn.experiments.pipeline;

import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.core.tensor.NonZeros;
import io.admmnn.format.ActivationQuantization;
import io.admmnn.hardware.cost.BopsCount;
import io.admmnn.hardware.cost.LayerBops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The BOPs of a trained network per layer (DJPQ's count, {@link LayerBops}): MACs per image from one forward pass
 * (weights x reuse, as in the report's sparsity table), b_w from the weight quantization of the run (32 when a layer's
 * weights are not quantized), b_a from the network's installed activation quantizers (32 when not quantized).
 */
public final class BopsTable {

    private BopsTable() {
    }

    /**
     * One layer as the run record keeps it.
     *
     * @param layer          layer name
     * @param macsDense      MACs per image, every weight executed
     * @param macsNonZero    MACs per image on non-zero weights
     * @param weightBits     b_w
     * @param activationBits b_a (of the layer's input)
     * @param bopsDense      macsDense x b_w x b_a
     * @param bopsNonZero    macsNonZero x b_w x b_a
     */
    public record Row(String layer, long macsDense, long macsNonZero, int weightBits, int activationBits,
                      long bopsDense, long bopsNonZero) {
    }

    /**
     * The whole network.
     *
     * @param layers           per weighted layer, in network order
     * @param bopsReference    32 x 32-bit dense BOPs (MACs x 1024)
     * @param bopsDense        dense-execution BOPs at the layers' bits
     * @param bopsNonZero      BOPs on non-zero weights at the layers' bits
     * @param reductionDense   bopsReference / bopsDense
     * @param reductionNonZero bopsReference / bopsNonZero
     */
    public record Summary(List<Row> layers, long bopsReference, long bopsDense, long bopsNonZero, double reductionDense,
                          double reductionNonZero) {
    }

    /** The count of {@code net}; {@code example} is one input of its shape (values unused). */
    public static BopsCount count(TrainableNetwork net, INDArray example, Map<String, Integer> weightBits) {
        Map<String, Long> reuse = net.weightReuse(example);
        Map<String, ActivationQuantization> activations = ActivationQuantizers.installed(net);
        List<LayerBops> layers = new ArrayList<>();
        for (ConstrainableLayer l : net.constrainableLayers()) {
            Long r = reuse.get(l.name());
            if (r == null) {
                continue; // reuse unknown (no output size): no MAC count
            }
            INDArray w = l.weights();
            layers.add(new LayerBops(l.name(), r * w.length(), r * NonZeros.count(w),
                    weightBits.getOrDefault(l.name(), LayerBops.FLOAT_BITS),
                    ActivationQuantization.bitsOf(activations.get(l.name()))));
        }
        return new BopsCount(layers);
    }

    /** The count as the run record keeps it (every derived number written out). */
    public static Summary summary(BopsCount count) {
        return summary(count, count.bopsReference());
    }

    /**
     * The count against another 32 x 32-bit reference: DJPQ's unpruned network, whose removed channels then count as
     * saved BOPs (the count itself has only the kept channels).
     */
    public static Summary summary(BopsCount count, long bopsReference) {
        List<Row> rows = count.layers().stream().map(l -> new Row(l.layer(), l.macsDense(), l.macsNonZero(),
                l.weightBits(), l.activationBits(), l.bopsDense(), l.bopsNonZero())).toList();
        return new Summary(rows, bopsReference, count.bopsDense(), count.bopsNonZero(),
                (double) bopsReference / count.bopsDense(), (double) bopsReference / count.bopsNonZero());
    }
}
