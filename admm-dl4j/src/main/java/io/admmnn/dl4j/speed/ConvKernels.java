package io.admmnn.dl4j.speed;

import java.nio.FloatBuffer;

/**
 * The data-movement parts of a convolution and pooling layer's training step, as Java loops over float buffers in
 * native memory (the GEMMs between them go to OpenBLAS): im2col and its adjoint, max and average pooling and their
 * backward passes, per-row bias and sums, and the reordering between the lean step's channel-major activations and
 * DL4J's example-major ones.
 *
 * <p>Activations are sets of {@code planes} (one per example and channel) of {@code height x width} values each,
 * addressed through two strides: an example's planes start {@code exampleStride} apart and a channel's
 * {@code channelStride} apart. DL4J's NCHW input has strides {@code (C*H*W, H*W)}; the lean step's channel-major
 * [C, B, H, W] has {@code (H*W, B*H*W)}, which is what a convolution GEMM produces and consumes without reordering.
 */
final class ConvKernels {

    private ConvKernels() {
    }

    /**
     * Window geometry of a convolution or pooling layer without padding or dilation: kernel {@code kh x kw}, stride
     * {@code sh x sw}, and the output size it gives, {@code (in - k) / s + 1} (DL4J's Truncate mode).
     */
    record Window(int kh, int kw, int sh, int sw, int outH, int outW) {
        static Window of(int inH, int inW, int kh, int kw, int sh, int sw) {
            return new Window(kh, kw, sh, sw, (inH - kh) / sh + 1, (inW - kw) / sw + 1);
        }
    }

