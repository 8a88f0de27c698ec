package io.admmnn.runtime.layer;

import io.admmnn.runtime.kernel.ConvGeometry;

/**
 * 2-D pooling ({@code SubsamplingLayer}, NCHW) per channel: max, or average over the window's positions inside the
 * input ({@code includePadding}: over all {@code kH * kW} positions).
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
    public float[] forward(float[] x, int batch, Shape input) {
        ConvGeometry g = window.over(name, input.channels(), input.height(), input.width());
        int h = g.inHeight();
        int w = g.inWidth();
        int planes = batch * input.channels();
        float[] y = new float[planes * g.outputPlane()];
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int in = p * h * w;
            for (int oh = 0; oh < g.outHeight(); oh++) {
                for (int ow = 0; ow < g.outWidth(); ow++, o++) {
                    float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                    int count = 0;
                    for (int kh = 0; kh < g.kernelH(); kh++) {
                        int ih = oh * g.strideH() + kh * g.dilationH() - g.padTop();
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        for (int kw = 0; kw < g.kernelW(); kw++) {
                            int iw = ow * g.strideW() + kw * g.dilationW() - g.padLeft();
                            if (iw < 0 || iw >= w) {
                                continue;
                            }
                            float v = x[in + ih * w + iw];
                            acc = max ? Math.max(acc, v) : acc + v;
                            count++;
                        }
                    }
                    y[o] = max ? acc : acc / (includePadding ? g.kernelH() * g.kernelW() : Math.max(1, count));
                }
            }
        }
        return y;
    }
}
