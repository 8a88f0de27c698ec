package io.admmnn.hardware.layer;

import java.util.List;
import java.util.stream.Collectors;

/** A network as an ordered list of layers with weights. */
public record NetworkShape(String name, List<LayerShape> layers) {

    public NetworkShape {
        layers = List.copyOf(layers);
        if (layers.stream().map(LayerShape::name).distinct().count() != layers.size()) {
            throw new IllegalArgumentException(name + ": layer names must be unique");
        }
    }

    public long weights() {
        return layers.stream().mapToLong(LayerShape::weights).sum();
    }

    public long macs() {
        return layers.stream().mapToLong(LayerShape::macs).sum();
    }

    /** The layer called {@code name}; an unknown name is an error listing the layers. */
    public LayerShape layer(String layerName) {
        return layers.stream().filter(l -> l.name().equals(layerName)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no layer '" + layerName + "' in " + name + "; layers: "
                        + layers.stream().map(LayerShape::name).collect(Collectors.joining(", "))));
    }

    /** LeNet-300-100 on 28x28 inputs: 266,200 weights. */
    public static NetworkShape lenet300100() {
        return new NetworkShape("lenet-300-100", List.of(new FcLayer("fc1", 784, 300), new FcLayer("fc2", 300, 100),
                new FcLayer("fc3", 100, 10)));
    }

    /** Caffe's LeNet-5 (20-50-500) on 28x28 inputs: 430,500 weights, 2.293 M MACs. */
    public static NetworkShape lenet5() {
        return new NetworkShape("lenet-5", List.of(ConvLayer.of("conv1", 1, 20, 5, 1, 0, 28),
                ConvLayer.of("conv2", 20, 50, 5, 1, 0, 12), new FcLayer("ip1", 800, 500), new FcLayer("ip2", 500, 10)));
    }

    /** BVLC AlexNet on 227x227 ImageNet images (conv2, conv4, conv5 in 2 groups): 60,954,656 weights. */
    public static NetworkShape alexnet() {
        return new NetworkShape("alexnet", List.of(
                new ConvLayer("conv1", 3, 96, 11, 11, 4, 0, 1, 227, 227),
                new ConvLayer("conv2", 96, 256, 5, 5, 1, 2, 2, 27, 27),
                new ConvLayer("conv3", 256, 384, 3, 3, 1, 1, 1, 13, 13),
                new ConvLayer("conv4", 384, 384, 3, 3, 1, 1, 2, 13, 13),
                new ConvLayer("conv5", 384, 256, 3, 3, 1, 1, 2, 13, 13),
                new FcLayer("fc6", 9216, 4096), new FcLayer("fc7", 4096, 4096), new FcLayer("fc8", 4096, 1000)));
    }

    /**
     * VGG-7 at a quarter of its channels on 28x28x1 inputs (3x3 convolutions, padding 1; 2x2 max-pooling after conv2,
     * conv4, conv6: 28 -> 14 -> 7 -> 3): conv 32-32-64-64-128-128, fc7 1152-256, fc8 256-10; 583,456 weights,
     * 29,424,640 MACs.
     */
    public static NetworkShape vgg7Quarter() {
        return new NetworkShape("vgg-7-quarter", List.of(
                ConvLayer.of("conv1", 1, 32, 3, 1, 1, 28), ConvLayer.of("conv2", 32, 32, 3, 1, 1, 28),
                ConvLayer.of("conv3", 32, 64, 3, 1, 1, 14), ConvLayer.of("conv4", 64, 64, 3, 1, 1, 14),
                ConvLayer.of("conv5", 64, 128, 3, 1, 1, 7), ConvLayer.of("conv6", 128, 128, 3, 1, 1, 7),
                new FcLayer("fc7", 128 * 3 * 3, 256), new FcLayer("fc8", 256, 10)));
    }

    /** A built-in network by name: lenet-300-100, lenet-5, vgg-7-quarter or alexnet. */
    public static NetworkShape byName(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT).replace("_", "-")) {
            case "lenet-300-100", "lenet300" -> lenet300100();
            case "lenet-5", "lenet5" -> lenet5();
            case "vgg-7-quarter", "vgg7quarter" -> vgg7Quarter();
            case "alexnet" -> alexnet();
            default -> throw new IllegalArgumentException("unknown network '" + name
                    + "'; built-in: lenet-300-100, lenet-5, vgg-7-quarter, alexnet");
        };
    }
}
