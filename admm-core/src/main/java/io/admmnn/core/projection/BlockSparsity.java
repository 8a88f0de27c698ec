package io.admmnn.core.projection;

import java.util.Locale;

/**
 * Block pruning: tile a 2-D weight matrix into {@code blockRows x blockCols} blocks and keep the
 * {@code k = round((1 - ratio) * blocks)} blocks of largest Frobenius norm, zeroing the others.
 *
 * <p>The matrix is the array's first dimension against the rest: a dense weight as stored, {@code [nIn, nOut]}
 * (block rows run over inputs, block columns over outputs); a conv weight as its GEMM matrix
 * {@code [nOut, nIn*kH*kW]} (rows = filters, column {@code (c*kH + kh)*kW + kw}). Blocks are numbered
 * row-major over the block grid; the last block row/column is smaller when the dimension is not divisible
 * (ragged edge blocks compete on their own, smaller norm).
 *
 * <p>Math: {@code Proj(v) = v on the k blocks of largest ||v_block||_F, 0 elsewhere} (ties: lowest block number).
 *
 * @param blockRows rows per block, {@code >= 1}
 * @param blockCols columns per block, {@code >= 1}
 * @param ratio     fraction of blocks removed, in [0, 1)
 */
public record BlockSparsity(int blockRows, int blockCols, double ratio) implements GroupSparsity {

    public BlockSparsity {
        if (blockRows < 1 || blockCols < 1) {
            throw new IllegalArgumentException("block size must be >= 1x1, was " + blockRows + "x" + blockCols);
        }
        TensorGroups.keptGroups(ratio, 0); // validates the ratio exactly as TopKSparsity does
    }

    @Override
    public TensorGroups.Partition partition(int[] shape) {
        int rows = shape[0];
        int cols = TensorGroups.matrixColumns(shape);
        int gridRows = ceilDiv(rows, blockRows);
        int gridCols = ceilDiv(cols, blockCols);
        return new TensorGroups.Partition(Math.multiplyExact(gridRows, gridCols),
                c -> (c[0] / blockRows) * gridCols + TensorGroups.matrixColumn(c, shape) / blockCols);
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "block sparsity: %dx%d blocks, keep %.2f%% (ratio %.4f)",
                blockRows, blockCols, 100 * (1 - ratio), ratio);
    }
}
