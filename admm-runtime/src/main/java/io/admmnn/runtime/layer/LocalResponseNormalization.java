package io.admmnn.runtime.layer;

/**
 * Local response normalisation across channels, as DL4J's {@code LocalResponseNormalization}:
 * {@code y[c] = x[c] / (k + alpha * sum_{|j - c| <= n/2} x[j]^2)^beta} at every pixel.
 *
 * @param name  the layer's name
 * @param k     additive constant
 * @param n     window of channels (half-width {@code floor(n / 2)})
 * @param alpha scale of the sum of squares
 * @param beta  exponent
 */
public record LocalResponseNormalization(String name, double k, int n, double alpha, double beta) implements Layer {

    @Override
    public String type() {
        return "LocalResponseNormalization";
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public float[] forward(float[] x, int batch, Shape input, float[] reuse) {
        int channels = input.channels();
        int plane = input.height() * input.width();
        int half = n / 2;
        float[] y = Layer.output(reuse, batch * input.size());
        double[] squares = new double[channels];
        for (int b = 0; b < batch; b++) {
            int base = b * channels * plane;
            for (int p = 0; p < plane; p++) {
                for (int c = 0; c < channels; c++) {
                    double v = x[base + c * plane + p];
                    squares[c] = v * v;
                }
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    for (int j = Math.max(0, c - half); j <= Math.min(channels - 1, c + half); j++) {
                        sum += squares[j];
                    }
                    int i = base + c * plane + p;
                    y[i] = (float) (x[i] / Math.pow(k + alpha * sum, beta));
                }
            }
        }
        return y;
    }
}
