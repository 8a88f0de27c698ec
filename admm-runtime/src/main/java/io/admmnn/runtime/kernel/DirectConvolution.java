package io.admmnn.runtime.kernel;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Direct convolution over a list of filter entries (no im2col; work proportional to the entries): the sparse
 * kernel lists the non-zero weights, the dense kernel every weight (it runs this at stride 1 only). Only
 * {@link Vectors#SPECIES} is used (see {@link Vectors#maxOrAdd} on why).
 *
 * <p>Stride 1 ("wide rows"): the image is copied once into a zero-padded buffer {@code xp[C, Hp, Wp]}
 * ({@code Hp = outH + (kH - 1) dH}, {@code Wp = outW + (kW - 1) dW}: exactly the rows and columns the windows
 * read). An output channel is then
 * computed over the <em>wide</em> plane {@code wide[p]}, {@code p = oh * Wp + ow}, as if the output were {@code Wp}
 * columns wide: {@code wide[p] = bias + sum_k w_k * xp[off_k + p]} with {@code off_k = (ic Hp + kh dH) Wp + kw dW}.
 * Every entry is then one contiguous run of {@code (outH - 1) Wp + outW} floats instead of {@code outH} short rows
 * (LeNet-5's conv2 rows are 8 floats, shorter than one AVX-512 vector), and the sum is kept in vector registers
 * over all the channel's entries before one store. The columns {@code ow >= outW} of the wide plane are computed
 * and dropped when the plane is copied out (LeNet-5: 1.5x the work on conv2, 1.17x on conv1).
 *
 * <p>The offsets depend on the input's size; they are computed at the first call for a geometry and kept.
 *
 * <p>Other strides: for each entry {@code w = W[oc, ic, kh, kw]}, {@code y[oc, oh, ow] += w * x[ic, oh*s + kh*d -
 * pad, ow*s + kw*d - pad]} row by row over the output positions whose input lies inside the image (Park et al.,
 * ICLR 2017, as in SkimCaffe), scalar.
 */
final class DirectConvolution {

    private static final VectorSpecies<Float> S = Vectors.SPECIES;
    private static final int V = S.length();

    private final int outChannels;
    private final int inChannels;
    private final int kernelH;
    private final int kernelW;
    private final int[] rowStart;
    /** Each entry's filter position {@code (ic * kH + kh) * kW + kw} (not copied: the dense kernel has many). */
    private final int[] column;
    private final float[] value;
    private volatile Plan plan;

    /**
     * The offsets and sizes for one geometry.
     *
     * @param g      the geometry
     * @param height padded rows {@code Hp}
     * @param width  padded columns {@code Wp}
     * @param offset per entry, {@code (ic Hp + kh dH) Wp + kw dW}
     * @param length the wide plane's length {@code (outH - 1) Wp + outW}
     * @param rounded {@code length} rounded up to whole vectors
     */
    private record Plan(ConvGeometry g, int height, int width, int[] offset, int length, int rounded) {

        int paddedSize() {
            return g.inChannels() * height * width + rounded - length;
        }
    }

    /**
     * @param rowStart {@code outChannels + 1} offsets into the entries: output channel {@code oc}'s entries are
     *                 {@code [rowStart[oc], rowStart[oc + 1])}
     * @param column   each entry's filter position {@code (ic * kH + kh) * kW + kw}
     * @param value    each entry's weight
     */
    DirectConvolution(int outChannels, int inChannels, int kernelH, int kernelW, int[] rowStart, int[] column,
                      float[] value) {
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.rowStart = rowStart;
        this.value = value;
        this.column = column;
    }

    /** Whether this engine runs geometry {@code g} (stride 1 in both directions). */
    static boolean runs(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1;
    }

    private void check(ConvGeometry g) {
        if (g.inChannels() != inChannels || g.kernelH() != kernelH || g.kernelW() != kernelW) {
            throw new IllegalArgumentException("a " + kernelH + "x" + kernelW + " convolution of " + inChannels
                    + " channels cannot run " + g);
        }
    }

    private Plan plan(ConvGeometry g) {
        Plan p = plan;
        if (p != null && p.g().equals(g)) {
            return p;
        }
        int height = g.outHeight() + (kernelH - 1) * g.dilationH();
        int width = g.outWidth() + (kernelW - 1) * g.dilationW();
        int[] offset = new int[value.length];
        for (int k = 0; k < offset.length; k++) {
            int c = column[k];
            int ic = c / (kernelH * kernelW);
            int kh = c / kernelW % kernelH;
            int kw = c % kernelW;
            offset[k] = (ic * height + kh * g.dilationH()) * width + kw * g.dilationW();
        }
        int length = (g.outHeight() - 1) * width + g.outWidth();
        p = new Plan(g, height, width, offset, length, (length + V - 1) / V * V);
        plan = p;
        return p;
    }

    /** {@code y [batch, outChannels, outH, outW]} from {@code x [batch, C, H, W]}; {@code bias} may be null. */
    void forward(float[] x, int batch, float[] bias, float[] y, ConvGeometry g) {
        check(g);
        if (!runs(g)) {
            for (int b = 0; b < batch; b++) {
                strided(x, b * g.inputSize(), bias, y, b * outChannels * g.outputPlane(), g);
            }
            return;
        }
        Plan p = plan(g);
        // Fresh buffers are zero, and each image overwrites only the inside of xp: the padding stays zero.
        float[] xp = new float[p.paddedSize()];
        float[] wide = new float[p.rounded()];
        int plane = g.outputPlane();
        for (int b = 0; b < batch; b++) {
            pad(x, b * g.inputSize(), g, p, xp);
            int yOff = b * outChannels * plane;
            for (int oc = 0; oc < outChannels; oc++) {
                widePlane(xp, p, rowStart[oc], rowStart[oc + 1], bias != null ? bias[oc] : 0f, wide);
                int out = yOff + oc * plane;
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    System.arraycopy(wide, oh * p.width(), y, out + oh * g.outWidth(), g.outWidth());
                }
            }
        }
    }

    /** Copies one image into the inside of {@code xp} (rows and columns beyond {@code Hp x Wp} are never read). */
    private static void pad(float[] x, int xOff, ConvGeometry g, Plan p, float[] xp) {
        int h = g.inHeight();
        int w = g.inWidth();
        int top = g.padTop();
        int left = g.padLeft();
        if (top == 0 && left == 0 && p.height() == h && p.width() == w) {
            System.arraycopy(x, xOff, xp, 0, g.inputSize());
            return;
        }
        int rows = Math.min(h, p.height() - top);
        int cols = Math.min(w, p.width() - left);
        for (int c = 0; c < g.inChannels(); c++) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(x, xOff + (c * h + r) * w, xp, (c * p.height() + r + top) * p.width() + left, cols);
            }
        }
    }

    /**
     * {@code wide[i] = bias + sum_k value[k] * xp[offset[k] + i]} for {@code i < rounded}: four, two, then one
     * vector of outputs at a time, each held in a register over all the entries (independent sums hide the
     * multiply-add's latency).
     */
    private void widePlane(float[] xp, Plan p, int from, int to, float bias, float[] wide) {
        int[] offset = p.offset();
        int n = p.rounded();
        FloatVector b = FloatVector.broadcast(S, bias);
        int i = 0;
        for (; i + 4 * V <= n; i += 4 * V) {
            FloatVector a0 = b;
            FloatVector a1 = b;
            FloatVector a2 = b;
            FloatVector a3 = b;
            for (int k = from; k < to; k++) {
                FloatVector w = FloatVector.broadcast(S, value[k]);
                int o = offset[k] + i;
                a0 = FloatVector.fromArray(S, xp, o).fma(w, a0);
                a1 = FloatVector.fromArray(S, xp, o + V).fma(w, a1);
                a2 = FloatVector.fromArray(S, xp, o + 2 * V).fma(w, a2);
                a3 = FloatVector.fromArray(S, xp, o + 3 * V).fma(w, a3);
            }
            a0.intoArray(wide, i);
            a1.intoArray(wide, i + V);
            a2.intoArray(wide, i + 2 * V);
            a3.intoArray(wide, i + 3 * V);
        }
        if (i + 2 * V <= n) {
            FloatVector a0 = b;
            FloatVector a1 = b;
            for (int k = from; k < to; k++) {
                FloatVector w = FloatVector.broadcast(S, value[k]);
                int o = offset[k] + i;
                a0 = FloatVector.fromArray(S, xp, o).fma(w, a0);
                a1 = FloatVector.fromArray(S, xp, o + V).fma(w, a1);
            }
            a0.intoArray(wide, i);
            a1.intoArray(wide, i + V);
            i += 2 * V;
        }
        if (i < n) {
            FloatVector a0 = b;
            for (int k = from; k < to; k++) {
                a0 = FloatVector.fromArray(S, xp, offset[k] + i).fma(FloatVector.broadcast(S, value[k]), a0);
            }
            a0.intoArray(wide, i);
        }
    }

    /** One image at any stride, row by row (see the class comment). */
    private void strided(float[] x, int xOff, float[] bias, float[] y, int yOff, ConvGeometry g) {
        int plane = g.outputPlane();
        int h = g.inHeight();
        int wd = g.inWidth();
        int sH = g.strideH();
        int sW = g.strideW();
        for (int oc = 0; oc < outChannels; oc++) {
            int out = yOff + oc * plane;
            Arrays.fill(y, out, out + plane, bias != null ? bias[oc] : 0f);
            for (int k = rowStart[oc]; k < rowStart[oc + 1]; k++) {
                float v = value[k];
                int ic = column[k] / (kernelH * kernelW);
                int kh = column[k] / kernelW % kernelH;
                int kw = column[k] % kernelW;
                int owLo = g.firstColumn(kw);
                int owHi = g.lastColumn(kw);
                int columnShift = kw * g.dilationW() - g.padLeft();
                for (int oh = g.firstRow(kh); oh <= g.lastRow(kh); oh++) {
                    int in = xOff + (ic * h + oh * sH + kh * g.dilationH() - g.padTop()) * wd + columnShift;
                    int o = out + oh * g.outWidth();
                    for (int ow = owLo; ow <= owHi; ow++) {
                        y[o + ow] += v * x[in + ow * sW];
                    }
                }
            }
        }
    }
}
