/**
 * Channels of a trained sequential network: folding the constant output of a dead channel (all weights zero) into
 * the next weighted layer's bias ({@link DeadChannels}), and counting the MACs that remain when every channel
 * without a non-zero weight is removed ({@link ChannelCount}), as DJPQ counts its pruned networks.
 */
package io.admmnn.dl4j.channels;
