package io.admmnn.core.djpq;

/**
 * The shape of one weighted layer as the BOPs objective sees it: channels in and out, and the multiply-accumulates
 * that one (input channel, output channel) pair costs.
 *
 * <p>Math: {@code MACs = macsPerChannelPair * inChannels * outChannels}; a convolution has
 * {@code macsPerChannelPair = kH * kW * H_out * W_out}, a dense layer 1, and a dense layer fed by a flattened
 * {@code C x H x W} activation has {@code inChannels = C}, {@code macsPerChannelPair = H * W} (a pruned channel
 * removes H * W inputs). Units: MACs per example.
 *
 * @param name               layer name
 * @param macsPerChannelPair MACs per (input channel, output channel) pair and example
 * @param inChannels         input channels before pruning
 * @param outChannels        output channels before pruning
 */
public record BopsLayer(String name, long macsPerChannelPair, int inChannels, int outChannels) {

    public BopsLayer {
        if (macsPerChannelPair < 1 || inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException(name + ": MACs per channel pair and channel counts must be >= 1, got "
                    + macsPerChannelPair + ", " + inChannels + ", " + outChannels);
        }
    }

    /** MACs per example of the unpruned layer. */
    public long macs() {
        return macsPerChannelPair * inChannels * outChannels;
    }
}
