package io.admmnn.dl4j.speed;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
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
import org.nd4j.linalg.profiler.ProfilerConfig;

class LeanDenseTrainerTest {

    /**
     * Relative tolerance on parameters and updater state: none. The lean step makes the same ND4J calls as DL4J's
     * layers on arrays of the same shapes and orders (only fewer of them), so the results are bit for bit DL4J's;
     * the comparison reports the worst element if they ever are not.
     */
    private static final double TOLERANCE = 0;

    @BeforeAll
    static void catchWorkspaceLeaks() {
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkWorkspaces(true).build());
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(LeanDenseTrainer.PROPERTY);
    }

    /** 3 ReLU/softmax layers, like LeNet-300-100 in miniature. */
    private static MultiLayerNetwork mlp(long seed, DataType type, Consumer<NeuralNetConfiguration.Builder> tweak) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-2))
                .dataType(type);
        tweak.accept(base);
        MultiLayerConfiguration conf = base.list()
                .layer(new DenseLayer.Builder().name("fc1").nIn(30).nOut(20).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc2").nIn(20).nOut(12).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("fc3").nIn(12).nOut(5)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
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

    /** Every element within {@code TOLERANCE} of the reference, relative to the element or 1e-3 of the largest. */
    private static void assertClose(String what, INDArray actual, INDArray expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        double[] a = actual.dup().data().asDouble();
        double[] e = expected.dup().data().asDouble();
        double scale = 0;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        int worst = -1;
        double worstRatio = 0;
        for (int i = 0; i < e.length; i++) {
            double ratio = Math.abs(a[i] - e[i]) / (Math.abs(e[i]) + 1e-3 * scale + 1e-30);
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        assertThat(worstRatio).as("%s: worst element %d: %s vs %s", what, worst, worst < 0 ? 0 : a[worst],
                worst < 0 ? 0 : e[worst]).isLessThanOrEqualTo(TOLERANCE);
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
            assertThat(lean.score()).isEqualTo(reference.score());
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
            assertThat(l[3]).as("score").isEqualTo(r[3]);
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
    void gradientEqualsFiniteDifferencesOfDl4jsLoss() {
        MultiLayerNetwork net = mlp(9, DataType.DOUBLE, b -> { });
        DataSet batch = batches(1, 6, 6, 30, 5, 21, DataType.DOUBLE).get(0);
        LeanDenseTrainer trainer = LeanDenseTrainer.of(net);
        double loss = trainer.computeGradient(batch.getFeatures(), batch.getLabels());
        INDArray gradient = net.getFlattenedGradients().dup();
        assertThat(loss).isCloseTo(net.score(batch, true), org.assertj.core.data.Offset.offset(1e-12));
        INDArray params = net.params();
        double h = 1e-6;
        Random random = new Random(1);
        int checked = 0;
        for (int k = 0; k < 300; k++) {
            long j = random.nextInt((int) params.length());
            double original = params.getDouble(j);
            params.putScalar(j, original + h);
            double up = net.score(batch, true);
            params.putScalar(j, original - h);
            double down = net.score(batch, true);
            params.putScalar(j, original);
            double numeric = (up - down) / (2 * h);
            double analytic = gradient.getDouble(j);
            assertThat(analytic).as("parameter %d", j)
                    .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-7 + 1e-5 * Math.abs(numeric)));
            checked += numeric != 0 ? 1 : 0;
        }
        assertThat(checked).isGreaterThan(150);
    }

    @Test
    void ineligibleNetworksTrainThroughDl4jsFit() {
        assertThat(LeanDenseTrainer.ineligibility(mlp(1, DataType.FLOAT, b -> b.dropOut(0.5)))).contains("dropout");
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
        assertThat(LeanDenseTrainer.ineligibility(conv)).contains("ConvolutionLayer");
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
