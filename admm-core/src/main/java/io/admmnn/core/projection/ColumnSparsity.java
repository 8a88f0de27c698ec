package io.admmnn.core.projection;

import java.util.Locale;

/**
 * Column pruning in the im2col (GEMM) view: keep the {@code k = round((1 - ratio) * columns)} columns of largest
 * L2 norm, zero the others. For a conv {@code [nOut, nIn, kH, kW]} the GEMM weight matrix is
 * {@code [nOut, nIn*kH*kW]} and a column is one kernel position {@code (c, kh, kw)} across all filters,
 * {@code W[:, c, kh, kw]} (column index {@code (c*kH + kh)*kW + kw}); removing it removes one row of the im2col
 * input. For a dense {@code [nIn, nOut]} the same notion (one input across all outputs) is a row {@code W[i, :]},
 * so dense column sparsity equals {@link ChannelSparsity}.
 *
 * <p>Math: {@code Proj(v) = v on the k columns of largest ||v_column||_2, 0 elsewhere} (ties: lowest index).
 *
 * @param ratio fraction of GEMM columns removed, in [0, 1)
 */
public record ColumnSparsity(double ratio) implements GroupSparsity {

    public ColumnSparsity {
        TensorGroups.keptGroups(ratio, 0); // validates the ratio exactly as TopKSparsity does
    }

    @Override
    public TensorGroups.Partition partition(int[] shape) {
        return shape.length == 2
                ? new TensorGroups.Partition(shape[0], c -> c[0])
                : new TensorGroups.Partition(TensorGroups.matrixColumns(shape),
                        c -> TensorGroups.matrixColumn(c, shape));
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "column sparsity: keep %.2f%% of im2col columns (ratio %.4f)",
                100 * (1 - ratio), ratio);
    }
}
