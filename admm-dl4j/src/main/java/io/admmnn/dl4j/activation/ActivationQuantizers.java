package io.admmnn.dl4j.activation;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.format.ActivationQuantization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The activation quantizers of a DL4J network, keyed by the name of the layer with weights whose <em>input</em>
 * they quantize (the b_a of that layer's BOPs): fitting them from data, installing them as
 * {@link FakeQuantizePreProcessor}s, reading them back and removing them. MultiLayerNetworks only (the runtime
 * runs only those, too).
 */
public final class ActivationQuantizers {

    private ActivationQuantizers() {
    }

    /**
     * Fits one quantizer per entry of {@code bits} (layer name to b_a) from the layers' inputs on {@code features}
     * (a calibration batch) in the network as it is: {@link ActivationQuantization#fit} with the
     * {@code percentile} of the magnitudes as the range. Quantizers already installed are applied while fitting,
     * so a layer sees the inputs it will see in training.
     *
     * @throws IllegalArgumentException naming the layer if it has no weights, or its input is all zero
     */
    public static Map<String, ActivationQuantization> fit(TrainableNetwork network, INDArray features,
                                                          Map<String, Integer> bits, double percentile) {
        MultiLayerNetwork mln = requireMln(network);
        List<INDArray> activations = mln.feedForward(features, false);
        Map<String, ActivationQuantization> fitted = new LinkedHashMap<>();
        bits.forEach((name, b) -> {
            ConstrainableLayer layer = network.layer(name);
            // feedForward: element 0 is the input, element i + 1 the output of layer i = the input of layer i + 1
            float[] input = FlatValues.readFloats(activations.get(layer.index()));
            try {
                fitted.put(name, ActivationQuantization.fit(input, b, percentile));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input activations of layer " + name + ": " + e.getMessage(), e);
            }
        });
        return fitted;
    }

    /** Installs {@code quantizers} (replacing any installed on those layers; others stay); none: nothing to do. */
    public static void install(TrainableNetwork network, Map<String, ActivationQuantization> quantizers) {
        if (quantizers.isEmpty()) {
            return;
        }
        MultiLayerConfiguration conf = requireMln(network).getLayerWiseConfigurations();
        quantizers.forEach((name, q) -> {
            int index = network.layer(name).index();
            InputPreProcessor own = unwrap(conf.getInputPreProcess(index));
            conf.getInputPreProcessors().put(index, new FakeQuantizePreProcessor(q, own));
        });
    }

    /** The installed quantizers by layer name, in network order (empty when none or for a graph). */
    public static Map<String, ActivationQuantization> installed(TrainableNetwork network) {
        Map<String, ActivationQuantization> result = new LinkedHashMap<>();
        if (network.model() instanceof MultiLayerNetwork mln) {
            MultiLayerConfiguration conf = mln.getLayerWiseConfigurations();
            for (ConstrainableLayer layer : network.constrainableLayers()) {
                if (conf.getInputPreProcess(layer.index()) instanceof FakeQuantizePreProcessor p) {
                    result.put(layer.name(), p.quantization());
                }
            }
        }
        return result;
    }

    /** Removes every quantizer from {@code conf}, restoring the layers' own preprocessors. */
    public static void strip(MultiLayerConfiguration conf) {
        Map<Integer, InputPreProcessor> pre = conf.getInputPreProcessors();
        for (Integer index : List.copyOf(pre.keySet())) {
            if (pre.get(index) instanceof FakeQuantizePreProcessor p) {
                if (p.inner() == null) {
                    pre.remove(index);
                } else {
                    pre.put(index, p.inner());
                }
            }
        }
    }

    private static InputPreProcessor unwrap(InputPreProcessor p) {
        return p instanceof FakeQuantizePreProcessor q ? q.inner() : p;
    }

    private static MultiLayerNetwork requireMln(TrainableNetwork network) {
        if (!(network.model() instanceof MultiLayerNetwork mln)) {
            throw new IllegalArgumentException("activation quantization supports MultiLayerNetworks only, not a "
                    + "ComputationGraph");
        }
        return mln;
    }
}
