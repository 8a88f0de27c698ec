package io.admmnn.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.runtime.layer.Window;
import java.io.IOException;
import java.util.Random;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.assertj.core.data.Offset;

/**
 * The convolution kernels (dense and sparse; stride 1 takes the wide-row direct path, other strides the row-by-row
 * one) and pooling (the separable pass for windows inside the input, the general loop otherwise) against brute
 * force over the definitions, on random geometries: kernel, stride, padding (Truncate and Same), dilation, batch 1
 * and more, widths on both sides of a vector, weights at random kept fractions. The input arrays are exactly as
 * long as the batch, so a vector that reads past the end would fail.
 */
class ConvolutionAndPoolingKernelsTest {

    /** The geometry of a random window, or null (the property is skipped) when it leaves no output. */
    private static ConvGeometry geometry(int channels, int h, int w, int kH, int kW, int sH, int sW, int pad,
                                         int dilation, boolean same) {
        Window window = new Window(kH, kW, sH, sW, pad, pad + 1 >> 1, dilation, dilation, same);
        try {
            return window.over("test", channels, h, w);
        } catch (IllegalArgumentException empty) {
            return null;
        }
    }

    private static float[] random(int n, Random random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        return x;
    }

    @Property(tries = 400)
    void convolutionKernelsMatchBruteForce(@ForAll @IntRange(min = 1, max = 3) int channels,
                                           @ForAll @IntRange(min = 1, max = 4) int nOut,
                                           @ForAll @IntRange(min = 1, max = 13) int h,
                                           @ForAll @IntRange(min = 1, max = 37) int w,
                                           @ForAll @IntRange(min = 1, max = 5) int kH,
                                           @ForAll @IntRange(min = 1, max = 5) int kW,
                                           @ForAll @IntRange(min = 1, max = 3) int sH,
                                           @ForAll @IntRange(min = 1, max = 3) int sW,
                                           @ForAll @IntRange(min = 0, max = 2) int pad,
                                           @ForAll @IntRange(min = 1, max = 2) int dilation,
                                           @ForAll boolean same,
                                           @ForAll @IntRange(min = 1, max = 3) int batch,
                                           @ForAll @IntRange(min = 0, max = 100) int keptPercent,
                                           @ForAll long seed) throws IOException {
        ConvGeometry g = geometry(channels, h, w, kH, kW, sH, sW, pad, dilation, same);
        Assume.that(g != null);
        Random random = new Random(seed);
        int k = channels * kH * kW;
        float[] weights = new float[nOut * k];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = random.nextInt(100) < keptPercent ? (float) random.nextGaussian() : 0f;
        }
        float[] bias = random.nextBoolean() ? random(nOut, random) : null;
        float[] x = random(batch * g.inputSize(), random);
        int outSize = nOut * g.outputPlane();

        double[] expected = new double[batch * outSize];
        for (int b = 0; b < batch; b++) {
            for (int oc = 0; oc < nOut; oc++) {
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        double sum = bias != null ? bias[oc] : 0;
                        for (int ic = 0; ic < channels; ic++) {
                            for (int kh = 0; kh < kH; kh++) {
                                for (int kw = 0; kw < kW; kw++) {
                                    int ih = oh * sH + kh * dilation - g.padTop();
                                    int iw = ow * sW + kw * dilation - g.padLeft();
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                        sum += (double) weights[oc * k + (ic * kH + kh) * kW + kw]
                                                * x[b * g.inputSize() + (ic * h + ih) * w + iw];
                                    }
                                }
                            }
                        }
                        expected[b * outSize + (oc * g.outHeight() + oh) * g.outWidth() + ow] = sum;
                    }
                }
            }
        }

        SparseRows rows = SparseRows.build(nOut, k, sink -> {
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] != 0f) {
                    sink.accept(i / k, i % k, weights[i]);
                }
            }
        });
        for (ConvolutionKernel kernel : new ConvolutionKernel[]{ConvolutionKernel.dense(nOut, channels, kH, kW,
                weights), ConvolutionKernel.sparse(rows, kH, kW)}) {
            // Twice, as the runtime runs a layer: the second call reuses what the first one set up.
            for (int run = 0; run < 2; run++) {
                float[] y = new float[batch * outSize];
                kernel.forward(x, batch, bias, y, g);
                assertClose(y, expected, kernel.kind() + " " + g + " batch " + batch);
            }
        }
    }

    @Property(tries = 400)
    void poolingMatchesBruteForce(@ForAll @IntRange(min = 1, max = 3) int channels,
                                  @ForAll @IntRange(min = 1, max = 13) int h,
                                  @ForAll @IntRange(min = 1, max = 37) int w,
                                  @ForAll @IntRange(min = 1, max = 4) int kH,
                                  @ForAll @IntRange(min = 1, max = 4) int kW,
                                  @ForAll @IntRange(min = 1, max = 3) int sH,
                                  @ForAll @IntRange(min = 1, max = 3) int sW,
                                  @ForAll @IntRange(min = 0, max = 1) int pad,
                                  @ForAll @IntRange(min = 1, max = 2) int dilation,
                                  @ForAll boolean same,
                                  @ForAll boolean max,
                                  @ForAll boolean includePadding,
                                  @ForAll @IntRange(min = 1, max = 3) int batch,
                                  @ForAll long seed) {
        ConvGeometry g = geometry(channels, h, w, kH, kW, sH, sW, pad, dilation, same);
        Assume.that(g != null);
        Random random = new Random(seed);
        int planes = batch * channels;
        float[] x = random(planes * h * w, random);
        double[] expected = new double[planes * g.outputPlane()];
        for (int p = 0; p < planes; p++) {
            for (int oh = 0; oh < g.outHeight(); oh++) {
                for (int ow = 0; ow < g.outWidth(); ow++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int inside = 0;
                    for (int kh = 0; kh < kH; kh++) {
                        for (int kw = 0; kw < kW; kw++) {
                            int ih = oh * sH + kh * dilation - g.padTop();
                            int iw = ow * sW + kw * dilation - g.padLeft();
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                double v = x[(p * h + ih) * w + iw];
                                acc = max ? Math.max(acc, v) : acc + v;
                                inside++;
                            }
                        }
                    }
                    expected[(p * g.outHeight() + oh) * g.outWidth() + ow] = max ? acc
                            : acc / (includePadding ? kH * kW : Math.max(1, inside));
                }
            }
        }
        float[] y = new float[expected.length];
        Pool.forward(max, includePadding, x, planes, g, y);
        assertClose(y, expected, (max ? "max " : "average ") + g + " batch " + batch);
    }

    private static void assertClose(float[] actual, double[] expected, String what) {
        double largest = 0;
        for (double e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s: element %d", what, i)
                    .isCloseTo(expected[i], Offset.offset(1e-5 * (Math.abs(expected[i]) + largest) + 1e-7));
        }
    }
}
