package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.ConvGeometry;
import io.admmnn.runtime.kernel.Pool;

/**
 * 2-D pooling ({@code SubsamplingLayer}, NCHW) per channel: max, or average over the window's positions inside the
 * input ({@code includePadding}: over all {@code kH * kW} positions), computed by {@link Pool}.
 */
public final class Pooling implements Layer {

    private final String name;
    private final boolean max;
    private final Window window;
    private final boolean includePadding;

    /**
     * @param max            max pooling (else average)
     * @param includePadding for average pooling, whether padded positions count in the divisor
     */
    public Pooling(String name, boolean max, Window window, boolean includePadding) {
        this.name = name;
        this.max = max;
        this.window = window;
        this.includePadding = includePadding;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "SubsamplingLayer";
    }

    @Override
    public Shape outputShape(Shape input) {
        ConvGeometry g = window.over(name, input.channels(), input.height(), input.width());
        return new Shape(input.channels(), g.outHeight(), g.outWidth());
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input, float[] reuse) {
        ConvGeometry g = window.over(name, input.channels(), input.height(), input.width());
        int planes = batch * input.channels();
        float[] y = Layer.output(reuse, planes * g.outputPlane());
        Pool.forward(max, includePadding, x, planes, g, y);
        return y;
    }
}
