package io.admmnn.runtime.kernel;

/**
 * Direct sparse convolution: the {@link DirectConvolution} over the non-zero weights only (work proportional to
 * the non-zeros; the input is read in place or through a padded copy, never unrolled).
 */
final class SparseConvolution implements ConvolutionKernel {

    private final int outChannels;
    private final DirectConvolution direct;

    SparseConvolution(SparseRows filters, int kH, int kW) {
        if (filters.columns() % (kH * kW) != 0) {
            throw new IllegalArgumentException(filters.columns() + " filter columns are not whole " + kH + "x" + kW
                    + " windows");
        }
        outChannels = filters.rows();
        direct = new DirectConvolution(filters.rows(), filters.columns() / (kH * kW), kH, kW, filters.rowStart(),
                filters.column(), filters.value());
    }

    @Override
    public KernelKind kind() {
        return KernelKind.SPARSE;
    }

    @Override
    public int outChannels() {
        return outChannels;
    }

    @Override
    public void forward(float[] x, int batch, float[] bias, float[] y, ConvGeometry g) {
        direct.forward(x, batch, bias, y, g);
    }
}
