package io.admmnn.core.projection;

import java.util.Locale;

/**
 * Filter (output-unit) pruning: keep the {@code k = round((1 - ratio) * nOut)} output units of largest L2 norm,
 * zero the others. A unit is a conv filter {@code W[j, :, :, :]} of {@code [nOut, nIn, kH, kW]}, or a dense
 * column {@code W[:, j]} of {@code [nIn, nOut]}.
 *
 * <p>Math: {@code Proj(v) = v on the k units of largest ||v_unit||_2, 0 elsewhere} (ties: lowest unit index).
 *
 * @param ratio fraction of output units removed, in [0, 1)
 */
public record FilterSparsity(double ratio) implements GroupSparsity {

    public FilterSparsity {
        TensorGroups.keptGroups(ratio, 0); // validates the ratio exactly as TopKSparsity does
    }

    @Override
    public TensorGroups.Partition partition(int[] shape) {
        return shape.length == 2
                ? new TensorGroups.Partition(shape[1], c -> c[1])
                : new TensorGroups.Partition(shape[0], c -> c[0]);
    }

    @Override
    public boolean prunesOutputUnits() {
        return true;
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "filter sparsity: keep %.2f%% of output units (ratio %.4f)",
                100 * (1 - ratio), ratio);
    }
}
