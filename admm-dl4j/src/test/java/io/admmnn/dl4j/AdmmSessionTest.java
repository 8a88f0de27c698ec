package io.admmnn.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.core.admm.Residuals;
import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.FilterSparsity;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.UniformQuantization;
import io.admmnn.dl4j.channels.DeadChannels;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.hook.AdmmPenalty;
import io.admmnn.dl4j.hook.PrunedWeightMask;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import io.admmnn.dl4j.session.LayerSparsity;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.profiler.ProfilerConfig;

class AdmmSessionTest {

    private static final long[] MLP_INPUT = {1, 6};

    @BeforeAll
    static void catchWorkspaceLeaks() {
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkWorkspaces(true).build());
    }

    @Test
    void wStepAddsExactlyRhoTimesWMinusZPlusUWithoutDividingByTheBatch() {
        double rho = 0.37;
        MultiLayerNetwork plain = TestNetworks.mlp(new Sgd(1.0), 42);
        MultiLayerNetwork admm = TestNetworks.mlp(new Sgd(1.0), 42);
        AdmmSession session = AdmmSession.start(TrainableNetwork.of(admm), "prune",
                Map.of("fc1", new TopKSparsity(0.5)), RhoSchedule.fixed(rho), true);
        INDArray w0 = admm.getParam("0_W").dup();
        INDArray z = session.variables().get("fc1").z().dup();
        assertThat(plain.getParam("0_W").equals(w0)).isTrue();

        DataSetIterator batch = TestNetworks.data(MLP_INPUT, 3, 8, 1, 1);
        session.runRound(r -> admm.fit(batch.next()));
        batch.reset();
        plain.fit(batch.next());

        // Same loss gradient in both nets; the only difference is the ADMM term, lr = 1, U = 0 in round 0.
        INDArray expectedDifference = w0.sub(z).muli(rho).negi();
        INDArray actualDifference = admm.getParam("0_W").sub(plain.getParam("0_W"));
        for (int i = 0; i < 6; i++) {
            assertThat(actualDifference.getRow(i).toDoubleVector())
                    .containsExactly(expectedDifference.getRow(i).toDoubleVector(), within(1e-6));
        }
        // The untouched output layer trained identically.
        assertThat(admm.getParam("1_W").equalsWithEps(plain.getParam("1_W"), 1e-7)).isTrue();
    }

    @Test
    void aRoundEndsWithWeightsDualsAndAdamMomentsBelow1eMinus30SetToExactZero() {
        MultiLayerNetwork admm = TestNetworks.mlp(new Adam(1e-2), 42);
        AdmmSession session = AdmmSession.start(TrainableNetwork.of(admm), "prune",
                Map.of("fc1", new TopKSparsity(0.5)), RhoSchedule.fixed(0.1), true);
        DataSetIterator batch = TestNetworks.data(MLP_INPUT, 3, 8, 1, 1);
        INDArray state = admm.getUpdater().getStateViewArray();
        session.runRound(r -> {
            admm.fit(batch.next());
            // What float ADMM leaves on a weight with no loss gradient: a subnormal weight and moment, and values
            // decaying towards them.
            admm.params().putScalar(0, 1e-39);
            admm.params().putScalar(1, -2e-31);
            state.putScalar(0, 5e-40);
            state.putScalar(state.length() - 1, 3e-33);
        });
        assertThat(admm.params().getDouble(0)).isZero();
        assertThat(admm.params().getDouble(1)).isZero();
        assertThat(state.getDouble(0)).isZero();
        assertThat(state.getDouble(state.length() - 1)).isZero();
        var v = session.variables().get("fc1");
        for (INDArray a : List.of(admm.params(), state, v.u(), v.z())) {
            assertThat(Arrays.stream(FlatValues.readDoubles(a))).allMatch(x -> x == 0 || Math.abs(x) >= 1e-30);
        }
        // The flush did not wipe the round out: U = W - Z is still non-zero.
        assertThat(v.u().norm2Number().doubleValue()).isGreaterThan(0);
    }

    @Test
    void configurationJsonHoldsOnlyLayerKeyAndRhoAndRoundTrips() {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(1e-2), 1);
        AdmmSession.start(TrainableNetwork.of(net), "prune", Map.of("fc1", new TopKSparsity(0.5)),
                RhoSchedule.fixed(0.25), true);
        String json = net.getLayerWiseConfigurations().toJson();
        assertThat(json).contains("AdmmPenalty").contains("\"layerKey\" : \"fc1\"").contains("\"rho\" : 0.25")
                .contains("PrunedWeightMask").doesNotContain("hooks").doesNotContain("\"z\"");

        MultiLayerConfiguration restored = MultiLayerConfiguration.fromJson(json);
        var regs = ((org.deeplearning4j.nn.conf.layers.BaseLayer) restored.getConf(0).getLayer()).getRegularization();
        assertThat(regs).hasAtLeastOneElementOfType(AdmmPenalty.class).hasAtLeastOneElementOfType(PrunedWeightMask.class);
        AdmmPenalty penalty = (AdmmPenalty) regs.stream().filter(AdmmPenalty.class::isInstance).findFirst().orElseThrow();
        assertThat(penalty.getLayerKey()).isEqualTo("fc1");
        assertThat(penalty.getRho()).isEqualTo(0.25);
        assertThat(penalty.isBound()).isFalse();

        // A network built from that JSON without its ADMM state refuses to train instead of training wrongly.
        MultiLayerNetwork unbound = new MultiLayerNetwork(restored);
        unbound.init();
        DataSetIterator data = TestNetworks.data(MLP_INPUT, 3, 4, 1, 2);
        assertThatThrownBy(() -> unbound.fit(data.next())).hasStackTraceContaining("not bound");
    }

    @Test
    void hardProjectionFreezesZerosThroughAdamRetraining() {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(5e-2), 3);
        AdmmSession session = AdmmSession.start(TrainableNetwork.of(net), "prune",
                Map.of("fc1", new TopKSparsity(0.7), "out", new TopKSparsity(0.5)), RhoSchedule.fixed(1e-2), true);
        DataSetIterator data = TestNetworks.data(MLP_INPUT, 3, 10, 5, 4);
        for (int r = 0; r < 2; r++) {
            session.runRound(round -> net.fit(data));
        }
        Map<String, LayerSparsity> sparsity = session.hardProject();
        assertThat(sparsity.get("fc1").kept()).isEqualTo(9); // round(0.3 * 30)
        assertThat(sparsity.get("out").kept()).isEqualTo(8); // round(0.5 * 15)
        INDArray frozen = session.mask("fc1").eq(0.0);
        INDArray before = net.getParam("0_W").dup();

        for (int epoch = 0; epoch < 10; epoch++) {
            net.fit(data); // Adam accumulates moments everywhere; the mask must still hold zeros at zero
        }
        INDArray after = net.getParam("0_W");
        for (int i = 0; i < after.length(); i++) {
            if (frozen.getDouble(i) != 0) {
                assertThat(after.getDouble(i)).isEqualTo(0.0);
            }
        }
        assertThat(after.equalsWithEps(before, 1e-6)).as("kept weights were retrained").isFalse();
        assertThat(session.sparsity().get("fc1").kept()).isLessThanOrEqualTo(9);
        assertThat(session.isAdmmActive()).isFalse();
    }

    @Test
    void checkpointResumesToTheSameResultAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Map<String, Projection> constraints = Map.of("fc1", new TopKSparsity(0.6));
        RhoSchedule schedule = RhoSchedule.geometric(1e-2, 1.5, 1);
        DataSetIterator data = TestNetworks.data(MLP_INPUT, 3, 10, 4, 5);

        MultiLayerNetwork straight = TestNetworks.mlp(new Adam(1e-2), 9);
        AdmmSession a = AdmmSession.start(TrainableNetwork.of(straight), "prune", constraints, schedule, true);
        a.runRound(r -> straight.fit(data));
        File checkpoint = dir.resolve("ckpt.zip").toFile();
        a.save(checkpoint);
        List<Residuals> last = a.runRound(r -> straight.fit(data));

        AdmmSession b = AdmmSession.restore(checkpoint, constraints, schedule, true);
        MultiLayerNetwork resumed = (MultiLayerNetwork) b.network().model();
        assertThat(b.round()).isEqualTo(1);
        assertThat(b.variables().get("fc1").rho()).isEqualTo(1e-2);
        List<Residuals> lastResumed = b.runRound(r -> resumed.fit(data));

        assertThat(resumed.params().equalsWithEps(straight.params(), 1e-6)).isTrue();
        assertThat(b.variables().get("fc1").z().equalsWithEps(a.variables().get("fc1").z(), 1e-6)).isTrue();
        assertThat(lastResumed.get(0).primal()).isCloseTo(last.get(0).primal(), within(1e-5));
        assertThat(lastResumed.get(0).rho()).isEqualTo(1.5e-2);
    }

    @Test
    void checkpointAfterHardProjectionRestoresTheMask(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(1e-2), 11);
        AdmmSession s = AdmmSession.start(TrainableNetwork.of(net), "prune", Map.of("fc1", new TopKSparsity(0.8)),
                RhoSchedule.fixed(1e-3), true);
        s.hardProject();
        File f = dir.resolve("retrain.zip").toFile();
        s.save(f);

        AdmmSession r = AdmmSession.restore(f, Map.of(), RhoSchedule.fixed(1e-3), true);
        assertThat(r.isAdmmActive()).isFalse();
        assertThat(r.mask("fc1").equals(s.mask("fc1"))).isTrue();
        MultiLayerNetwork restored = (MultiLayerNetwork) r.network().model();
        restored.fit(TestNetworks.data(MLP_INPUT, 3, 10, 3, 1));
        assertThat(r.sparsity().get("fc1").kept()).isEqualTo(6);
    }

    /**
     * VGG in small: conv1 3x3x6 and conv2 3x3x8, both padding 1 and ReLU, max-pool 2, fc 10 ReLU, out 3 softmax, on
     * 3x8x8 maps; Adam; random biases in [-0.5, 0.5) (DL4J's zero biases would make a removed bias trivially 0).
     */
    private static MultiLayerNetwork smallVgg(long seed) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(6).padding(1, 1)
                        .activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(8).padding(1, 1)
                        .activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(10).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 3)).build());
        net.init();
        Nd4j.getRandom().setSeed(seed + 1);
        for (String name : List.of("conv1", "conv2", "fc", "out")) {
            INDArray b = TrainableNetwork.of(net).layer(name).bias();
            b.assign(Nd4j.rand(DataType.FLOAT, b.shape()).subi(0.5));
        }
        return net;
    }

    /** Per output unit of {@code layer}: whether its weights are all zero (a removed filter or dense column). */
    private static boolean[] removedUnits(TrainableNetwork net, String layer) {
        double[] kept = net.layer(layer).keptUnits().toDoubleVector();
        boolean[] removed = new boolean[kept.length];
        for (int j = 0; j < kept.length; j++) {
            removed[j] = kept[j] == 0;
        }
        return removed;
    }

    private static void assertRemovedBiasesZeroAndKeptOnesMoved(TrainableNetwork net, Map<String, boolean[]> removed,
                                                                Map<String, double[]> keptBefore, String when) {
        removed.forEach((layer, units) -> {
            double[] b = net.layer(layer).bias().toDoubleVector();
            double[] before = keptBefore.get(layer);
            boolean moved = false;
            for (int j = 0; j < units.length; j++) {
                if (units[j]) {
                    assertThat(b[j]).as("%s: bias of removed unit %d %s", layer, j, when).isEqualTo(0.0);
                } else {
                    moved |= b[j] != before[j];
                }
            }
            assertThat(moved).as("%s: kept biases trained %s", layer, when).isTrue();
        });
    }

    @Test
    void filterPruningRemovesTheBiasesOfRemovedFiltersThroughRetrainingAndQuantizedRetraining(@TempDir Path dir)
            throws Exception {
        MultiLayerNetwork net = smallVgg(21);
        TrainableNetwork t = TrainableNetwork.of(net);
        long[] input = {1, 3 * 8 * 8};
        DataSetIterator data = TestNetworks.data(input, 3, 8, 4, 6);
        for (int e = 0; e < 3; e++) {
            net.fit(data); // pretraining: Adam's moments of every bias are non-zero, so only a mask holds one at 0
        }
        Map<String, Projection> filters = Map.of("conv1", new FilterSparsity(0.5), "conv2", new FilterSparsity(0.5),
                "fc", new FilterSparsity(0.5));
        AdmmSession session = AdmmSession.start(t, "prune", filters, RhoSchedule.fixed(1e-2), true);
        session.runRound(r -> net.fit(data));
        Map<String, double[]> biasesBefore = new java.util.LinkedHashMap<>();
        filters.keySet().forEach(l -> biasesBefore.put(l, t.layer(l).bias().toDoubleVector()));

        session.hardProject();

        Map<String, boolean[]> removed = new java.util.LinkedHashMap<>();
        filters.keySet().forEach(l -> removed.put(l, removedUnits(t, l)));
        removed.forEach((layer, units) -> assertThat(java.util.stream.IntStream.range(0, units.length)
                .filter(j -> units[j]).count()).as(layer).isEqualTo(units.length / 2));
        removed.forEach((layer, units) -> {
            double[] b = t.layer(layer).bias().toDoubleVector();
            for (int j = 0; j < units.length; j++) {
                assertThat(b[j]).as("%s unit %d", layer, j).isEqualTo(units[j] ? 0.0 : biasesBefore.get(layer)[j]);
            }
        });
        assertThat(biasesBefore.get("conv1")).as("a removed bias was not 0 before").isNotEqualTo(
                t.layer("conv1").bias().toDoubleVector());
        assertThat(session.biasMask("conv1").sumNumber().intValue()).isEqualTo(3); // 1 = kept, trainable

        Map<String, double[]> kept = new java.util.LinkedHashMap<>();
        filters.keySet().forEach(l -> kept.put(l, t.layer(l).bias().toDoubleVector()));
        for (int e = 0; e < 3; e++) {
            net.fit(data); // DL4J's own updater
        }
        assertRemovedBiasesZeroAndKeptOnesMoved(t, removed, kept, "after DL4J retraining");
        filters.keySet().forEach(l -> kept.put(l, t.layer(l).bias().toDoubleVector()));
        for (int e = 0; e < 3; e++) {
            t.fitEpoch(data); // the lean step where the network is eligible
        }
        assertRemovedBiasesZeroAndKeptOnesMoved(t, removed, kept, "after " + t.trainingStep());

        File f = dir.resolve("retrain.zip").toFile();
        session.save(f);
        AdmmSession restored = AdmmSession.restore(f, Map.of(), RhoSchedule.fixed(1e-2), true);
        TrainableNetwork rt = restored.network();
        for (String l : filters.keySet()) {
            assertThat(restored.biasMask(l).equals(session.biasMask(l))).as(l).isTrue();
        }

        Map<String, Projection> levels = new java.util.LinkedHashMap<>();
        filters.keySet().forEach(l -> levels.put(l, UniformQuantization.fit(rt.layer(l).weights(), 4)));
        restored.snapAndFreeze(levels, 0.5);
        filters.keySet().forEach(l -> kept.put(l, rt.layer(l).bias().toDoubleVector()));
        for (int e = 0; e < 3; e++) {
            rt.fitEpoch(data); // quantized retraining of the restored run
        }
        assertRemovedBiasesZeroAndKeptOnesMoved(rt, removed, kept, "after quantized retraining");

        // The removed filters output ReLU(0) = 0, which conv2's zero padding equals: all fold away, exactly.
        INDArray x = TestNetworks.data(input, 3, 16, 1, 9).next().getFeatures();
        MultiLayerNetwork model = (MultiLayerNetwork) rt.model();
        INDArray before = model.output(x, false).dup();
        DeadChannels.Result fold = DeadChannels.fold(rt);
        assertThat(fold.pairs()).extracting(DeadChannels.Pair::deadChannels).containsExactly(3, 4, 5);
        assertThat(fold.pairs()).allSatisfy(p -> assertThat(p.folded()).as(p.describe()).isTrue());
        assertThat(model.output(x, false).equalsWithEps(before, 1e-5)).isTrue();
    }

    @Test
    void computationGraphWithConvolutionAndDenseLayers() {
        ComputationGraph graph = TestNetworks.convGraph(new Adam(1e-2), 5);
        TrainableNetwork net = TrainableNetwork.of(graph);
        assertThat(net.constrainableLayers()).extracting(l -> l.name()).containsExactly("conv", "dense", "out");
        AdmmSession session = AdmmSession.start(net, "prune",
                Map.of("conv", new TopKSparsity(0.5), "dense", new TopKSparsity(0.9)), RhoSchedule.geometric(1, 1.5, 100), true);
        DataSetIterator data = TestNetworks.data(new long[]{1, 1, 6, 6}, 3, 8, 3, 6);
        double firstPrimal = 0;
        double lastPrimal = 0;
        for (int r = 0; r < 6; r++) {
            List<Residuals> res = session.runRound(round -> { graph.fit(data); graph.fit(data); });
            assertThat(res).extracting(Residuals::name).containsExactly("conv", "dense");
            double p = res.stream().mapToDouble(Residuals::primal).sum();
            if (r == 0) {
                firstPrimal = p;
            }
            lastPrimal = p;
        }
        assertThat(lastPrimal).as("W moves towards the constraint set").isLessThan(firstPrimal);
        Map<String, LayerSparsity> s = session.hardProject();
        assertThat(s.get("conv").kept()).isEqualTo(18); // 4*1*3*3 = 36 weights
        assertThat(s.get("dense").kept()).isEqualTo(Math.round(0.1 * 64 * 8));
    }

    @Test
    void unknownLayerNameIsAnErrorNamingTheLayersThatExist() {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(1e-2), 1);
        assertThatThrownBy(() -> AdmmSession.start(TrainableNetwork.of(net), "prune",
                Map.of("fc7", new TopKSparsity(0.5)), RhoSchedule.fixed(1e-3), true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'fc7'").hasMessageContaining("fc1, out");
    }

    @Test
    void quantizationStageKeepsPrunedZerosAndProgressiveSnappingEndsOnTheLevels() {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(1e-2), 21);
        AdmmSession session = AdmmSession.start(TrainableNetwork.of(net), "prune", Map.of("fc1", new TopKSparsity(0.6)),
                RhoSchedule.fixed(1e-2), true);
        DataSetIterator data = TestNetworks.data(MLP_INPUT, 3, 10, 4, 8);
        session.runRound(r -> net.fit(data));
        session.hardProject();
        net.fit(data);
        INDArray pruned = net.getParam("0_W").eq(0.0);

        io.admmnn.core.projection.UniformQuantization q =
                io.admmnn.core.projection.UniformQuantization.fit(net.getParam("0_W"), 2);
        session.beginAdmm("quantize", Map.of("fc1", q), RhoSchedule.geometric(0.1, 2, 10), true);
        for (int r = 0; r < 3; r++) {
            session.runRound(round -> net.fit(data));
        }
        session.endAdmm();
        assertThat(net.getParam("0_W").eq(0.0).equals(pruned)).as("pruned zeros stayed zero under ADMM").isTrue();

        long nonZero = 12; // round(0.4 * 30)
        Map<String, Long> first = session.snapAndFreeze(Map.of("fc1", q), 0.3);
        assertThat(first.get("fc1")).isEqualTo((long) Math.ceil(0.3 * nonZero));
        net.fit(data);
        session.snapAndFreeze(Map.of("fc1", q), 0.3);
        net.fit(data);
        session.snapAndFreeze(Map.of("fc1", q), 1.0);
        net.fit(data); // everything is frozen now: nothing may move
        INDArray w = net.getParam("0_W");
        assertThat(q.isFeasible(w, 1e-7)).as("every weight on a level or zero").isTrue();
        assertThat(w.eq(0.0).equals(pruned)).isTrue();
        assertThat(session.mask("fc1").sumNumber().doubleValue()).isZero();
    }
}
