package io.admmnn.runtime.kernel;

/**
 * 2-D max or average pooling of NCHW planes:
 * {@code y[p, oh, ow] = max (or mean) over kh, kw of x[p, oh*sH + kh*dH - padTop, ow*sW + kw*dW - padLeft]}, the
 * mean over the positions inside the input (or over all {@code kH * kW} when padding counts).
 *
 * <p>Windows that never leave the input (no padding, the usual case) are reduced in two passes: the window's
 * input rows into one row, vectorised over its columns, then each output's columns, scalar. Other geometries take
 * a plain loop over every window position.
 */
public final class Pool {

    private Pool() {
    }

    /**
     * Pools {@code planes} planes of {@code x} (each {@code g.inHeight() x g.inWidth()}) into {@code y} (each
     * {@code g.outHeight() x g.outWidth()}).
     *
     * @param max            max pooling (else average)
     * @param includePadding for average pooling, whether padded positions count in the divisor
     */
    public static void forward(boolean max, boolean includePadding, float[] x, int planes, ConvGeometry g,
                               float[] y) {
        boolean inside = g.padTop() == 0 && g.padLeft() == 0
                && (g.outHeight() - 1) * g.strideH() + (g.kernelH() - 1) * g.dilationH() < g.inHeight()
                && (g.outWidth() - 1) * g.strideW() + (g.kernelW() - 1) * g.dilationW() < g.inWidth();
        if (inside) {
            separable(max, x, planes, g, y);
        } else {
            general(max, includePadding, x, planes, g, y);
        }
    }

    /** Output rows reduced vertically before their windows are reduced (a few KiB of floats: stays in L1). */
    private static final int BLOCK_FLOATS = 4096;

    /**
     * The window's input rows of a block of output rows are first reduced into {@code rows} (vectorised, one input
     * row's width each), then each output's {@code kW} columns from there (scalar). Reading {@code rows} back only
     * after the whole block is written keeps the scalar loads from waiting on the vector stores.
     */
    private static void separable(boolean max, float[] x, int planes, ConvGeometry g, float[] y) {
        int h = g.inHeight();
        int w = g.inWidth();
        int kH = g.kernelH();
        int kW = g.kernelW();
        int rowStep = g.dilationH() * w;
        int sW = g.strideW();
        int dW = g.dilationW();
        int outH = g.outHeight();
        int outW = g.outWidth();
        float count = kH * kW;
        int reach = (kH - 1) * rowStep + Vectors.roundUp(w);
        int block = Math.max(1, BLOCK_FLOATS / w);
        // Whole vectors: the last one of a row spills into the next row of rows (written after it) or the slack.
        float[] rows = new float[block * w + Vectors.roundUp(w)];
        // An input row whose last vector would read past the end of x is reduced from a copy long enough.
        float[] end = new float[reach];
        int total = planes * outH;
        for (int r0 = 0; r0 < total; r0 += block) {
            int n = Math.min(block, total - r0);
            for (int r = 0; r < n; r++) {
                int p = (r0 + r) / outH;
                int first = (p * h + (r0 + r - p * outH) * g.strideH()) * w;
                float[] src = x;
                if (first + reach > x.length) {
                    System.arraycopy(x, first, end, 0, (kH - 1) * rowStep + w);
                    src = end;
                    first = 0;
                }
                if (kH == 1) {
                    System.arraycopy(src, first, rows, r * w, w);
                    continue;
                }
                Vectors.maxOrAdd(max, src, first, src, first + rowStep, rows, r * w, w);
                for (int kh = 2; kh < kH; kh++) {
                    Vectors.maxOrAdd(max, rows, r * w, src, first + kh * rowStep, rows, r * w, w);
                }
            }
            if (max) {
                maxColumns(rows, n, w, outW, sW, kW, dW, y, r0 * outW);
            } else {
                meanColumns(rows, n, w, outW, sW, kW, dW, count, y, r0 * outW);
            }
        }
    }

    /** {@code y[o ..]}: each of {@code n} rows' {@code outW} windows of {@code kW} columns, their maximum. */
    private static void maxColumns(float[] rows, int n, int w, int outW, int sW, int kW, int dW, float[] y, int o) {
        for (int r = 0; r < n; r++) {
            int j = r * w;
            if (kW == 2) {
                for (int ow = 0; ow < outW; ow++, o++, j += sW) {
                    y[o] = Math.max(rows[j], rows[j + dW]);
                }
                continue;
            }
            for (int ow = 0; ow < outW; ow++, o++, j += sW) {
                float acc = rows[j];
                for (int kw = 1; kw < kW; kw++) {
                    acc = Math.max(acc, rows[j + kw * dW]);
                }
                y[o] = acc;
            }
        }
    }

    /** As {@link #maxColumns}, the sum over {@code count}. */
    private static void meanColumns(float[] rows, int n, int w, int outW, int sW, int kW, int dW, float count,
                                    float[] y, int o) {
        for (int r = 0; r < n; r++) {
            int j = r * w;
            for (int ow = 0; ow < outW; ow++, o++, j += sW) {
                float acc = rows[j];
                for (int kw = 1; kw < kW; kw++) {
                    acc += rows[j + kw * dW];
                }
                y[o] = acc / count;
            }
        }
    }

    private static void general(boolean max, boolean includePadding, float[] x, int planes, ConvGeometry g,
                                float[] y) {
        int h = g.inHeight();
        int w = g.inWidth();
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
    }
}
