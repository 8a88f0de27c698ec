package io.admmnn.experiments.pipeline;

import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.DataException;
import io.admmnn.experiments.data.EpochOrderedBatches;
import io.admmnn.experiments.data.ImageFolderDataset;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * How an image folder's files become a network's input ({@link ImageFolderDataset.Options}): the plan's
 * {@link CompressionPlan.Images} where it says, the network's own input elsewhere.
 *
 * <p>The network's input: a built-in model takes Caffe's AlexNet crops (3x227x227, ImageNet mean subtracted). A saved
 * network's channels (1 = grey, 3 = RGB) are the first convolution's {@code nIn}; its height and width are, in this
 * order, the plan's {@code size}, the size a first-layer {@code FeedForwardToCnnPreProcessor} records
 * ({@code InputType.convolutionalFlat}), or the smallest square side s for which the layer sizes DL4J derives from an
 * s x s input match every later layer's {@code nIn} (DL4J's {@code MultiLayerConfiguration} does not keep the
 * {@code InputType} it was built with; convolutions that truncate map several sides to the same sizes, and the
 * smallest is the one that uses every pixel). A network of dense layers only takes flat rows of {@code nIn = c*h*w}
 * values, solved for c = 1 or 3 with h = w when no size is given. A ComputationGraph needs the size.
 */
final class ImageInput {

    /** Largest square side tried when the side is inferred. */
    private static final int MAX_SIDE = 1024;

    private ImageInput() {
    }

