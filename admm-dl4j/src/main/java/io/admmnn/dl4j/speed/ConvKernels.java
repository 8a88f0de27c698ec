package io.admmnn.dl4j.speed;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The data-movement parts of a convolution and pooling layer's training step, as Java loops over float arrays (the
 * GEMMs between them go to OpenBLAS on native copies): im2col and its adjoint, max and average pooling and their
 * backward passes, per-row bias and sums, and the reordering between DL4J's NCHW examples and the lean step's
 * layout. Java arrays rather than the native buffers themselves: the JIT turns array loops into vector code and
 * copies runs with one instruction, where a direct buffer's accesses cost several times as much.
 *
 * <p>Activations are kept as {@code [C, H, W, B]}, the batch innermost: what a convolution GEMM
 * ({@code W[outC, C*kh*kw] x cols[C*kh*kw, oh*ow*B]}) produces and consumes without reordering, and a layout in
 * which every im2col row, col2im row and pooling window is a run of {@code B} (or {@code ow*B}) contiguous values,
 * so that the loops over them are long and vectorized rather than a few values at a time.
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
    }

    /** {@code out[i][b] = in[b][i]}: {@code batch} NCHW examples of {@code size} values each to {@code [C, H, W, B]}. */
    static void toBatchInnermost(float[] in, int batch, int size, float[] out) {
        for (int b = 0; b < batch; b++) {
            int from = b * size;
            for (int i = 0; i < size; i++) {
                out[i * batch + b] = in[from + i];
            }
        }
    }

    /** {@code rows[b][i] = a[i][b]}: {@code [C, H, W, B]} activations to DL4J's flattened NCHW rows. */
    static void toRows(float[] a, int batch, int size, float[] rows) {
        for (int i = 0; i < size; i++) {
            int from = i * batch;
            for (int b = 0; b < batch; b++) {
                rows[b * size + i] = a[from + b];
            }
        }
    }

    /** The inverse of {@link #toRows}. */
    static void fromRows(float[] rows, int batch, int size, float[] a) {
        for (int b = 0; b < batch; b++) {
            int from = b * size;
            for (int i = 0; i < size; i++) {
                a[i * batch + b] = rows[from + i];
            }
        }
    }

    /**
     * {@code cols[(c*kh + ky)*kw + kx][(oy*outW + ox)*B + b] = src[c][oy*sh + ky][ox*sw + kx][b]}: the im2col
     * matrix, row-major {@code [channels*kh*kw, outH*outW*B]}, of a {@code [channels, height, width, B]} input.
     */
    static void im2col(float[] src, int channels, int height, int width, int batch, Window g, float[] cols) {
        int d = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++) {
                    for (int oy = 0; oy < g.outH; oy++) {
                        int s = ((c * height + oy * g.sh + ky) * width + kx) * batch;
                        if (g.sw == 1) { // the whole output row is one run
                            System.arraycopy(src, s, cols, d, g.outW * batch);
                            d += g.outW * batch;
                        } else {
                            for (int ox = 0; ox < g.outW; ox++, d += batch) {
                                System.arraycopy(src, s + ox * g.sw * batch, cols, d, batch);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #im2col}: {@code dst} is zeroed, then each column entry is added where it came from. */
    static void col2im(float[] cols, int channels, int height, int width, int batch, Window g, float[] dst) {
        Arrays.fill(dst, 0, channels * height * width * batch, 0f);
        int d = 0;
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < g.kh; ky++) {
                for (int kx = 0; kx < g.kw; kx++) {
                    for (int oy = 0; oy < g.outH; oy++) {
                        int s = ((c * height + oy * g.sh + ky) * width + kx) * batch;
                        if (g.sw == 1) {
                            addRun(cols, d, dst, s, g.outW * batch);
                            d += g.outW * batch;
                        } else {
                            for (int ox = 0; ox < g.outW; ox++, d += batch) {
                                addRun(cols, d, dst, s + ox * g.sw * batch, batch);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void addRun(float[] from, int f, float[] to, int t, int n) {
        for (int i = 0; i < n; i++) {
            to[t + i] += from[f + i];
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

    /** Where window value {@code k} ({@code ky*kw + kx}) lies relative to its window's first, in a {@code [.., W, B]} array. */
    private static int[] windowOffsets(Window g, int width, int batch) {
        int[] offsets = new int[g.kh * g.kw];
        for (int ky = 0, k = 0; ky < g.kh; ky++) {
            for (int kx = 0; kx < g.kw; kx++, k++) {
                offsets[k] = (ky * width + kx) * batch;
            }
        }
        return offsets;
    }

    /**
     * Max pooling of a {@code [channels, height, width, B]} input; {@code argmax} receives, per output value, the
     * position in its window ({@code ky*kw + kx}) of the input it took, the first of equal ones, for
     * {@link #maxPoolBackward}. The maximum is taken run by run (vectorized); where it lies is found without
     * branches, since it is data-dependent and a mispredicted branch per window cost more than the rest.
     */
    static void maxPool(float[] in, int channels, int height, int width, int batch, Window g, float[] out,
                        byte[] argmax) {
        int[] offsets = windowOffsets(g, width, batch);
        int window = offsets.length;
        int o = 0;
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o += batch) {
                    int top = ((c * height + oy * g.sh) * width + ox * g.sw) * batch;
                    if (window == 4) { // 2x2 (LeNet-5), one pass: argmax 0 if the first value is the maximum, else 1 if ...
                        int s1 = top + offsets[1];
                        int s2 = top + offsets[2];
                        int s3 = top + offsets[3];
                        for (int b = 0; b < batch; b++) {
                            float v0 = in[top + b];
                            float v1 = in[s1 + b];
                            float v2 = in[s2 + b];
                            float m = Math.max(Math.max(v0, v1), Math.max(v2, in[s3 + b]));
                            out[o + b] = m;
                            argmax[o + b] = (byte) (differs(v0, m) * (1 + differs(v1, m) * (1 + differs(v2, m))));
                        }
                        continue;
                    }
                    System.arraycopy(in, top, out, o, batch);
                    for (int k = 1; k < window; k++) {
                        int s = top + offsets[k];
                        for (int b = 0; b < batch; b++) {
                            out[o + b] = Math.max(out[o + b], in[s + b]);
                        }
                    }
                    // the first k whose value is the maximum: from the last window value to the first, keep k where equal
                    for (int b = 0; b < batch; b++) {
                        float m = out[o + b];
                        int best = window - 1;
                        for (int k = window - 2; k >= 0; k--) {
                            best += (k - best) * (1 - differs(in[top + offsets[k] + b], m));
                        }
                        argmax[o + b] = (byte) best;
                    }
                }
            }
        }
    }

    /** {@code dIn} (the size of the pooling input) is zeroed, then each {@code dOut} value goes to its argmax. */
    static void maxPoolBackward(float[] dOut, int channels, int height, int width, int batch, Window g,
                                byte[] argmax, float[] dIn) {
        Arrays.fill(dIn, 0, channels * height * width * batch, 0f);
        int[] offsets = windowOffsets(g, width, batch);
        int o = 0;
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o += batch) {
                    int top = ((c * height + oy * g.sh) * width + ox * g.sw) * batch;
                    for (int b = 0; b < batch; b++) {
                        dIn[top + offsets[argmax[o + b]] + b] += dOut[o + b];
                    }
                }
            }
        }
    }

    /** Average pooling: each output is the mean of its {@code kh x kw} window. */
    static void avgPool(float[] in, int channels, int height, int width, int batch, Window g, float[] out) {
        int[] offsets = windowOffsets(g, width, batch);
        float inv = 1f / offsets.length;
        int o = 0;
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o += batch) {
                    int top = ((c * height + oy * g.sh) * width + ox * g.sw) * batch;
                    Arrays.fill(out, o, o + batch, 0f);
                    for (int offset : offsets) {
                        addRun(in, top + offset, out, o, batch);
                    }
                    for (int b = 0; b < batch; b++) {
                        out[o + b] *= inv;
                    }
                }
            }
        }
    }

    /** The adjoint of {@link #avgPool}: {@code dIn} is zeroed, then each window receives its output's share. */
    static void avgPoolBackward(float[] dOut, int channels, int height, int width, int batch, Window g,
                                float[] dIn) {
        Arrays.fill(dIn, 0, channels * height * width * batch, 0f);
        int[] offsets = windowOffsets(g, width, batch);
        float inv = 1f / offsets.length;
        float[] share = new float[batch];
        int o = 0;
        for (int c = 0; c < channels; c++) {
            for (int oy = 0; oy < g.outH; oy++) {
                for (int ox = 0; ox < g.outW; ox++, o += batch) {
                    int top = ((c * height + oy * g.sh) * width + ox * g.sw) * batch;
                    for (int b = 0; b < batch; b++) {
                        share[b] = dOut[o + b] * inv;
                    }
                    for (int offset : offsets) {
                        addRun(share, 0, dIn, top + offset, batch);
                    }
                }
            }
        }
    }
}
