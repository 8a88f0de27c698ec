package io.admmnn.experiments.pipeline;

import io.admmnn.dl4j.channels.DeadChannels;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The dead channels of a final network folded into the next layers ({@link DeadChannels}, exact), with the test
 * accuracy before and after, and the BOPs with the removed channels gone ({@link BopsTable#channels}). The one code
 * path of a run's end ({@link CompressionPipeline}) and of counting a finished run afterwards ({@link ChannelRecount}).
 *
 * @param result what the fold did
 * @param before test accuracy (fraction) right before it
 * @param after  test accuracy right after it (the same up to float rounding)
 */
public record ChannelFold(DeadChannels.Result result, double before, double after) {

    /** Folds {@code net}'s dead channels in place, measuring accuracy on {@code test} before and after. */
    public static ChannelFold of(TrainableNetwork net, DataSetIterator test, Consumer<String> log) {
        double before = net.evaluate(test).accuracy();
        DeadChannels.Result result = DeadChannels.fold(net);
        double after = result.foldedChannels() == 0 ? before : net.evaluate(test).accuracy();
        log.accept(String.format(Locale.ROOT, "dead channels: %s; test %.2f%% before, %.2f%% after", result.describe(),
                100 * before, 100 * after));
        return new ChannelFold(result, before, after);
    }

    /**
     * The BOPs of the folded {@code net} with its removed channels gone, with what the fold did.
     *
     * @param exampleShape  shape of one input (values unused: one forward pass gives the MACs)
     * @param weightBits    b_w of each quantized layer (others 32)
     * @param bopsReference 32 x 32-bit BOPs of the unpruned network
     */
    public BopsTable.Channels count(TrainableNetwork net, long[] exampleShape, Map<String, Integer> weightBits,
                                    long bopsReference) {
        return BopsTable.channels(net, Nd4j.zeros(DataType.FLOAT, exampleShape), weightBits, bopsReference)
                .withFold(result, before, after);
    }
}
