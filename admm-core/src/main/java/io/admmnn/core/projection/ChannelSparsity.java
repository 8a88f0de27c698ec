package io.admmnn.core.projection;

import java.util.Locale;

/**
 * Input-channel pruning: keep the {@code k = round((1 - ratio) * nIn)} input channels of largest L2 norm, zero
 * the others. A channel is {@code W[:, c, :, :]} of a conv {@code [nOut, nIn, kH, kW]}, or a dense row
 * {@code W[i, :]} of {@code [nIn, nOut]} (all weights reading input i).
 *
 * <p>Math: {@code Proj(v) = v on the k channels of largest ||v_channel||_2, 0 elsewhere} (ties: lowest index).
 *
 * @param ratio fraction of input channels removed, in [0, 1)
 */
public record ChannelSparsity(double ratio) implements GroupSparsity {

    public ChannelSparsity {
        TensorGroups.keptGroups(ratio, 0); // validates the ratio exactly as TopKSparsity does
    }

    @Override
    public TensorGroups.Partition partition(int[] shape) {
        return shape.length == 2
                ? new TensorGroups.Partition(shape[0], c -> c[0])
                : new TensorGroups.Partition(shape[1], c -> c[1]);
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "channel sparsity: keep %.2f%% of input channels (ratio %.4f)",
                100 * (1 - ratio), ratio);
    }
}
