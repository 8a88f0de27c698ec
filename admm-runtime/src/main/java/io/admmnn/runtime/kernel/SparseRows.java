package io.admmnn.runtime.kernel;

import java.io.IOException;

/**
 * A sparse matrix in compressed sparse rows (CSR): row {@code r}'s non-zeros are {@code value[k]} at column
 * {@code column[k]} for {@code k} in {@code [rowStart[r], rowStart[r + 1])}. The kernels keep one row per output
 * (output neuron, or output channel), so a row is everything one output needs.
 *
 * @param rows     number of rows
 * @param columns  number of columns
 * @param rowStart {@code rows + 1} offsets into {@code column} and {@code value}
 * @param column   column of each non-zero
 * @param value    value of each non-zero
 */
public record SparseRows(int rows, int columns, int[] rowStart, int[] column, float[] value) {

    /** Receives one non-zero entry. */
    @FunctionalInterface
    public interface EntrySink {
        void accept(int row, int column, float value);
    }

    /** Something that can list its non-zero entries, in any order, as often as asked. */
    @FunctionalInterface
    public interface EntrySource {
        void forEach(EntrySink sink) throws IOException;
    }

    /** Number of stored non-zeros. */
    public int nonZeros() {
        return value.length;
    }

    /** Builds the rows from {@code source} in two passes (count, then fill), with no dense copy. */
    public static SparseRows build(int rows, int columns, EntrySource source) throws IOException {
        int[] start = new int[rows + 1];
        source.forEach((r, c, v) -> start[r + 1]++);
        for (int r = 0; r < rows; r++) {
            start[r + 1] += start[r];
        }
        int[] next = start.clone();
        int[] column = new int[start[rows]];
        float[] value = new float[start[rows]];
        source.forEach((r, c, v) -> {
            int k = next[r]++;
            column[k] = c;
            value[k] = v;
        });
        return new SparseRows(rows, columns, start, column, value);
    }
}
