package io.admmnn.dl4j.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.FilterSparsity;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.TestNetworks;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.profiler.ProfilerConfig;

class LeanDenseTrainerTest {

    /**
     * Relative tolerance on parameters and updater state. Float rounding differs (other GEMM calls, the division by
     * the batch size folded into them, Adam's arithmetic in Java); nothing else may.
     */
    private static final double TOLERANCE = 1e-5;
    /** Relative tolerance on the score: computed in double here, in float by DL4J. */
    private static final org.assertj.core.data.Percentage SCORE = org.assertj.core.data.Percentage.withPercentage(1e-4);

    @BeforeAll
    static void catchWorkspaceLeaks() {
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkWorkspaces(true).build());
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(LeanDenseTrainer.PROPERTY);
        System.clearProperty(LeanDenseTrainer.BF16_TARGET);
    }

    /** 3 ReLU/softmax layers, like LeNet-300-100 in miniature. */
    private static MultiLayerNetwork mlp(long seed, DataType type, Consumer<NeuralNetConfiguration.Builder> tweak) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-2))
                .dataType(type);
        tweak.accept(base);
        return TestNetworks.dense(base, Activation.RELU, 30, 20, 12, 5);
    }

    private static MultiLayerNetwork mlp(long seed) {
        return mlp(seed, DataType.FLOAT, b -> { });
    }

    /** {@code count} minibatches of {@code size} examples (the last one {@code lastSize}), one-hot labels. */
    private static List<DataSet> batches(int count, int size, int lastSize, int features, int classes, long seed,
                                         DataType type) {
        Random random = new Random(seed);
        List<DataSet> list = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            int n = b == count - 1 ? lastSize : size;
            double[][] x = new double[n][features];
            double[][] y = new double[n][classes];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < features; j++) {
                    x[i][j] = random.nextGaussian();
                }
                y[i][random.nextInt(classes)] = 1;
            }
            list.add(new DataSet(Nd4j.create(x).castTo(type), Nd4j.create(y).castTo(type)));
        }
        return list;
    }

    private static List<DataSet> batches(int count, long seed) {
        return batches(count, 16, 5, 30, 5, seed, DataType.FLOAT);
    }

    /**
     * Relative error within {@code TOLERANCE} in two norms: the Euclidean one, and the largest element's difference
     * relative to the largest element (elementwise relative errors mean nothing for Adam moments near zero).
     */
    private static void assertClose(String what, INDArray actual, INDArray expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        INDArray a = actual.castTo(DataType.DOUBLE);
        INDArray e = expected.castTo(DataType.DOUBLE);
        double euclidean = a.distance2(e) / e.norm2Number().doubleValue();
        INDArray diff = a.sub(e);
        long worst = Nd4j.argMax(Transforms.abs(diff.reshape(diff.length()))).getLong(0);
        double largest = diff.amaxNumber().doubleValue() / e.amaxNumber().doubleValue();
        assertThat(euclidean).as("%s: relative Euclidean error", what).isLessThan(TOLERANCE);
        assertThat(largest).as("%s: largest difference %s vs %s at %d", what, a.reshape(a.length()).getDouble(worst),
                e.reshape(e.length()).getDouble(worst), worst).isLessThan(TOLERANCE);
    }

    private static void assertSameState(MultiLayerNetwork lean, MultiLayerNetwork reference) {
        assertClose("parameters", lean.params(), reference.params());
        assertClose("updater state", lean.getUpdater().getStateViewArray(), reference.getUpdater().getStateViewArray());
        assertThat(lean.getIterationCount()).isEqualTo(reference.getIterationCount());
        assertThat(lean.getEpochCount()).isEqualTo(reference.getEpochCount());
        for (int i = 0; i < lean.getLayers().length; i++) {
            assertThat(lean.getLayer(i).getIterationCount()).isEqualTo(reference.getLayer(i).getIterationCount());
            assertThat(lean.getLayer(i).getEpochCount()).isEqualTo(reference.getLayer(i).getEpochCount());
        }
    }

    /** Steps both networks through {@code data}: the lean one with the lean step, the other with DL4J's fit. */
    private static void stepBoth(LeanDenseTrainer trainer, MultiLayerNetwork lean, MultiLayerNetwork reference,
                                 List<DataSet> data) {
        for (DataSet batch : data) {
            trainer.fit(batch);
            reference.fit(batch);
            assertThat(lean.score()).isCloseTo(reference.score(), SCORE);
        }
    }

    @Test
    void twentyLeanStepsEqualTwentyDl4jSteps() {
        MultiLayerNetwork lean = mlp(7);
        MultiLayerNetwork reference = mlp(7);
        assertThat(LeanDenseTrainer.ineligibility(lean)).isNull();
        List<DataSet> data = batches(20, 3);
        stepBoth(LeanDenseTrainer.of(lean), lean, reference, data);
        assertSameState(lean, reference);
        assertThat(lean.getIterationCount()).isEqualTo(20);
        // The networks moved: the comparison is not between two untouched copies.
        assertThat(lean.params().distance2(mlp(7).params())).isGreaterThan(0.1);
    }

    @Test
    void leanStepsEqualDl4jStepsUnderAdmmAndAfterTheHardProjection() {
        System.setProperty(LeanDenseTrainer.BF16_TARGET, "false"); // DL4J's float targets, to float rounding
        MultiLayerNetwork lean = mlp(5);
        MultiLayerNetwork reference = mlp(5);
        Map<String, Projection> constraints = Map.of("fc1", new TopKSparsity(0.6), "fc2", new TopKSparsity(0.5));
        AdmmSession leanSession = AdmmSession.start(TrainableNetwork.of(lean), "prune", constraints,
                RhoSchedule.fixed(0.05), true);
        AdmmSession referenceSession = AdmmSession.start(TrainableNetwork.of(reference), "prune", constraints,
                RhoSchedule.fixed(0.05), true);
        assertThat(LeanDenseTrainer.ineligibility(lean)).isNull();
        LeanDenseTrainer trainer = LeanDenseTrainer.of(lean);
        List<DataSet> data = batches(10, 11);
        for (int round = 0; round < 2; round++) {
            leanSession.runRound(r -> {
                for (DataSet batch : data) {
                    trainer.fit(batch);
                }
            });
            referenceSession.runRound(r -> data.forEach(reference::fit));
            assertSameState(lean, reference);
        }
        leanSession.hardProject();
        referenceSession.hardProject();
        INDArray mask = leanSession.mask("fc1");
        assertThat(mask.sumNumber().doubleValue()).isLessThan(0.5 * mask.length());
        stepBoth(trainer, lean, reference, batches(10, 12));
        assertSameState(lean, reference);
        // Frozen weights stay exactly zero under the lean step too.
        INDArray w = lean.getParam("0_W");
        assertThat(w.mul(mask.rsub(1)).amaxNumber().doubleValue()).isEqualTo(0.0);
    }

    /**
     * The bfloat16 target ({@link Bf16Target}) against DL4J's float one, one step from the same state inside an ADMM
     * round: the penalty gradient {@code rho (W - T)} may differ by {@code rho |T - T'| <= rho 2^-8 |T|} per weight,
     * so Adam's first moment {@code m = b1 m + (1 - b1) g} by {@code (1 - b1)} times that, and by no more (plus the
     * float rounding that the other tests allow). Checked weight by weight on fc1; the largest difference must come
     * near the bound, or the step did not use the rounded target.
     */
    @Test
    void bfloat16TargetMovesAdamsMomentWithinTheRoundingBound() {
        System.setProperty(LeanDenseTrainer.BF16_TARGET, "false");
        MultiLayerNetwork lean = mlp(5);
        MultiLayerNetwork reference = mlp(5);
        Map<String, Projection> constraints = Map.of("fc1", new TopKSparsity(0.6));
        double rho = 0.05;
        AdmmSession leanSession = AdmmSession.start(TrainableNetwork.of(lean), "prune", constraints,
                RhoSchedule.fixed(rho), true);
        AdmmSession referenceSession = AdmmSession.start(TrainableNetwork.of(reference), "prune", constraints,
                RhoSchedule.fixed(rho), true);
        LeanDenseTrainer floatTrainer = LeanDenseTrainer.of(lean);
        List<DataSet> data = batches(10, 11);
        leanSession.runRound(r -> data.forEach(floatTrainer::fit)); // U no longer zero: T = Z - U is dense
        referenceSession.runRound(r -> data.forEach(reference::fit));
        assertSameState(lean, reference);
        System.setProperty(LeanDenseTrainer.BF16_TARGET, "true");
        LeanDenseTrainer bf16Trainer = LeanDenseTrainer.of(lean);
        DataSet batch = batches(1, 16, 16, 30, 5, 12, DataType.FLOAT).get(0);
        bf16Trainer.fit(batch);
        reference.fit(batch);
        // fc1's W is the first 600 parameters, and its m the first 600 values of the first updater block's m
        int n = 30 * 20;
        INDArray mLean = firstBlocksMoment(lean);
        INDArray mReference = firstBlocksMoment(reference);
        INDArray target = ((io.admmnn.dl4j.hook.AdmmPenalty) lean.getLayer(0).conf().getLayer()
                .getRegularizationByParam("W").get(0)).activeVariable().penaltyTarget();
        INDArray t = Nd4j.toFlattened('f', target);
        double beta1 = 0.9; // Adam's default
        double floatNoise = TOLERANCE * mReference.amaxNumber().doubleValue();
        double worst = 0;
        for (int j = 0; j < n; j++) {
            double bound = (1 - beta1) * rho * Math.abs(t.getDouble(j)) / 256;
            double difference = Math.abs(mLean.getDouble(j) - mReference.getDouble(j));
            assertThat(difference).as("weight %d", j).isLessThanOrEqualTo(bound * (1 + 1e-3) + floatNoise);
            worst = Math.max(worst, (difference - floatNoise) / bound);
        }
        assertThat(worst).as("largest difference over its bound").isGreaterThan(0.3);
    }

    /** Adam's m of the network's first updater block, which must start at the first parameter. */
    private static INDArray firstBlocksMoment(MultiLayerNetwork net) {
        var block = ((org.deeplearning4j.nn.updater.BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()
                .get(0);
        assertThat(block.getParamOffsetStart()).isZero();
        INDArray m = ((org.nd4j.linalg.learning.AdamUpdater) block.getGradientUpdater()).getM();
        return m.reshape(m.length());
    }

    @Test
    void leanRetrainingAfterFilterPruningKeepsRemovedUnitsAndTheirBiasesAtZeroAsDl4jDoes() {
        System.setProperty(LeanDenseTrainer.BF16_TARGET, "false"); // DL4J's float targets, to float rounding
        MultiLayerNetwork lean = mlp(13);
        MultiLayerNetwork reference = mlp(13);
        List<DataSet> pretrain = batches(6, 14);
        pretrain.forEach(lean::fit); // non-zero biases and Adam moments: only the bias mask holds a bias at 0
        pretrain.forEach(reference::fit);
        Map<String, Projection> filters = Map.of("fc1", new FilterSparsity(0.5), "fc2", new FilterSparsity(0.25));
        AdmmSession leanSession = AdmmSession.start(TrainableNetwork.of(lean), "prune", filters,
                RhoSchedule.fixed(0.05), true);
        AdmmSession referenceSession = AdmmSession.start(TrainableNetwork.of(reference), "prune", filters,
                RhoSchedule.fixed(0.05), true);
        LeanDenseTrainer trainer = LeanDenseTrainer.of(lean);
        List<DataSet> data = batches(10, 15);
        leanSession.runRound(r -> data.forEach(trainer::fit));
        referenceSession.runRound(r -> data.forEach(reference::fit));
        leanSession.hardProject();
        referenceSession.hardProject();
        INDArray removed1 = leanSession.biasMask("fc1").eq(0.0);
        assertThat(removed1.castTo(DataType.INT).sumNumber().intValue()).isEqualTo(10); // of 20 units
        INDArray bias1Before = lean.getLayer(0).getParam("b").dup();

        data.forEach(trainer::fit);
        data.forEach(reference::fit);

        assertSameState(lean, reference);
        for (String layer : filters.keySet()) {
            TrainableNetwork net = TrainableNetwork.of(lean);
            double[] b = net.layer(layer).bias().toDoubleVector();
            double[] mask = leanSession.biasMask(layer).toDoubleVector();
            double[] kept = net.layer(layer).keptUnits().toDoubleVector();
            for (int j = 0; j < b.length; j++) {
                assertThat(mask[j]).as("%s unit %d: bias frozen iff the unit is removed", layer, j).isEqualTo(kept[j]);
                if (mask[j] == 0) {
                    assertThat(b[j]).as("%s: bias of removed unit %d", layer, j).isEqualTo(0.0);
                }
            }
        }
        INDArray bias1 = lean.getLayer(0).getParam("b");
        assertThat(bias1.equalsWithEps(bias1Before, 1e-6)).as("kept biases were retrained").isFalse();
    }

    @Test
    void fitEpochTakesTheLeanStepAndMatchesDl4jsEpochs() {
        MultiLayerNetwork lean = mlp(3);
        MultiLayerNetwork reference = mlp(3);
        List<double[]> leanSeen = new ArrayList<>();
        List<double[]> referenceSeen = new ArrayList<>();
        lean.setListeners(new Recorder(leanSeen));
        reference.setListeners(new Recorder(referenceSeen));
        TrainableNetwork leanNet = TrainableNetwork.of(lean);
        TrainableNetwork referenceNet = TrainableNetwork.of(reference);
        assertThat(leanNet.trainingStep()).isEqualTo("lean dense step");
        List<DataSet> data = batches(9, 4);
        for (int epoch = 0; epoch < 2; epoch++) {
            if (epoch == 1) { // as the pipeline does every epoch; DL4J rebuilds the updater
                leanNet.setLearningRate(3e-3);
                referenceNet.setLearningRate(3e-3);
            }
            System.clearProperty(LeanDenseTrainer.PROPERTY);
            leanNet.fitEpoch(new ListDataSetIterator<>(data, 1));
            System.setProperty(LeanDenseTrainer.PROPERTY, "false");
            assertThat(referenceNet.trainingStep()).startsWith("DL4J fit (lean step switched off");
            referenceNet.fitEpoch(new ListDataSetIterator<>(data, 1));
        }
        assertSameState(lean, reference);
        assertThat(lean.getEpochCount()).isEqualTo(2);
        assertThat(leanSeen).hasSize(referenceSeen.size()).hasSize(2 * 9 + 2 * 2);
        for (int i = 0; i < leanSeen.size(); i++) {
            double[] l = leanSeen.get(i);
            double[] r = referenceSeen.get(i);
            assertThat(l[0]).isEqualTo(r[0]); // event: iteration done, epoch start, epoch end
            assertThat(l[1]).as("iteration").isEqualTo(r[1]);
            assertThat(l[2]).as("epoch").isEqualTo(r[2]);
            assertThat(l[3]).as("score").isCloseTo(r[3], SCORE);
        }
    }

    /** Records (event, iteration, epoch, score) for each callback the lean step makes. */
    private static final class Recorder extends BaseTrainingListener {
        private final List<double[]> seen;

        Recorder(List<double[]> seen) {
            this.seen = seen;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            seen.add(new double[]{0, iteration, epoch, model.score()});
        }

        @Override
        public void onEpochStart(Model model) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            seen.add(new double[]{1, net.getIterationCount(), net.getEpochCount(), 0});
        }

        @Override
        public void onEpochEnd(Model model) {
            MultiLayerNetwork net = (MultiLayerNetwork) model;
            seen.add(new double[]{2, net.getIterationCount(), net.getEpochCount(), 0});
        }
    }

    @Test
    void gradientEqualsFiniteDifferencesOfDl4jsLossInDoublePrecision() {
        MultiLayerNetwork net = mlp(9);
        DataSet batch = batches(1, 6, 6, 30, 5, 21, DataType.FLOAT).get(0);
        LeanDenseTrainer trainer = LeanDenseTrainer.of(net);
        double loss = trainer.computeGradient(batch.getFeatures(), batch.getLabels());
        INDArray gradient = net.getFlattenedGradients().castTo(DataType.DOUBLE);
        // The same network in double precision: its loss, as DL4J computes it, differentiated numerically.
        MultiLayerNetwork exact = net.convertDataType(DataType.DOUBLE);
        DataSet exactBatch = new DataSet(batch.getFeatures().castTo(DataType.DOUBLE),
                batch.getLabels().castTo(DataType.DOUBLE));
        assertThat(loss).isCloseTo(exact.score(exactBatch, true), org.assertj.core.data.Offset.offset(1e-6));
        INDArray params = exact.params();
        double h = 1e-6;
        double largest = gradient.amaxNumber().doubleValue();
        int nonZero = 0;
        for (long j = 0; j < params.length(); j++) {
            double original = params.getDouble(j);
            params.putScalar(j, original + h);
            double up = exact.score(exactBatch, true);
            params.putScalar(j, original - h);
            double down = exact.score(exactBatch, true);
            params.putScalar(j, original);
            double numeric = (up - down) / (2 * h);
            // float arithmetic in the lean step: about 1e-6 of the gradient's scale
            assertThat(gradient.getDouble(j)).as("parameter %d", j)
                    .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-5 * largest + 1e-4 * Math.abs(numeric)));
            nonZero += Math.abs(numeric) > 1e-3 * largest ? 1 : 0;
        }
        assertThat(nonZero).isGreaterThan((int) params.length() / 3);
    }

    /**
     * A small convolutional network in LeNet-5's pattern with every supported variant in it: identity and ReLU
     * convolutions, stride 1 and 2, max and average pooling, a pooling that drops the last row and column
     * (Truncate), two input channels, and ({@code hidden}) a dense layer after the convolutions or the output layer
     * right after them.
     */
    private static MultiLayerNetwork convNet(long seed, boolean hidden,
                                             Consumer<NeuralNetConfiguration.ListBuilder> tweak) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
                .updater(new Adam(1e-2)).list();
        if (hidden) { // 13x13x2 -> 11x11x4 -> 5x5x4 -> 4x4x5 -> 2x2x5 -> 8 -> 5
            list.layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(4).activation(Activation.IDENTITY).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                            .stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(2, 2).name("conv2").nOut(5).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2)
                            .stride(2, 2).build())
                    .layer(new DenseLayer.Builder().name("fc").nOut(8).activation(Activation.RELU).build());
        } else { // 13x13x2 -> 6x6x3 -> 3x3x3 -> 2x2x4 -> 1x1x4 -> 5
            list.layer(new ConvolutionLayer.Builder(3, 3).name("conv1").stride(2, 2).nOut(3)
                            .activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.AVG).kernelSize(2, 2)
                            .stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(2, 2).name("conv2").nOut(4).activation(Activation.IDENTITY)
                            .build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
                            .stride(1, 1).build());
        }
        list.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(5)
                .activation(Activation.SOFTMAX).build());
        tweak.accept(list);
        MultiLayerNetwork net = new MultiLayerNetwork(list.setInputType(InputType.convolutionalFlat(13, 13, 2)).build());
        net.init();
        return net;
    }

    private static List<DataSet> imageBatches(int count, long seed) {
        return batches(count, 16, 5, 13 * 13 * 2, 5, seed, DataType.FLOAT);
    }

    @Test
    void convolutionalGradientEqualsDl4jsGradient() {
        for (boolean hidden : new boolean[]{true, false}) {
            MultiLayerNetwork lean = convNet(4, hidden, l -> { });
            MultiLayerNetwork reference = convNet(4, hidden, l -> { });
            assertThat(LeanDenseTrainer.ineligibility(lean)).isNull();
            DataSet batch = imageBatches(1, 8).get(0);
            double loss = LeanDenseTrainer.of(lean).computeGradient(batch.getFeatures(), batch.getLabels());
            reference.setInput(batch.getFeatures());
            reference.setLabels(batch.getLabels());
            reference.computeGradientAndScore();
            assertThat(loss).isCloseTo(reference.score(), SCORE);
            // DL4J divides by the minibatch size later, in the updater; the lean pass does it at once
            INDArray expected = reference.getFlattenedGradients().div(batch.numExamples());
            assertClose("gradient", lean.getFlattenedGradients(), expected);
            // every layer's weights and biases receive a gradient: no part of the comparison is between zeros
            for (var entry : reference.paramTable().entrySet()) {
                assertThat(reference.getGradient().gradientForVariable().get(entry.getKey()).norm2Number().doubleValue())
                        .as(entry.getKey()).isGreaterThan(1e-6);
            }
        }
    }

    @Test
    void convolutionalLeanStepsEqualDl4jSteps() {
        for (boolean hidden : new boolean[]{true, false}) {
            MultiLayerNetwork lean = convNet(6, hidden, l -> { });
            MultiLayerNetwork reference = convNet(6, hidden, l -> { });
            stepBoth(LeanDenseTrainer.of(lean), lean, reference, imageBatches(20, 9));
            assertSameState(lean, reference);
            assertThat(lean.params().distance2(convNet(6, hidden, l -> { }).params())).isGreaterThan(0.1);
        }
    }

    @Test
    void convolutionalLeanStepsEqualDl4jStepsUnderAdmmAndAfterTheHardProjection() {
        System.setProperty(LeanDenseTrainer.BF16_TARGET, "false"); // DL4J's float targets, to float rounding
        MultiLayerNetwork lean = convNet(2, true, l -> { });
        MultiLayerNetwork reference = convNet(2, true, l -> { });
        Map<String, Projection> constraints = Map.of("conv1", new TopKSparsity(0.5), "conv2", new TopKSparsity(0.6),
                "fc", new TopKSparsity(0.5));
        AdmmSession leanSession = AdmmSession.start(TrainableNetwork.of(lean), "prune", constraints,
                RhoSchedule.fixed(0.05), true);
        AdmmSession referenceSession = AdmmSession.start(TrainableNetwork.of(reference), "prune", constraints,
                RhoSchedule.fixed(0.05), true);
        LeanDenseTrainer trainer = LeanDenseTrainer.of(lean);
        List<DataSet> data = imageBatches(8, 13);
        for (int round = 0; round < 2; round++) {
            leanSession.runRound(r -> data.forEach(trainer::fit));
            referenceSession.runRound(r -> data.forEach(reference::fit));
            assertSameState(lean, reference);
        }
        leanSession.hardProject();
        referenceSession.hardProject();
        stepBoth(trainer, lean, reference, imageBatches(8, 14));
        assertSameState(lean, reference);
        INDArray mask = leanSession.mask("conv2");
        assertThat(mask.sumNumber().doubleValue()).isLessThan(0.5 * mask.length());
        assertThat(lean.getParam("2_W").mul(mask.rsub(1)).amaxNumber().doubleValue()).isEqualTo(0.0);
    }

    @Test
    void convolutionalNetworksTheLeanStepDoesNotCoverTrainThroughDl4jsFit() {
        assertThat(LeanDenseTrainer.ineligibility(convNet(1, true, l -> l.layer(0,
                new ConvolutionLayer.Builder(3, 3).nOut(4).padding(1, 1).activation(Activation.IDENTITY).build()))))
                .contains("padding");
        assertThat(LeanDenseTrainer.ineligibility(convNet(1, true, l -> l.layer(0,
                new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.TANH).build()))))
                .contains("activation");
        assertThat(LeanDenseTrainer.ineligibility(convNet(1, true, l -> l.layer(1,
                new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.PNORM).pnorm(2).kernelSize(2, 2).stride(2, 2).build()))))
                .contains("PNORM");
        assertThat(LeanDenseTrainer.ineligibility(convNet(1, true, l -> l.layer(1,
                new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).build()))))
                .contains("Same");
        assertThat(LeanDenseTrainer.ineligibility(convNet(1, true, l -> l.layer(2,
                new ConvolutionLayer.Builder(2, 2).nOut(5).dropOut(0.5).build()))))
                .contains("dropout");
    }

    @Test
    void ineligibleNetworksTrainThroughDl4jsFit() {
        assertThat(LeanDenseTrainer.ineligibility(mlp(1, DataType.FLOAT, b -> b.dropOut(0.5)))).contains("dropout");
        assertThat(LeanDenseTrainer.ineligibility(mlp(1, DataType.DOUBLE, b -> { }))).contains("DOUBLE");
        assertThat(LeanDenseTrainer.ineligibility(mlp(1, DataType.FLOAT, b -> b.l2(1e-4)))).contains("L2");
        assertThat(LeanDenseTrainer.ineligibility(mlp(1, DataType.FLOAT, b -> b.weightDecay(1e-4))))
                .contains("WeightDecay");
        assertThat(LeanDenseTrainer.ineligibility(mlp(1, DataType.FLOAT, b -> b.updater(new Sgd(0.1)))))
                .contains("Sgd");
        MultiLayerNetwork conv = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .updater(new Adam(1e-3)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(6, 6, 1)).build());
        conv.init();
        assertThat(LeanDenseTrainer.ineligibility(conv)).contains("not flat"); // 4-d input
        assertThat(TrainableNetwork.of(conv).trainingStep()).startsWith("DL4J fit (");

        // A listener that watches the forward pass needs DL4J's pass: the network must train through fit.
        MultiLayerNetwork watched = mlp(2);
        int[] forwardPasses = {0};
        watched.setListeners(new BaseTrainingListener() {
            @Override
            public void onForwardPass(Model model, List<INDArray> activations) {
                forwardPasses[0]++;
            }
        });
        TrainableNetwork net = TrainableNetwork.of(watched);
        assertThat(net.trainingStep()).startsWith("DL4J fit (listener").contains("onForwardPass");
        net.fitEpoch(new ListDataSetIterator<>(batches(4, 8), 1));
        assertThat(forwardPasses[0]).isEqualTo(4);
        assertThat(watched.getIterationCount()).isEqualTo(4);
        assertThat(watched.getEpochCount()).isEqualTo(1);
    }
}