    /**
     * The options for {@code net} under {@code plan}, images that cannot be read skipped if {@code skipUnreadable}.
     *
     * @throws IllegalArgumentException (one line) if the network's input cannot be read from it and the plan does
     *                                  not give it, or the plan's normalisation does not fit its channels
     */
    static ImageFolderDataset.Options options(CompressionPlan plan, TrainableNetwork net, boolean skipUnreadable) {
        CompressionPlan.Images spec = plan.images() != null ? plan.images()
                : new CompressionPlan.Images(null, null, null, null, null, null);
        boolean builtIn = ModelSource.isBuiltIn(plan.model());
        ImageFolderDataset.Options alexNet = ImageFolderDataset.Options.caffeAlexNet();
        int[] shape = builtIn ? new int[] {alexNet.channels(), alexNet.height(), alexNet.width(), 0}
                : shape(net, spec.heightWidth(), plan.model());
        int channels = shape[0];
        int height = shape[1];
        int width = shape[2];
        String normalization = spec.normalization() != null ? spec.normalization() : builtIn ? "caffe" : "unit";
        List<Double> mean = new ArrayList<>();
        List<Double> scale = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            switch (normalization) {
                case "caffe" -> {
                    mean.add(channels == 3 ? ImageFolderDataset.IMAGENET_MEAN.get(c) : GREY_IMAGENET_MEAN);
                    scale.add(1.0);
                }
                case "mean-std" -> {
                    if (spec.mean().size() != channels) {
                        throw new IllegalArgumentException("image mean and std give " + spec.mean().size()
                                + " channel(s); " + plan.model() + " takes " + channels);
                    }
                    mean.add(255 * spec.mean().get(c)); // (v / 255 - m) / s = (v - 255 m) / (255 s)
                    scale.add(1 / (255 * spec.std().get(c)));
                }
                default -> {
                    mean.add(0.0);
                    scale.add(1 / 255.0);
                }
            }
        }
        boolean stretch = "stretch".equals(spec.resize());
        int larger = Math.max(height, width);
        int scaleTo = spec.scaleTo() != null ? spec.scaleTo() : builtIn ? alexNet.resize() : larger;
        if (!stretch && scaleTo < larger) {
            throw new IllegalArgumentException("image scaleTo " + scaleTo + " is smaller than the " + height + "x" + width
                    + " crop " + plan.model() + " takes");
        }
        return new ImageFolderDataset.Options(scaleTo, height, width, channels, stretch, mean, scale, true,
                alexNet.threads(), skipUnreadable, shape[3] == 1);
    }

    /** The shape of one example as batches of {@code images} give it. */
    static long[] exampleShape(ImageFolderDataset.Options images) {
        return images.rows() ? new long[] {1, images.valuesPerImage()}
                : new long[] {1, images.channels(), images.height(), images.width()};
    }

    /** ImageNet's mean as luminance (BT.601 weights of the red, green and blue means). */
    private static final double GREY_IMAGENET_MEAN = 0.299 * ImageFolderDataset.IMAGENET_MEAN.get(0)
            + 0.587 * ImageFolderDataset.IMAGENET_MEAN.get(1) + 0.114 * ImageFolderDataset.IMAGENET_MEAN.get(2);

    /**
     * Fails in one line unless a saved network's output layer has one output per class of the folder and the
     * validation folder has the training folder's classes. A built-in model (AlexNet's 1000 outputs) may have more.
     */
    static void requireClasses(CompressionPlan plan, EpochOrderedBatches train, EpochOrderedBatches test, long outputs) {
        List<String> classes = train.getLabels();
        if (!test.getLabels().equals(classes)) {
            throw new DataException("the image folder's val/ has the classes " + test.getLabels() + ", its train/ "
                    + classes + "; they must be the same folders");
        }
        if (!ModelSource.isBuiltIn(plan.model()) && classes.size() != outputs) {
            throw new DataException("the image folder has " + classes.size() + " classes (" + String.join(", ", classes)
                    + "), " + plan.model() + "'s output layer " + outputs + " outputs; they must be equal");
        }
    }

    /**
     * {channels, height, width, flat} of a saved network's input; flat 1 when it takes rows of pixels
     * ({@code [n, c*h*w]}), 0 when NCHW images.
     */
    private static int[] shape(TrainableNetwork net, int[] given, String model) {
        if (net.model() instanceof ComputationGraph graph) {
            Integer channels = graph.getConfiguration().getVertices().values().stream()
                    .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex)
                    .map(v -> ((org.deeplearning4j.nn.conf.graph.LayerVertex) v).getLayerConf().getLayer())
                    .filter(l -> l instanceof ConvolutionLayer).map(l -> (int) ((ConvolutionLayer) l).getNIn())
                    .findFirst().orElse(null);
            if (given == null || channels == null) {
                throw new IllegalArgumentException(model + " is a ComputationGraph: give its input size (--image-size "
                        + "HxW, or images: {size: HxW}); its channels are read from its first convolution");
            }
            return new int[] {channels, given[0], given[1], 0};
        }
        MultiLayerConfiguration conf = ((MultiLayerNetwork) net.model()).getLayerWiseConfigurations();
        InputPreProcessor first = conf.getInputPreProcess(0);
        Layer layer0 = conf.getConf(0).getLayer();
        if (first instanceof FeedForwardToCnnPreProcessor p) {
            return new int[] {(int) p.getNumChannels(), given != null ? given[0] : (int) p.getInputHeight(),
                    given != null ? given[1] : (int) p.getInputWidth(), 1};
        }
        if (layer0 instanceof ConvolutionLayer conv) {
            int channels = (int) conv.getNIn();
            int[] hw = given != null ? given : smallestSquare(conf, channels, model);
            return new int[] {channels, hw[0], hw[1], 0};
        }
        if (layer0 instanceof FeedForwardLayer dense) {
            long values = dense.getNIn();
            for (int channels : new int[] {1, 3}) {
                long pixels = values / channels;
                long side = Math.round(Math.sqrt(pixels));
                boolean fits = given != null ? (long) given[0] * given[1] * channels == values
                        : values % channels == 0 && side * side == pixels;
                if (fits) {
                    return new int[] {channels, given != null ? given[0] : (int) side, given != null ? given[1] : (int) side, 1};
                }
            }
            throw new IllegalArgumentException(model + "'s first layer takes " + values + " values, not 1 or 3 channels"
                    + " of " + (given != null ? given[0] + "x" + given[1] : "a square image") + "; give --image-size HxW");
        }
        throw new IllegalArgumentException(model + " starts with a " + layer0.getClass().getSimpleName()
                + "; image folders feed networks starting with a convolution or a dense layer");
    }

    /** The smallest side s for which an s x s input gives every layer the {@code nIn} it was built with. */
    private static int[] smallestSquare(MultiLayerConfiguration conf, int channels, String model) {
        for (int side = 1; side <= MAX_SIDE; side++) {
            if (fits(conf, InputType.convolutional(side, side, channels))) {
                return new int[] {side, side};
            }
        }
        throw new IllegalArgumentException("cannot tell the image size " + model + " takes (no square side up to "
                + MAX_SIDE + " gives its layers their inputs); give it: --image-size HxW, or images: {size: HxW}");
    }

    private static boolean fits(MultiLayerConfiguration conf, InputType input) {
        InputType in = input;
        try {
            for (int i = 0; i < conf.getConfs().size(); i++) {
                InputPreProcessor pre = conf.getInputPreProcess(i);
                if (pre != null) {
                    in = pre.getOutputType(in);
                }
                Layer layer = conf.getConf(i).getLayer();
                if (layer instanceof FeedForwardLayer ff && ff.getNIn() > 0) {
                    long expected = in instanceof InputType.InputTypeConvolutional c ? c.getChannels()
                            : in.arrayElementsPerExample();
                    if (ff.getNIn() != expected) {
                        return false;
                    }
                }
                in = layer.getOutputType(i, in);
            }
            return true;
        } catch (RuntimeException tooSmall) {
            return false; // a kernel larger than its input: DL4J refuses the size
        }
    }
}
