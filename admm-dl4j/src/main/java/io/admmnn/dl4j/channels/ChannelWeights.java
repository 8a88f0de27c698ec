package io.admmnn.dl4j.channels;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.network.ConstrainableLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A copy of one layer's weights seen as {@code (output channel, input channel, position)}: a convolution's
 * {@code W[o][i][kh][kw]} with the kernel positions, a dense layer's {@code W[i * group + s][o]} with
 * {@code group} inputs per channel (H x W for a dense layer after a flattened NCHW map, else 1).
 */
final class ChannelWeights {

    private final INDArray live;
    private final float[] values; // c-order copy of live
    private final boolean dense;
    final int outChannels;
    final int inChannels;
    /** Weights per (output channel, input channel) pair: kernel area, or the group size of a dense layer. */
    final int positions;

    private ChannelWeights(INDArray live, boolean dense, int outChannels, int inChannels, int positions) {
        this.live = live;
        this.values = FlatValues.readFloats(live.dup('c'));
        this.dense = dense;
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.positions = positions;
    }

    /** Whether the channel view knows this layer's weight layout: a plain convolution, dense or output layer. */
    static boolean supports(ConstrainableLayer layer) {
        Class<?> type = layer.layer().conf().getLayer().getClass();
        return type == ConvolutionLayer.class || type == DenseLayer.class || type == OutputLayer.class;
    }

    /**
     * The weights of {@code layer} (one of {@link #supports}); {@code group} inputs per input channel of a dense
     * layer (ignored for a convolution).
     */
    static ChannelWeights of(ConstrainableLayer layer, long group) {
        INDArray w = layer.weights();
        if (w.rank() == 4) {
            return new ChannelWeights(w, false, (int) w.size(0), (int) w.size(1), (int) (w.size(2) * w.size(3)));
        }
        if (w.size(0) % group != 0) {
            throw new IllegalArgumentException(layer.name() + ": " + w.size(0) + " inputs are not groups of " + group);
        }
        return new ChannelWeights(w, true, (int) w.size(1), (int) (w.size(0) / group), (int) group);
    }

    private int index(int out, int in, int position) {
        return dense ? (in * positions + position) * outChannels + out : (out * inChannels + in) * positions + position;
    }

    /** Per output channel: whether any of its weights is non-zero. */
    boolean[] keptOutputs() {
        boolean[] kept = new boolean[outChannels];
        for (int o = 0; o < outChannels; o++) {
            for (int i = 0; i < inChannels && !kept[o]; i++) {
                kept[o] = anyNonZero(o, i);
            }
        }
        return kept;
    }

    /** Per input channel: whether any weight on it is non-zero. */
    boolean[] keptInputs() {
        boolean[] kept = new boolean[inChannels];
        for (int i = 0; i < inChannels; i++) {
            for (int o = 0; o < outChannels && !kept[i]; o++) {
                kept[i] = anyNonZero(o, i);
            }
        }
        return kept;
    }

    private boolean anyNonZero(int out, int in) {
        for (int p = 0; p < positions; p++) {
            if (values[index(out, in, p)] != 0f) {
                return true;
            }
        }
        return false;
    }

    /** The sum of output channel {@code out}'s weights on input channel {@code in}, over its positions. */
    double inputSum(int out, int in) {
        double sum = 0;
        for (int p = 0; p < positions; p++) {
            sum += values[index(out, in, p)];
        }
        return sum;
    }

    /** Zeroes every weight on input channel {@code in} in the copy ({@link #writeBack} stores it). */
    void zeroInput(int in) {
        for (int o = 0; o < outChannels; o++) {
            for (int p = 0; p < positions; p++) {
                values[index(o, in, p)] = 0f;
            }
        }
    }

    /** Writes the copy into the layer's live weights. */
    void writeBack() {
        live.assign(Nd4j.create(values, live.shape(), 'c').castTo(live.dataType()));
    }

    static int count(boolean[] kept) {
        int n = 0;
        for (boolean k : kept) {
            n += k ? 1 : 0;
        }
        return n;
    }
}
