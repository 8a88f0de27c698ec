package io.admmnn.hardware.cost;

import io.admmnn.hardware.layer.LayerShape;

/**
 * N:M structured sparsity metadata: each group of M consecutive weights keeps N, and the group stores which
 * ones as a combination index of {@code ceil(log2(C(M, N)))} bits (3 bits per group for 2:4; NVIDIA's sparse
 * tensor cores spend 2 bits per kept value instead, 4 per group). Only valid when kept = weights * N / M.
 */
public record NmIndex(int n, int m) implements IndexFormat {

    public NmIndex {
        if (n < 1 || m < 2 || n >= m) {
            throw new IllegalArgumentException("N:M needs 1 <= N < M, was " + n + ":" + m);
        }
    }

    int bitsPerGroup() {
        long c = 1;
        for (int i = 0; i < n; i++) {
            c = c * (m - i) / (i + 1);
        }
        return CsrIndex.bitsFor(c);
    }

    @Override
    public String name() {
        return "nm:" + n + ":" + m;
    }

    @Override
    public IndexCost expected(LayerShape layer, long kept) {
        long groups = (layer.weights() + m - 1) / m;
        return new IndexCost((double) groups * bitsPerGroup(), 0);
    }

    @Override
    public IndexCost exact(LayerShape layer, boolean[] keptMask) {
        return expected(layer, 0);
    }
}
