package io.admmnn.dl4j.speed;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The data-movement parts of a convolution and pooling layer's training step, as Java loops over float arrays (the
 * GEMMs between them go to OpenBLAS on native copies): im2col and its adjoint, max and average pooling and their
 * backward passes, per-row bias and sums, and the reordering between the lean step's channel-major activations and
 * DL4J's example-major ones. Java arrays rather than the native buffers themselves: the JIT turns array loops into
 * vector code and copies runs with one instruction, where a direct buffer's accesses cost several times as much.
 *
 * <p>Activations are sets of {@code planes} (one per example and channel) of {@code height x width} values each,
 * addressed through two strides: an example's planes start {@code exampleStride} apart and a channel's
 * {@code channelStride} apart. DL4J's NCHW input has strides {@code (C*H*W, H*W)}; the lean step's channel-major
 * [C, B, H, W] has {@code (H*W, B*H*W)}, which is what a convolution GEMM produces and consumes without reordering.
 */
final class ConvKernels {

    /** The most values a max-pooling window may hold: the argmax is kept as a byte. */
    static final int MAX_POOL_WINDOW = 127;

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

        /** Whether this is the 2x2 stride-2 window of LeNet-5's pooling, which has a loop of its own. */
        boolean isTwoByTwo() {
            return kh == 2 && kw == 2 && sh == 2 && sw == 2;
        }
    }

    /**
     * {@code cols[(c*kh + ky)*kw + kx][(b*outH + oy)*outW + ox] = src[b][c][oy*sh + ky][ox*sw + kx]}: the im2col
     * matrix, row-major {@code [channels*kh*kw, batch*outH*outW]}, so that the convolution is
     * {@code W[outC, channels*kh*kw] x cols} and lands channel-major.
     */
    static void im2col(float[] src, int exampleStride, int channelStride, int channels, int width, int batch,
                       Window g, float[] cols) {
        int d = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++) {
                    for (int b = 0; b < batch; b++) {
                        int plane = b * exampleStride + c * channelStride + ky * width + kx;
                        for (int oy = 0; oy < g.outH; oy++) {
                            int s = plane + oy * g.sh * width;
                            if (g.sw == 1) {
                                System.arraycopy(src, s, cols, d, g.outW);
                                d += g.outW;
                            } else {
                                for (int ox = 0; ox < g.outW; ox++) {
                                    cols[d++] = src[s + ox * g.sw];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: {@code dst} is zeroed, then each column entry is added where it came from. */
    static void col2im(float[] cols, int exampleStride, int channelStride, int channels, int width, int batch,
                       Window g, float[] dst) {
        Arrays.fill(dst, 0f);
        int d = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++) {
                    for (int b = 0; b < batch; b++) {
                        int plane = b * exampleStride + c * channelStride + ky * width + kx;
                        for (int oy = 0; oy < g.outH; oy++) {
                            int s = plane + oy * g.sh * width;
                            if (g.sw == 1) {
                                for (int ox = 0; ox < g.outW; ox++) {
                                    dst[s + ox] += cols[d + ox];
                                }
                                d += g.outW;
                            } else {
                                for (int ox = 0; ox < g.outW; ox++) {
                                    dst[s + ox * g.sw] += cols[d++];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code z[r][j] += b[r]}, then ReLU if {@code relu}, for a row-major {@code [rows, cols]} {@code z}. */
    static void addRowBias(float[] z, int rows, int cols, FloatBuffer b, int biasAt, boolean relu) {
        for (int r = 0; r < rows; r++) {
            float bias = b.get(biasAt + r);
            int start = r * cols;
            int end = start + cols;
            if (relu) {
                for (int k = start; k < end; k++) {
                    z[k] = Math.max(z[k] + bias, 0f);
                }
            } else {
                for (int k = start; k < end; k++) {
                    z[k] += bias;
                }
            }
        }
    }

    /**
     * {@code g[at + r] = scale * sum_j d[r][j]} for a row-major {@code [rows, cols]} {@code d}; four running sums
     * per row, because one is bound by the latency of a float add.
     */
    static void rowSums(float[] d, int rows, int cols, float scale, FloatBuffer g, int at) {
        for (int r = 0; r < rows; r++) {
            int k = r * cols;
            int end = k + cols;
            float s0 = 0f;
            float s1 = 0f;
            float s2 = 0f;
            float s3 = 0f;
            for (; k + 3 < end; k += 4) {
                s0 += d[k];
                s1 += d[k + 1];
                s2 += d[k + 2];
                s3 += d[k + 3];
            }
            for (; k < end; k++) {
                s0 += d[k];
            }
            g.put(at + r, ((s0 + s1) + (s2 + s3)) * scale);
        }
    }

    /** {@code delta[k] = 0} where the ReLU output {@code a[k]} is not positive: dL/dz from dL/da, in place. */
    static void reluDerivative(float[] delta, float[] a, int n) {
        for (int k = 0; k < n; k++) {
            delta[k] = a[k] > 0f ? delta[k] : 0f;
        }
    }

    /** 1 if {@code a} and {@code m} differ in any bit, 0 if they are the same float: a compare without a branch. */
    private static int differs(float a, float m) {
        int e = Float.floatToRawIntBits(a) ^ Float.floatToRawIntBits(m);
        return (e | -e) >>> 31;
    }

    /**
     * Max pooling of {@code planes} planes of {@code height x width}; {@code argmax} receives, per output value, the
     * position within its window ({@code ky*kw + kx}) of the input it took, the first of equal ones, for
     * {@link #maxPoolBackward}. Where the maximum lies is data-dependent and unpredictable, so the 2x2 stride-2
     * window finds it without branches (a mispredicted branch per window cost more than the rest of the loop).
     */
    static void maxPool(float[] in, int planes, int height, int width, Window g, float[] out, byte[] argmax) {
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int plane = p * height * width;
            for (int oy = 0; oy < g.outH; oy++) {
                int row = plane + oy * g.sh * width;
                if (g.isTwoByTwo()) {
                    for (int ox = 0; ox < g.outW; ox++, o++) {
                        int a = row + 2 * ox;
                        float v0 = in[a];
                        float v1 = in[a + 1];
                        float v2 = in[a + width];
                        float v3 = in[a + width + 1];
                        float m = Math.max(Math.max(v0, v1), Math.max(v2, v3));
                        out[o] = m;
                        // 0 if v0 is the maximum, else 1 if v1 is, else 2 if v2 is, else 3
                        argmax[o] = (byte) (differs(v0, m) * (1 + differs(v1, m) * (1 + differs(v2, m))));
                    }
                    continue;
                }
                for (int ox = 0; ox < g.outW; ox++, o++) {
                    int top = row + ox * g.sw;
                    int best = 0;
                    float max = in[top];
                    for (int ky = 0, k = 0; ky < g.kh; ky++) {
                        for (int kx = 0; kx < g.kw; kx++, k++) {
                            float v = in[top + ky * width + kx];
                            if (v > max) {
                                max = v;
                                best = k;
                            }
                        }
                    }
                    out[o] = max;
                    argmax[o] = (byte) best;
                }
            }
        }
    }

    /** {@code dIn} (the size of the pooling input) is zeroed, then each {@code dOut} value goes to its argmax. */
    static void maxPoolBackward(float[] dOut, int planes, int height, int width, Window g, byte[] argmax,
                                float[] dIn) {
        Arrays.fill(dIn, 0f);
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int plane = p * height * width;
            for (int oy = 0; oy < g.outH; oy++) {
                int row = plane + oy * g.sh * width;
                for (int ox = 0; ox < g.outW; ox++, o++) {
                    int k = argmax[o];
                    dIn[row + ox * g.sw + (k / g.kw) * width + k % g.kw] += dOut[o];
                }
            }
        }
    }

    /** Average pooling: each output is the mean of its {@code kh x kw} window. */
    static void avgPool(float[] in, int planes, int height, int width, Window g, float[] out) {
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
                            sum += in[top + ky * width + kx];
                        }
                    }
                    out[o] = sum * inv;
                }
            }
        }
    }

    /** The adjoint of {@link #avgPool}: {@code dIn} is zeroed, then each window receives its output's share. */
    static void avgPoolBackward(float[] dOut, int planes, int height, int width, Window g, float[] dIn) {
        Arrays.fill(dIn, 0f);
        float inv = 1f / (g.kh * g.kw);
        int o = 0;
        for (int p = 0; p < planes; p++) {
            int plane = p * height * width;
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o++) {
                    int top = plane + oy * g.sh * width + ox * g.sw;
                    float share = dOut[o] * inv;
                    for (int ky = 0; ky < g.kh; ky++) {
                        for (int kx = 0; kx < g.kw; kx++) {
                            dIn[top + ky * width + kx] += share;
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
    static void toRows(float[] src, int exampleStride, int channelStride, int channels, int planeSize, int batch,
                       float[] rows) {
        for (int b = 0, k = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++, k += planeSize) {
                System.arraycopy(src, b * exampleStride + c * channelStride, rows, k, planeSize);
            }
        }
    }

    /** The inverse of {@link #toRows}: flattened rows back to activations with the given strides. */
    static void fromRows(float[] rows, int exampleStride, int channelStride, int channels, int planeSize, int batch,
                         float[] dst) {
        for (int b = 0, k = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++, k += planeSize) {
                System.arraycopy(rows, k, dst, b * exampleStride + c * channelStride, planeSize);
            }
        }
    }
}
