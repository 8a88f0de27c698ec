package io.admmnn.experiments.pipeline;

import io.admmnn.core.djpq.BopsTerm;
import io.admmnn.dl4j.djpq.DjpqNetwork;
import io.admmnn.dl4j.djpq.DjpqSettings;
import io.admmnn.dl4j.djpq.DqWeightQuantizer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.EpochOrderedBatches;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The DJPQ method on the pipeline's network: inserts gates and quantizers ({@link DjpqNetwork}), keeps its BOPs
 * penalty attached across checkpoints, and builds the fine-tuning network with the pruned channels removed and the
 * bits fixed, and exports the fine-tuned network for the compressed model file ({@link #exported}): a plain DL4J
 * network with its weights on the learned levels and the learned activation quantizers as records. {@code model.zip}
 * keeps the DJPQ network itself (what a resumed run continues from).
 */
final class DjpqMethod {

    private final TrainableNetwork net;
    private final DjpqNetwork djpq;
    private final InputType input;
    private final double gateRateFactor;
    private final double quantizerRateFactor;
    /** BOPs of the unpruned network at 32 x 32 bits: the reference also after channels were removed. */
    private final double denseBops;

    private DjpqMethod(TrainableNetwork net, DjpqNetwork djpq, InputType input, TrainingListener monitor,
                       double gateRateFactor, double quantizerRateFactor, double denseBops) {
        this.net = net;
        this.djpq = djpq;
        this.input = input;
        this.gateRateFactor = gateRateFactor;
        this.quantizerRateFactor = quantizerRateFactor;
        this.denseBops = denseBops;
        net.setListeners(monitor, djpq.bopsPenalty());
    }

    static DjpqSettings settings(CompressionPlan plan) {
        CompressionPlan.Djpq d = plan.djpq();
        return new DjpqSettings(d.klWeight(), d.gateThreshold(), d.bopsWeight(), d.powerOfTwo(), d.initialWeightBits(),
                d.initialActivationBits(), d.targetReduction(), d.fixedGates());
    }

    /** Wraps {@code source} (a trained network) with DJPQ's layers; {@code calibration} sets activation ranges. */
    static DjpqMethod insert(TrainableNetwork source, TrainingListener monitor, CompressionPlan plan,
                             INDArray calibration, EpochOrderedBatches test) {
        MultiLayerNetwork mln = (MultiLayerNetwork) source.model();
        InputType input = inputType(mln, test);
        boolean nonNegative = calibration.minNumber().doubleValue() >= 0;
        DjpqNetwork d = DjpqNetwork.insert(mln, input, nonNegative, settings(plan), calibration);
        return new DjpqMethod(TrainableNetwork.of(d.network()), d, input, monitor,
                plan.djpq().gateLearningRateFactor(), plan.djpq().quantizerLearningRateFactor(),
                BopsTerm.denseBops(d.shapes()));
    }

    /** The DJPQ method of a network restored from a checkpoint, or null if it has no DJPQ layers yet. */
    static DjpqMethod attach(TrainableNetwork net, TrainingListener monitor, CompressionPlan plan,
                             EpochOrderedBatches test, RunRecord record) {
        if (!(net.model() instanceof MultiLayerNetwork mln)
                || java.util.Arrays.stream(mln.getLayers()).noneMatch(l -> l instanceof DqWeightQuantizer)) {
            return null;
        }
        InputType input = inputType(mln, test);
        DjpqNetwork d = DjpqNetwork.wrap(mln, input, settings(plan));
        // a resumed fine-tuning network has its channels removed: its reference is the run record's
        double dense = record != null && record.djpq != null ? record.djpq.denseBops() : BopsTerm.denseBops(d.shapes());
        return new DjpqMethod(net, d, input, monitor, plan.djpq().gateLearningRateFactor(),
                plan.djpq().quantizerLearningRateFactor(), dense);
    }

    /** The input type of the data: NCHW images, or rows of pixels (flattened images for a network with conv layers). */
    private static InputType inputType(MultiLayerNetwork mln, EpochOrderedBatches test) {
        test.reset();
        INDArray features = test.next().getFeatures();
        test.reset();
        if (features.rank() == 4) {
            return InputType.convolutional(features.size(2), features.size(3), features.size(1));
        }
        boolean conv = java.util.Arrays.stream(mln.getLayers())
                .anyMatch(l -> l.conf().getLayer() instanceof ConvolutionLayer);
        if (!conv) {
            return InputType.feedForward(features.size(1));
        }
        var preprocessors = mln.getLayerWiseConfigurations().getInputPreProcessors().values();
        for (var p : preprocessors) {
            if (p instanceof org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor f) {
                return InputType.convolutionalFlat(f.getInputHeight(), f.getInputWidth(), f.getNumChannels());
            }
        }
        throw new IllegalArgumentException("method djpq: cannot tell the image size of rows of " + features.size(1)
                + " pixels for this network (no FeedForwardToCnnPreProcessor)");
    }

    /**
     * Sets the gates' learning rate to {@code gateLearningRateFactor} and the quantizers' (step and range) to
     * {@code quantizerLearningRateFactor} times the epoch's (set for all layers).
     */
    void applyGateLearningRate(double learningRate) {
        MultiLayerNetwork mln = (MultiLayerNetwork) net.model();
        for (DjpqNetwork.Unit u : djpq.units()) {
            if (u.gate() >= 0) {
                mln.setLearningRate(u.gate(), learningRate * gateRateFactor);
            }
            mln.setLearningRate(u.activationQuantizer(), learningRate * quantizerRateFactor);
            mln.setLearningRate(u.weightQuantizer(), learningRate * quantizerRateFactor);
        }
    }

    TrainableNetwork network() {
        return net;
    }

    /** The fine-tuning network: pruned channels removed, gates and bits fixed. */
    DjpqMethod prunedAndFixed(TrainingListener monitor) {
        DjpqNetwork pruned = djpq.prunedAndFixed(input);
        return new DjpqMethod(TrainableNetwork.of(pruned.network()), pruned, input, monitor, gateRateFactor,
                quantizerRateFactor,
                denseBops);
    }

    /** The fine-tuned network as a plain network with its learned quantizers (pruned and fixed first if need be). */
    DjpqNetwork.Export exported() {
        DjpqNetwork fixed = djpq.units().stream().anyMatch(u -> u.gate() >= 0) ? djpq.prunedAndFixed(input) : djpq;
        return fixed.exported(input);
    }

    /** BOPs of the unpruned network at 32 x 32 bits (the reference of every BOPs reduction of the run). */
    double denseBops() {
        return denseBops;
    }

    /** Per layer: kept output channels, weight and activation bits; and the BOPs reduction. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (DjpqNetwork.LayerResult r : djpq.results()) {
            sb.append(String.format(Locale.ROOT, "%s %d/%d ch w%d a%d; ", r.name(), r.keptOut(), r.shape().outChannels(),
                    r.weights().bits(), r.activations().bits()));
        }
        double bops = djpq.finalBops().bops();
        return sb.append(String.format(Locale.ROOT, "BOPs %.4g (%.1fx fewer than 32-bit dense)", bops,
                denseBops / bops)).toString();
    }

    /** The training-time (expected) BOPs and the current outcome, for the log. */
    String progress() {
        return String.format(Locale.ROOT, "expected BOPs %.4f of dense; %s", djpq.expectedBops().relative(), describe());
    }

    /** The record of the outcome (kept channels, bits, BOPs against the unpruned 32-bit network). */
    RunRecord.DjpqEntry entry() {
        List<RunRecord.DjpqLayer> layers = new ArrayList<>();
        for (DjpqNetwork.LayerResult r : djpq.results()) {
            layers.add(new RunRecord.DjpqLayer(r.name(), r.shape().inChannels(), r.keptIn(), r.shape().outChannels(),
                    r.keptOut(), r.weights().bits(), r.weights().qMax(), r.activations().bits(), r.activations().qMax(),
                    r.activations().signed()));
        }
        return new RunRecord.DjpqEntry(layers, djpq.finalBops().bops(), denseBops);
    }

}
