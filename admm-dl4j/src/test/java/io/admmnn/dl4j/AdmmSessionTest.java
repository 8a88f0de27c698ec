package io.admmnn.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.core.admm.Residuals;
import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
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
