package io.admmnn.dl4j.djpq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.core.djpq.BopsTerm;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** DjpqNetwork on a small LeNet-like network: insertion, BOPs and its gradient, training, save and resume. */
class DjpqNetworkWrapTest {

    static final InputType INPUT = InputType.convolutionalFlat(8, 8, 1);

    /** conv 3x3x4 (identity), max-pool 2, dense 8 ReLU, output 3: LeNet-5's pattern in miniature. */
    static MultiLayerNetwork source(DataType dt) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).dataType(dt)
                .updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).name("pool1").kernelSize(2, 2)
                        .stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("ip1").nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("ip2").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(INPUT).build());
        net.init();
        return net;
    }

    static DataSet data(DataType dt, int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(dt, n, 64);
        INDArray y = Nd4j.zeros(dt, n, 3);
        for (int i = 0; i < n; i++) {
            // class from which third of the image is brightest: learnable by the small net
            double a = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 21)).sumNumber().doubleValue();
            double b = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(21, 42)).sumNumber().doubleValue();
            double c = x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(42, 63)).sumNumber().doubleValue();
            y.putScalar(i, a >= b && a >= c ? 0 : b >= c ? 1 : 2, 1.0);
        }
        return new DataSet(x, y);
    }

    private static DjpqNetwork inserted(DjpqSettings s) {
        MultiLayerNetwork src = source(DataType.DOUBLE);
        return DjpqNetwork.insert(src, INPUT, true, s, data(DataType.DOUBLE, 16, 1).getFeatures());
    }

    @Test
    void insertionWrapsEveryWeightedLayerAndKeepsTheFunctionAtHighPrecision() {
        MultiLayerNetwork src = source(DataType.DOUBLE);
        DataSet d = data(DataType.DOUBLE, 16, 1);
        DjpqNetwork djpq = DjpqNetwork.insert(src, INPUT, true, new DjpqSettings(0, 1, 0, false, 16, 16),
                d.getFeatures());
        List<DjpqNetwork.Unit> units = djpq.units();
        assertThat(units).extracting(DjpqNetwork.Unit::name).containsExactly("conv1", "ip1", "ip2");
        assertThat(units.get(0).inputGate()).isEqualTo(-1);
        assertThat(units.get(1).inputGate()).isEqualTo(units.get(0).gate()); // pooled conv1 channels feed ip1
        assertThat(units.get(2).gate()).isEqualTo(-1); // classes are never gated
        assertThat(units.get(1).shape().macsPerChannelPair()).isEqualTo(9); // 3x3 pooled map per conv1 channel
        assertThat(units.get(0).shape().macs()).isEqualTo(9L * 36 * 4);
        INDArray before = src.output(d.getFeatures());
        INDArray after = djpq.network().output(d.getFeatures());
        assertThat(after.sub(before).amaxNumber().doubleValue()).isLessThan(2e-3); // 16-bit quantization only
        // All channels active, 16 x 16 bits: BOPs / BOPs_dense = 256 / 1024.
        assertThat(djpq.expectedBops().relative()).isCloseTo(0.25, within(1e-3));
        assertThat(djpq.finalBops().relative()).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void bopsGradientMatchesCentralDifferencesOfTheExpectedBops() {
        DjpqNetwork djpq = inserted(new DjpqSettings(0, 1.3, 1, false, 6, 5));
        MultiLayerNetwork net = djpq.network();
        Nd4j.getRandom().setSeed(9);
        for (Layer l : net.getLayers()) {
            if (l instanceof VibGate g) {
                g.mu().addi(Nd4j.randn(DataType.DOUBLE, g.mu().length()).muli(0.3));
                g.logD().assign(Nd4j.randn(DataType.DOUBLE, g.logD().length()).subi(0.5));
            }
        }
        net.initGradientsView();
        net.getGradientsViewArray().assign(0);
        djpq.addBopsGradient(1.0);
        INDArray analytic = net.getGradientsViewArray().dup();
        INDArray params = net.params();
        double h = 1e-6;
        int checked = 0;
        for (Layer l : net.getLayers()) {
            if (!(l instanceof VibGate || l instanceof DqQuantizer)) {
                continue;
            }
            INDArray p = l.params();
            for (int i = 0; i < p.length(); i++) {
                double keep = p.getDouble(i);
                p.putScalar(i, keep + h);
                double up = djpq.expectedBops().relative();
                p.putScalar(i, keep - h);
                double down = djpq.expectedBops().relative();
                p.putScalar(i, keep);
                double fd = (up - down) / (2 * h);
                // the layer's gradient slice sits at the same offset as its parameters
                long offset = offsetOf(net, l);
                assertThat(analytic.getDouble(offset + i)).as("%s[%d]", l.conf().getLayer().getLayerName(), i)
                        .isCloseTo(fd, within(1e-6 * Math.abs(fd) + 1e-9));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(2 * 4 + 2 * 8 + 6 * 2);
        assertThat(params.length()).isGreaterThan(checked);
    }

    private static long offsetOf(MultiLayerNetwork net, Layer target) {
        long offset = 0;
        for (Layer l : net.getLayers()) {
            if (l == target) {
                return offset;
            }
            offset += l.numParams();
        }
        throw new IllegalStateException("layer not in network");
    }

    @Test
    void trainingWithALargeBopsWeightLowersBitsAndChannels() {
        DjpqNetwork djpq = inserted(new DjpqSettings(1e-4, 1, 5, false, 8, 8));
        MultiLayerNetwork net = djpq.network();
        net.addListeners(djpq.bopsPenalty());
        double start = djpq.expectedBops().relative();
        DataSet d = data(DataType.DOUBLE, 64, 2);
        for (int i = 0; i < 150; i++) {
            net.fit(d);
        }
        BopsTerm.Value end = djpq.expectedBops();
        assertThat(end.relative()).isLessThan(0.5 * start);
        assertThat(djpq.finalBops().relative()).isLessThan(djpq.finalBops().denseBops()); // finite, reported
    }

    /** Layer {@code layer}'s gradient after one backward pass on {@code d}, and after the BOPs listener if asked. */
    private static INDArray gradientAfterListener(DjpqNetwork djpq, DataSet d, int layer, boolean listener) {
        MultiLayerNetwork net = djpq.network();
        net.setInput(d.getFeatures());
        net.setLabels(d.getLabels());
        Nd4j.getRandom().setSeed(5);
        net.computeGradientAndScore();
        if (listener) {
            djpq.bopsPenalty().onGradientCalculation(net);
        }
        return net.getLayer(layer).getGradientsViewArray().dup();
    }

    @Test
    void theBopsTermStopsActingOnceTheExportedNetworkReachesTheTargetReduction() {
        DataSet d = data(DataType.DOUBLE, 16, 2);
        // 8-bit weights and activations everywhere: the exported network has 16x fewer BOPs than 32 x 32 bits
        DjpqNetwork reached = inserted(new DjpqSettings(1e-4, 1, 5, false, 8, 8, 15));
        DjpqNetwork notReached = inserted(new DjpqSettings(1e-4, 1, 5, false, 8, 8, 17));
        assertThat(1 / reached.finalBops().relative()).isCloseTo(16, within(1e-9));
        assertThat(reached.settings().bopsTermActive(reached.finalBops().relative())).isFalse();
        assertThat(notReached.settings().bopsTermActive(notReached.finalBops().relative())).isTrue();
        assertThat(new DjpqSettings(1e-4, 1, 5, false, 8, 8).bopsTermActive(1e-9)).isTrue(); // no target: always
        for (DjpqNetwork djpq : List.of(reached, notReached)) {
            int gate = djpq.units().get(0).gate();
            INDArray without = gradientAfterListener(djpq, d, gate, false);
            INDArray with = gradientAfterListener(djpq, d, gate, true);
            if (djpq == reached) {
                assertThat(with).isEqualTo(without);
            } else {
                assertThat(with.sub(without).amaxNumber().doubleValue()).isGreaterThan(1e-6);
            }
        }
    }

    @Test
    void quantizerStepAndRangeGradientsAreClippedToTheStepPerExample() {
        DataSet d = data(DataType.DOUBLE, 16, 2);
        DjpqNetwork djpq = inserted(new DjpqSettings(1e-4, 1, 0, false, 8, 8));
        MultiLayerNetwork net = djpq.network();
        net.setInput(d.getFeatures());
        net.setLabels(d.getLabels());
        net.computeGradientAndScore();
        double sign = 1;
        for (Layer l : net.getLayers()) {
            if (l instanceof DqQuantizer) {
                l.getGradientsViewArray().assign(sign * 1e6); // far beyond any step
                sign = -sign;
            }
        }
        djpq.clipQuantizerGradients(16);
        sign = 1;
        for (Layer l : net.getLayers()) {
            if (l instanceof DqQuantizer q) {
                assertThat(l.getGradientsViewArray().toDoubleVector()).containsOnly(sign * 16 * q.step());
                sign = -sign;
            }
        }
    }

    @Test
    void anUpdateThatPushesTheStepBelowZeroLeavesItAtTheFinestStepNotItsMirrorImage() {
        assertThat(SteQuantization.project(-0.01, 1.0, true)).containsExactly(1.0 / 32767, 1.0);
        assertThat(SteQuantization.project(0.0, 2.0, false)).containsExactly(2.0 / 65535, 2.0);
        // the finest steps are 16 bits: freezing them changes no level
        assertThat(io.admmnn.core.djpq.DqBits.freeze(1.0 / 32767, 1.0, true, false).bits()).isEqualTo(16);
        assertThat(io.admmnn.core.djpq.DqBits.freeze(1.0 / 65535, 1.0, false, false).bits()).isEqualTo(16);
        assertThat(SteQuantization.project(0.05, 1.0, true)).containsExactly(0.05, 1.0);
        assertThat(SteQuantization.project(3.0, -1.0, false)).containsExactly(1.0, 1.0); // d <= qMax, qMax > 0
    }

    @Test
    void theFoldedGridScaleIsTheLeastSquaresOneAndBeatsScalingToTheLargestMagnitude() {
        // a layer folded with gates 2 (one channel) and 0.25 (nine): the channel of gate 2 sets the largest magnitude
        java.util.Random r = new java.util.Random(7);
        io.admmnn.format.ActivationQuantization f = io.admmnn.core.djpq.DqBits.freeze(1.0 / 7, 1.0, true, false);
        int perChannel = 50;
        double[] values = new double[10 * perChannel];
        double[] target = new double[values.length];
        for (int c = 0; c < 10; c++) {
            double mu = c == 0 ? 2 : 0.25;
            for (int i = 0; i < perChannel; i++) {
                double w = r.nextGaussian() * 0.3;
                values[c * perChannel + i] = mu * w;
                target[c * perChannel + i] = mu * f.quantize(w);
            }
        }
        double largest = 2.0;
        double chosen = DjpqNetwork.leastSquaresScale(f, values, target, largest);
        double best = Double.POSITIVE_INFINITY;
        for (int k = 0; k <= 4000; k++) { // brute force on a 40x finer grid of the same interval
            best = Math.min(best, foldError(f, values, target, largest * (0.25 + 0.75 * k / 4000)));
        }
        assertThat(foldError(f, values, target, chosen)).isLessThan(0.7 * foldError(f, values, target, largest))
                .isLessThanOrEqualTo(1.05 * best);
    }

    private static double foldError(io.admmnn.format.ActivationQuantization f, double[] values, double[] target,
                                    double s) {
        io.admmnn.format.ActivationQuantization q = io.admmnn.core.djpq.DqBits.freeze(f.step() * s, f.qMax() * s,
                true, false);
        double e = 0;
        for (int i = 0; i < values.length; i++) {
            e += Math.pow(q.quantize(values[i]) - target[i], 2);
        }
        return e;
    }

    @Test
    void savedDjpqNetworkResumesWithTheSameOutputsAndResults(@TempDir Path dir) throws Exception {
        DjpqNetwork djpq = inserted(new DjpqSettings(1e-3, 1, 0.5, true, 8, 8));
        MultiLayerNetwork net = djpq.network();
        net.addListeners(djpq.bopsPenalty());
        DataSet d = data(DataType.DOUBLE, 32, 4);
        for (int i = 0; i < 5; i++) {
            net.fit(d);
        }
        DjpqNetwork back = savedAndLoaded(djpq, d, dir);
        assertThat(back.results().get(0).weights().bits()).isIn(2, 4, 8, 16); // power-of-two widths
    }

    /**
     * {@code djpq} (whose network has its BOPs listener) saved and loaded: the same outputs and results, and one more
     * step from the same noise gives both the same parameters. Returns the loaded one.
     */
    private static DjpqNetwork savedAndLoaded(DjpqNetwork djpq, DataSet d, Path dir) throws Exception {
        MultiLayerNetwork net = djpq.network();
        File f = dir.resolve("djpq.zip").toFile();
        net.save(f, true);
        MultiLayerNetwork loaded = MultiLayerNetwork.load(f, true);
        DjpqNetwork back = DjpqNetwork.wrap(loaded, INPUT, djpq.settings());
        assertThat(loaded.output(d.getFeatures())).isEqualTo(net.output(d.getFeatures()));
        assertThat(back.results()).isEqualTo(djpq.results());
        loaded.addListeners(back.bopsPenalty());
        Nd4j.getRandom().setSeed(77);
        net.fit(d);
        Nd4j.getRandom().setSeed(77);
        loaded.fit(d);
        assertThat(loaded.params()).isEqualTo(net.params());
        return back;
    }

    /**
     * Fixed gates (the two-stage baseline with DQ-learned bits): a source with conv1 channel 1 and ip1 channels 0 and
     * 6 all zero, ip1 channel 3 zero but for its bias. Training under a large BOPs weight moves the bits only; the
     * zero channels stay closed, are removed by prunedAndFixed, and the frozen gates survive a save and load.
     */
    @Test
    void fixedGatesKeepTheStartingChannelsWhileTheBopsTermLowersTheBits(@TempDir Path dir) throws Exception {
        MultiLayerNetwork src = source(DataType.DOUBLE);
        src.getLayer(0).getParam("W").get(org.nd4j.linalg.indexing.NDArrayIndex.point(1)).assign(0);
        src.getLayer(0).getParam("b").putScalar(1, 0);
        INDArray ip1W = src.getLayer(2).getParam("W");
        for (int c : new int[]{0, 3, 6}) {
            ip1W.getColumn(c).assign(0);
            src.getLayer(2).getParam("b").putScalar(c, c == 3 ? 0.2 : 0);
        }
        DjpqNetwork djpq = DjpqNetwork.insert(src, INPUT, true, new DjpqSettings(1e-2, 1, 5, false, 8, 8, 0, true),
                data(DataType.DOUBLE, 16, 1).getFeatures());
        MultiLayerNetwork net = djpq.network();
        VibGate conv1Gate = (VibGate) net.getLayer(djpq.units().get(0).gate());
        VibGate ip1Gate = (VibGate) net.getLayer(djpq.units().get(1).gate());
        assertThat(conv1Gate.mu().toDoubleVector()).containsExactly(1, 0, 1, 1);
        assertThat(ip1Gate.mu().toDoubleVector()).containsExactly(0, 1, 1, 1, 1, 1, 0, 1);
        assertThat(conv1Gate.calcRegularizationScore(false)).isZero(); // no KL term although klWeight > 0
        INDArray gates = Nd4j.concat(0, conv1Gate.params(), ip1Gate.params());
        net.addListeners(djpq.bopsPenalty());
        double start = djpq.expectedBops().relative();
        DataSet d = data(DataType.DOUBLE, 64, 2);
        for (int i = 0; i < 60; i++) {
            net.fit(d);
        }
        assertThat(Nd4j.concat(0, conv1Gate.params(), ip1Gate.params())).isEqualTo(gates);
        assertThat(djpq.expectedBops().relative()).isLessThan(0.7 * start); // through the bits alone
        assertThat(djpq.results()).extracting(DjpqNetwork.LayerResult::keptOut).containsExactly(3, 6, 3);
        assertThat(djpq.results()).extracting(r -> r.weights().bits()).anyMatch(b -> b < 8);

        DjpqNetwork back = savedAndLoaded(djpq, d, dir);
        assertThat(((VibGateLayer) back.network().getLayer(back.units().get(0).gate()).conf().getLayer()).isFrozen())
                .isTrue();

        DjpqNetwork pruned = djpq.prunedAndFixed(INPUT);
        assertThat(pruned.results()).extracting(DjpqNetwork.LayerResult::keptOut).containsExactly(3, 6, 3);
        assertThat(pruned.results()).extracting(DjpqNetwork.LayerResult::keptIn).containsExactly(1, 3, 6);
        assertThat(pruned.finalBops().bops()).isCloseTo(djpq.finalBops().bops(), within(1e-6));
    }

    /** Trains a little, prunes conv1 channel 1 and ip1 channels 0 and 6, snaps every range to its step grid. */
    private static DjpqNetwork trainedWithPrunedChannels(DataType dt, int initialBits, double bopsWeight, DataSet d) {
        MultiLayerNetwork src = source(dt);
        DjpqNetwork djpq = DjpqNetwork.insert(src, INPUT, true, new DjpqSettings(1e-3, 1, bopsWeight, false,
                initialBits, initialBits), data(dt, 16, 1).getFeatures());
        MultiLayerNetwork net = djpq.network();
        for (int i = 0; i < 3; i++) {
            net.fit(d);
        }
        VibGate conv1Gate = (VibGate) net.getLayer(djpq.units().get(0).gate());
        VibGate ip1Gate = (VibGate) net.getLayer(djpq.units().get(1).gate());
        conv1Gate.logD().putScalar(1, 5.0); // snr = mu^2 e^-5 < 1: pruned
        ip1Gate.logD().putScalar(0, 5.0);
        ip1Gate.logD().putScalar(6, 5.0);
        for (Layer l : net.getLayers()) { // ranges on the step grid, so freezing changes no level
            if (l instanceof DqQuantizer q) {
                q.set(q.step(), q.step() * Math.rint(q.range() / q.step()));
            }
        }
        return djpq;
    }

    private static void setKeptGates(DjpqNetwork djpq, int unit, double... mu) {
        VibGate g = (VibGate) djpq.network().getLayer(djpq.units().get(unit).gate());
        for (int c = 0; c < mu.length; c++) {
            g.mu().putScalar(c, mu[c]);
            g.logD().putScalar(c, g.logD().getDouble(c) > 0 ? 5.0 : -9.0); // kept stay kept, pruned stay pruned
        }
    }

    @Test
    void prunedAndFixedNetworkDropsThePrunedChannelsFoldsTheGatesAndComputesTheSameFunction() {
        DataSet d = data(DataType.DOUBLE, 32, 4);
        DjpqNetwork djpq = trainedWithPrunedChannels(DataType.DOUBLE, 8, 0.5, d);
        setKeptGates(djpq, 0, 1, 1, 1, 1); // mu = 1: folding changes no weight, so no level either
        setKeptGates(djpq, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        MultiLayerNetwork net = djpq.network();
        DjpqNetwork pruned = djpq.prunedAndFixed(INPUT);
        List<DjpqNetwork.LayerResult> r = pruned.results();
        assertThat(r).extracting(DjpqNetwork.LayerResult::keptOut).containsExactly(3, 6, 3);
        assertThat(r).extracting(DjpqNetwork.LayerResult::keptIn).containsExactly(1, 3, 6);
        assertThat(pruned.network().getLayer(pruned.units().get(1).layer()).getParam("W").shape())
                .containsExactly(3 * 9, 6);
        assertThat(pruned.network().getLayers()).noneMatch(l -> l instanceof VibGate); // folded into the weights
        assertThat(r).extracting(x -> x.weights().bits()).isEqualTo(djpq.results().stream().map(x -> x.weights().bits()).toList());
        assertThat(r).extracting(DjpqNetwork.LayerResult::activations)
                .isEqualTo(djpq.results().stream().map(DjpqNetwork.LayerResult::activations).toList());
        INDArray expected = net.output(d.getFeatures());
        INDArray actual = pruned.network().output(d.getFeatures());
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-9);
        assertThat(pruned.finalBops().bops()).isCloseTo(djpq.finalBops().bops(), within(1e-6));

        // fine-tuning moves weights only: quantizers stay as frozen
        double step = ((DqQuantizer) pruned.network().getLayer(0)).step();
        INDArray w = pruned.network().getLayer(pruned.units().get(0).layer()).getParam("W").dup();
        for (int i = 0; i < 3; i++) {
            pruned.network().fit(d);
        }
        assertThat(((DqQuantizer) pruned.network().getLayer(0)).step()).isEqualTo(step);
        assertThat(pruned.network().getLayer(pruned.units().get(0).layer()).getParam("W")).isNotEqualTo(w);
    }

    @Test
    void foldingGatesOfAnySignKeepsTheFunctionUpToTheQuantizationOfTheScaledWeights() {
        DataSet d = data(DataType.DOUBLE, 32, 4);
        DjpqNetwork djpq = trainedWithPrunedChannels(DataType.DOUBLE, 16, 0, d);
        for (Layer l : djpq.network().getLayers()) { // fine 16-bit levels (Adam moved the steps by ~1e-2 each)
            if (l instanceof DqQuantizer q) {
                q.set(Math.abs(q.range()) / 32767, Math.abs(q.range()));
            }
        }
        // conv1 (identity): a negative gate folds as is; ip1 (ReLU): its negative gate's channel is clipped to 0
        // by ip2's unsigned input quantizer, so it folds to 0.
        setKeptGates(djpq, 0, 0.7, 1, -1.3, 2.1);
        setKeptGates(djpq, 1, 1, 0.5, -0.8, 1.7, 0.9, 1.2, 1, 0.3);
        INDArray expected = djpq.network().output(d.getFeatures());
        DjpqNetwork pruned = djpq.prunedAndFixed(INPUT);
        INDArray actual = pruned.network().output(d.getFeatures());
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-3);
        // ip1's kept channels 1..5, 7 (0 and 6 pruned): the one with mu = -0.8 (channel 2) is all zero now
        INDArray ip1 = pruned.network().getLayer(pruned.units().get(1).layer()).getParam("W");
        assertThat(ip1.getColumn(1).amaxNumber().doubleValue()).isZero();
        assertThat(ip1.getColumn(0).amaxNumber().doubleValue()).isPositive();
    }

    @Test
    void aGateAfterAnActivationItCannotBeFoldedThroughIsRefusedAtInsertion() {
        MultiLayerNetwork src = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).list()
                .layer(new DenseLayer.Builder().name("fc").nIn(4).nOut(3).activation(Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build());
        src.init();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DjpqNetwork.insert(src, InputType.feedForward(4),
                        true, new DjpqSettings(0, 1, 0, false, 8, 8), Nd4j.rand(DataType.FLOAT, 2, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer fc")
                .hasMessageContaining("identity, ReLU or leaky ReLU");
    }

    @Test
    void theExportedPlainNetworkAndItsModelFileComputeExactlyWhatTheFineTunedNetworkComputes(@TempDir Path dir)
            throws Exception {
        DataSet d = data(DataType.FLOAT, 32, 4);
        DjpqNetwork djpq = trainedWithPrunedChannels(DataType.FLOAT, 6, 0.5, d);
        setKeptGates(djpq, 0, 0.7, 1, -1.3, 2.1);
        DjpqNetwork pruned = djpq.prunedAndFixed(INPUT);
        for (int i = 0; i < 2; i++) {
            pruned.network().fit(d);
        }
        assertThatThrownByIllegalState(() -> djpq.exported(INPUT)); // gates not folded yet
        DjpqNetwork.Export export = pruned.exported(INPUT);
        MultiLayerNetwork plain = export.network();
        assertThat(plain.getLayers()).noneMatch(l -> l.conf().getLayer() instanceof DjpqLayer);
        assertThat(plain.getLayers()).allMatch(l -> !(l.conf().getLayer()
                instanceof org.deeplearning4j.nn.conf.layers.BaseLayer b) || b.getWeightNoise() == null);
        INDArray expected = pruned.network().output(d.getFeatures());
        assertThat(plain.output(d.getFeatures())).isEqualTo(expected);

        // the learned bits: weights on at most 2^b - 1 levels, activation records as frozen
        List<DjpqNetwork.LayerResult> r = pruned.results();
        assertThat(export.weightBits().values()).containsExactlyElementsOf(r.stream().map(x -> x.weights().bits()).toList());
        assertThat(export.activations().values()).containsExactlyElementsOf(
                r.stream().map(DjpqNetwork.LayerResult::activations).toList());
        io.admmnn.dl4j.network.TrainableNetwork t = io.admmnn.dl4j.network.TrainableNetwork.of(plain);
        for (int u = 0; u < r.size(); u++) {
            float[] w = io.admmnn.core.tensor.FlatValues.readFloats(t.constrainableLayers().get(u).weights());
            long levels = java.util.stream.IntStream.range(0, w.length).mapToDouble(i -> w[i]).distinct().count();
            assertThat(levels).as("layer %d", u).isLessThanOrEqualTo((1L << r.get(u).weights().bits()) - 1);
        }
        assertThat(io.admmnn.dl4j.activation.ActivationQuantizers.installed(t)).isEqualTo(export.activations());

        Path file = dir.resolve("model.admmnn");
        io.admmnn.dl4j.format.CompressedModelFile.write(t, file, name -> io.admmnn.format.SparseIndexFormat.relative(4));
        io.admmnn.dl4j.network.TrainableNetwork back = io.admmnn.dl4j.format.CompressedModelFile.read(file);
        assertThat(((MultiLayerNetwork) back.model()).output(d.getFeatures())).isEqualTo(expected);
        assertThat(io.admmnn.dl4j.activation.ActivationQuantizers.installed(back)).isEqualTo(export.activations());
    }

    private static void assertThatThrownByIllegalState(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        org.assertj.core.api.Assertions.assertThatThrownBy(call).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("pruned-and-fixed");
    }
}