    /**
     * {@code cols[(c*kh + ky)*kw + kx][(b*outH + oy)*outW + ox] = src[b][c][oy*sh + ky][ox*sw + kx]}: the im2col
     * matrix, row-major {@code [channels*kh*kw, batch*outH*outW]}, so that the convolution is
     * {@code W[outC, channels*kh*kw] x cols} and lands channel-major.
     */
    static void im2col(FloatBuffer src, int exampleStride, int channelStride, int channels, int width, int batch,
                       Window g, FloatBuffer cols) {
        int n = batch * g.outH * g.outW;
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++, row++) {
                    int d = row * n;
                    for (int b = 0; b < batch; b++) {
                        int plane = b * exampleStride + c * channelStride + ky * width + kx;
                        for (int oy = 0; oy < g.outH; oy++) {
                            int s = plane + oy * g.sh * width;
                            for (int ox = 0; ox < g.outW; ox++) {
                                cols.put(d++, src.get(s + ox * g.sw));
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: {@code dst} is zeroed, then each column entry is added where it came from. */
    static void col2im(FloatBuffer cols, int exampleStride, int channelStride, int channels, int height, int width,
                       int batch, Window g, FloatBuffer dst) {
        int size = channels * batch * height * width;
        for (int i = 0; i < size; i++) {
            dst.put(i, 0f);
        }
        int n = batch * g.outH * g.outW;
        int row = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++, row++) {
                    int d = row * n;
                    for (int b = 0; b < batch; b++) {
                        int plane = b * exampleStride + c * channelStride + ky * width + kx;
                        for (int oy = 0; oy < g.outH; oy++) {
                            int s = plane + oy * g.sh * width;
                            for (int ox = 0; ox < g.outW; ox++) {
                                int at = s + ox * g.sw;
                                dst.put(at, dst.get(at) + cols.get(d++));
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code z[r][j] += b[r]}, then ReLU if {@code relu}, for a row-major {@code [rows, cols]} {@code z}. */
    static void addRowBias(FloatBuffer z, int rows, int cols, FloatBuffer b, int biasAt, boolean relu) {
        for (int r = 0, k = 0; r < rows; r++) {
            float bias = b.get(biasAt + r);
            for (int j = 0; j < cols; j++, k++) {
                float v = z.get(k) + bias;
                z.put(k, relu && !(v > 0f) ? 0f : v);
            }
        }
    }

    /** {@code g[at + r] = scale * sum_j d[r][j]} for a row-major {@code [rows, cols]} {@code d}. */
    static void rowSums(FloatBuffer d, int rows, int cols, float scale, FloatBuffer g, int at) {
        for (int r = 0, k = 0; r < rows; r++) {
            float sum = 0f;
            for (int j = 0; j < cols; j++, k++) {
                sum += d.get(k);
            }
            g.put(at + r, sum * scale);
        }
    }

    /**
     * Max pooling of {@code planes} planes of {@code height x width}; {@code argmax} receives, per output value, the
     * index in {@code in} of the input it took (the first of equal ones), for {@link #maxPoolBackward}.
     */
    static void maxPool(FloatBuffer in, int planes, int height, int width, Window g, FloatBuffer out, int[] argmax) {
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int plane = p * height * width;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o++) {
                    int top = plane + oy * g.sh * width + ox * g.sw;
                    int best = top;
                    float max = in.get(top);
                    for (int ky = 0; ky < g.kh; ky++) {
                        for (int kx = 0; kx < g.kw; kx++) {
                            int at = top + ky * width + kx;
                            float v = in.get(at);
                            if (v > max) {
                                max = v;
                                best = at;
                            }
                        }
                    }
                    out.put(o, max);
                    argmax[o] = best;
                }
            }
        }
    }

    /** {@code dIn} (the size of the pooling input) is zeroed, then each {@code dOut} value goes to its argmax. */
    static void maxPoolBackward(FloatBuffer dOut, int outSize, int[] argmax, FloatBuffer dIn, int inSize) {
        for (int i = 0; i < inSize; i++) {
            dIn.put(i, 0f);
        }
        for (int o = 0; o < outSize; o++) {
            int at = argmax[o];
            dIn.put(at, dIn.get(at) + dOut.get(o));
        }
    }

    /** Average pooling: each output is the mean of its {@code kh x kw} window. */
    static void avgPool(FloatBuffer in, int planes, int height, int width, Window g, FloatBuffer out) {
        float inv = 1f / (g.kh * g.kw);
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int plane = p * height * width;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o++) {
                    int top = plane + oy * g.sh * width + ox * g.sw;
                    float sum = 0f;
                    for (int ky = 0; ky < g.kh; ky++) {
                        for (int kx = 0; kx < g.kw; kx++) {
                            sum += in.get(top + ky * width + kx);
                        }
                    }
                    out.put(o, sum * inv);
                }
            }
        }
    }

    /** The adjoint of {@link #avgPool}: {@code dIn} is zeroed, then each window receives its output's share. */
    static void avgPoolBackward(FloatBuffer dOut, int planes, int height, int width, Window g, FloatBuffer dIn) {
        int size = planes * height * width;
        for (int i = 0; i < size; i++) {
            dIn.put(i, 0f);
        }
        float inv = 1f / (g.kh * g.kw);
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int plane = p * height * width;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o++) {
                    int top = plane + oy * g.sh * width + ox * g.sw;
                    float share = dOut.get(o) * inv;
                    for (int ky = 0; ky < g.kh; ky++) {
                        for (int kx = 0; kx < g.kw; kx++) {
                            int at = top + ky * width + kx;
                            dIn.put(at, dIn.get(at) + share);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code rows[b][c*planeSize + p] = src[b*exampleStride + c*channelStride + p]}: activations to DL4J's flattened
     * NCHW rows {@code [batch, channels*planeSize]} (what {@code CnnToFeedForwardPreProcessor} gives a dense layer).
     */
    static void toRows(FloatBuffer src, int exampleStride, int channelStride, int channels, int planeSize, int batch,
                       FloatBuffer rows) {
        int k = 0;
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int s = b * exampleStride + c * channelStride;
                for (int p = 0; p < planeSize; p++) {
                    rows.put(k++, src.get(s + p));
                }
            }
        }
    }

    /** The inverse of {@link #toRows}: flattened rows back to activations with the given strides. */
    static void fromRows(FloatBuffer rows, int exampleStride, int channelStride, int channels, int planeSize,
                         int batch, FloatBuffer dst) {
        int k = 0;
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                int d = b * exampleStride + c * channelStride;
                for (int p = 0; p < planeSize; p++) {
                    dst.put(d + p, rows.get(k++));
                }
            }
        }
    }
}
