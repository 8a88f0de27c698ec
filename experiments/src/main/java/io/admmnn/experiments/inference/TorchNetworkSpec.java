package io.admmnn.experiments.inference;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.admmnn.core.tensor.FlatValues;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a DL4J network as {@code scripts/infer_torch.py} reads it: {@code spec.json} (the layers in order: reshape,
 * conv, pool, flatten, linear, activation), each weight and bias as raw little-endian float32 in PyTorch's layout
 * ({@code <layer>.W.f32}, {@code <layer>.b.f32}; a dense layer's {@code [nIn, nOut]} transposed to
 * {@code [nOut, nIn]}), and the inputs ({@code inputs.f32}). The PyTorch network is the same network with the same
 * weights, so its predicted classes can be checked against DL4J's.
 */
public final class TorchNetworkSpec {

    private TorchNetworkSpec() {
    }

    /**
     * @param inputs {@code [n, features]} inputs, row-major
     * @throws IllegalArgumentException naming a layer the PyTorch side cannot build
     */
    public static void write(MultiLayerNetwork net, float[] inputs, int n, Path dir) throws IOException {
        Files.createDirectories(dir);
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            InputPreProcessor pre = conf.getInputPreProcess(i);
            if (pre instanceof FeedForwardToCnnPreProcessor f) {
                layers.add(Map.of("kind", "reshape", "shape", List.of(f.getNumChannels(), f.getInputHeight(),
                        f.getInputWidth())));
            } else if (pre instanceof CnnToFeedForwardPreProcessor) {
                layers.add(Map.of("kind", "flatten"));
            } else if (pre != null) {
                throw new IllegalArgumentException("PyTorch comparison: input preprocessor "
                        + pre.getClass().getSimpleName() + " of layer " + i + " is not supported");
            }
            Layer layer = conf.getConf(i).getLayer();
            String name = layer.getLayerName() == null || layer.getLayerName().isBlank() ? "layer" + i
                    : layer.getLayerName();
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("name", name);
            if (layer instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class) {
                if (c.getConvolutionMode() == ConvolutionMode.Same) {
                    throw new IllegalArgumentException("PyTorch comparison: layer " + name + " uses Same mode");
                }
                spec.put("kind", "conv");
                spec.put("in", c.getNIn());
                spec.put("out", c.getNOut());
                spec.put("kernel", c.getKernelSize());
                spec.put("stride", c.getStride());
                spec.put("padding", c.getPadding());
                spec.put("dilation", c.getDilation());
                spec.put("bias", c.hasBias());
                spec.put("activation", activation(c));
                writeParams(net, i, name, c.hasBias(), false, dir);
            } else if (layer instanceof SubsamplingLayer s && s.getClass() == SubsamplingLayer.class) {
                if (s.getPoolingType() != PoolingType.MAX && s.getPoolingType() != PoolingType.AVG
                        || s.getConvolutionMode() == ConvolutionMode.Same) {
                    throw new IllegalArgumentException("PyTorch comparison: pooling " + s.getPoolingType() + " "
                            + s.getConvolutionMode() + " of layer " + name + " is not supported");
                }
                spec.put("kind", "pool");
                spec.put("type", s.getPoolingType() == PoolingType.MAX ? "max" : "avg");
                spec.put("kernel", s.getKernelSize());
                spec.put("stride", s.getStride());
                spec.put("padding", s.getPadding());
            } else if (layer instanceof FeedForwardLayer f && (layer instanceof org.deeplearning4j.nn.conf.layers.DenseLayer
                    || layer instanceof org.deeplearning4j.nn.conf.layers.OutputLayer)) {
                boolean bias = net.getLayer(i).getParam("b") != null;
                spec.put("kind", "linear");
                spec.put("in", f.getNIn());
                spec.put("out", f.getNOut());
                spec.put("bias", bias);
                spec.put("activation", activation(f));
                writeParams(net, i, name, bias, true, dir);
            } else if (layer instanceof ActivationLayer a) {
                spec.put("kind", "activation");
                spec.put("activation", a.getActivationFn().toString().toLowerCase(Locale.ROOT));
            } else if (layer instanceof DropoutLayer) {
                continue;   // identity at inference
            } else {
                throw new IllegalArgumentException("PyTorch comparison: layer " + name + " ("
                        + layer.getClass().getSimpleName() + ") is not supported; supported: ConvolutionLayer, "
                        + "SubsamplingLayer (max, avg), DenseLayer, OutputLayer, ActivationLayer, DropoutLayer");
            }
            layers.add(spec);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("inputs", n);
        root.put("layers", layers);
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve("spec.json").toFile(), root);
        writeFloats(dir.resolve("inputs.f32"), inputs);
    }

    private static String activation(BaseLayer layer) {
        return layer.getActivationFn().toString().toLowerCase(Locale.ROOT);
    }

    private static void writeParams(MultiLayerNetwork net, int index, String name, boolean bias, boolean transpose,
                                    Path dir) throws IOException {
        INDArray w = net.getLayer(index).getParam("W");
        writeFloats(dir.resolve(name + ".W.f32"), FlatValues.readFloats((transpose ? w.transpose() : w).dup('c')));
        if (bias) {
            writeFloats(dir.resolve(name + ".b.f32"), FlatValues.readFloats(net.getLayer(index).getParam("b").dup('c')));
        }
    }

    private static void writeFloats(Path file, float[] values) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        Files.write(file, buffer.array());
    }
}
