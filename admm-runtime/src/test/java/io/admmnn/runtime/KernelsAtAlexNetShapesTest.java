package io.admmnn.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.runtime.kernel.ConvGeometry;
import io.admmnn.runtime.kernel.ConvolutionKernel;
import io.admmnn.runtime.kernel.FullyConnectedKernel;
import io.admmnn.runtime.kernel.SparseRows;
import io.admmnn.runtime.layer.Window;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The dense and sparse kernels against a naive reference (double sums over the definition) at AlexNet's layer
 * shapes: the input sizes, windows, strides and paddings of conv1-conv5 (with fewer output channels, to keep the
 * test short) and fc6/fc8's matrix sizes, at batch 1, a few, and past the sparse kernel's 64-row block.
 */
class KernelsAtAlexNetShapesTest {

    /** One non-zero weight: row (output), column (input position), value. */
    private record Entry(int row, int column, float value) {
    }

    private static List<Entry> randomEntries(int rows, int columns, double kept, Random random) {
        List<Entry> entries = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if (random.nextDouble() < kept) {
                    entries.add(new Entry(r, c, (float) random.nextGaussian()));
                }
            }
        }
        return entries;
    }

    private static SparseRows rows(int rows, int columns, List<Entry> entries) throws IOException {
        return SparseRows.build(rows, columns, sink -> entries.forEach(e -> sink.accept(e.row, e.column, e.value)));
    }

    private static float[] randomArray(int n, Random random) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static void assertClose(float[] actual, double[] expected, String what) {
        double max = 0;
        for (double e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        assertThat(actual).as(what).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).as("%s element %d", what, i)
                    .isCloseTo(expected[i], Offset.offset(1e-4 * (Math.abs(expected[i]) + 0.01 * max)));
        }
    }

    @ParameterizedTest(name = "{0}: {1}x{2}x{2}, {4}x{4} stride {5} pad {6}")
    @CsvSource({
        "conv1, 3, 227, 8, 11, 4, 0",
        "conv2, 96, 27, 4, 5, 1, 2",
        "conv3, 256, 13, 4, 3, 1, 1",
        "conv4, 384, 13, 3, 3, 1, 1"})
    void convolution(String layer, int channels, int size, int nOut, int k, int stride, int pad) throws IOException {
        Random random = new Random(layer.hashCode());
        int kk = channels * k * k;
        List<Entry> entries = randomEntries(nOut, kk, 0.1, random);
        float[] dense = new float[nOut * kk];
        entries.forEach(e -> dense[e.row * kk + e.column] = e.value);
        float[] bias = randomArray(nOut, random);
        float[] x = randomArray(channels * size * size, random);
        ConvGeometry g = new Window(k, k, stride, stride, pad, pad, 1, 1, false).over(layer, channels, size, size);

        double[] expected = new double[nOut * g.outputPlane()];
        for (int oc = 0; oc < nOut; oc++) {
            for (int oh = 0; oh < g.outHeight(); oh++) {
                for (int ow = 0; ow < g.outWidth(); ow++) {
                    double sum = bias[oc];
                    for (int ic = 0; ic < channels; ic++) {
                        for (int kh = 0; kh < k; kh++) {
                            for (int kw = 0; kw < k; kw++) {
                                int ih = oh * stride + kh - pad;
                                int iw = ow * stride + kw - pad;
                                if (ih >= 0 && ih < size && iw >= 0 && iw < size) {
                                    sum += dense[oc * kk + (ic * k + kh) * k + kw] * x[(ic * size + ih) * size + iw];
                                }
                            }
                        }
                    }
                    expected[(oc * g.outHeight() + oh) * g.outWidth() + ow] = sum;
                }
            }
        }
        for (ConvolutionKernel kernel : List.of(ConvolutionKernel.dense(nOut, channels, k, k, dense),
                ConvolutionKernel.sparse(rows(nOut, kk, entries), k, k))) {
            float[] y = new float[expected.length];
            kernel.forward(x, 1, bias, y, g);
            assertClose(y, expected, layer + " " + kernel.kind());
        }
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}, kept {3}, dense kernel too: {4}")
    @CsvSource({
        "fc6, 9216, 4096, 0.01, false",
        "fc8, 4096, 1000, 0.09, true"})
    void fullyConnected(String layer, int nIn, int nOut, double kept, boolean dense) throws IOException {
        Random random = new Random(layer.hashCode());
        List<Entry> entries = randomEntries(nOut, nIn, kept, random);
        float[] bias = randomArray(nOut, random);
        List<FullyConnectedKernel> kernels = new ArrayList<>(List.of(FullyConnectedKernel.sparse(rows(nOut, nIn,
                entries))));
        if (dense) {
            float[] w = new float[nIn * nOut];
            entries.forEach(e -> w[e.column * nOut + e.row] = e.value);
            kernels.add(FullyConnectedKernel.dense(nIn, nOut, w));
        }
        for (int batch : new int[]{1, 3, 70}) {
            float[] x = randomArray(batch * nIn, random);
            double[] expected = new double[batch * nOut];
            for (int b = 0; b < batch; b++) {
                for (int o = 0; o < nOut; o++) {
                    expected[b * nOut + o] = bias[o];
                }
                for (Entry e : entries) {
                    expected[b * nOut + e.row] += (double) e.value * x[b * nIn + e.column];
                }
            }
            for (FullyConnectedKernel kernel : kernels) {
                float[] y = new float[batch * nOut];
                kernel.forward(x, batch, bias, y);
                assertClose(y, expected, layer + " " + kernel.kind() + " batch " + batch);
            }
        }
    }
}
