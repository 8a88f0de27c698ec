package io.admmnn.hardware.layer;

/**
 * The shape of a layer with weights, as far as cost goes: how many weights it has and how many
 * multiply-accumulates (MACs) one input image costs when it runs dense.
 */
public sealed interface LayerShape permits ConvLayer, FcLayer {

    String name();

    /** Number of weights (biases excluded). */
    long weights();

    /** Dense multiply-accumulates per input image. */
    long macs();

    /** MACs per weight: how often each weight is used per image (the output positions of a convolution, 1 for FC). */
    default long reuse() {
        return macs() / weights();
    }

    boolean isConvolution();
}
