package io.admmnn.runtime.kernel;

/** The kinds of layers with weights the runtime runs, each with a dense and a sparse kernel. */
public enum LayerKind {
    /** A fully connected (dense or output) layer: {@code y = x W + b}. */
    FULLY_CONNECTED,
    /** A 2-D convolution: {@code y[oc] = b[oc] + sum_ic W[oc, ic] * x[ic]}. */
    CONVOLUTION
}
