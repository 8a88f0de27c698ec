package io.admmnn.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.hardware.breakeven.HardwareProfile;
import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.breakeven.SparseAcceleratorProfile;
import io.admmnn.hardware.cost.CostModel;
import io.admmnn.hardware.cost.EnergyTable;
import io.admmnn.hardware.cost.LayerSetting;
import io.admmnn.hardware.cost.RelativeIndex;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.NetworkShape;
import io.admmnn.hardware.plan.PruningPlan;
import io.admmnn.hardware.plan.PruningPlanner;
import io.admmnn.hardware.plan.PruningPlanner.Priority;
import io.admmnn.hardware.plan.PruningPlanner.Target;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private final HardwareProfile accelerator = new SparseAcceleratorProfile(2.0, 4.0);
    private final PruningPlanner planner = PruningPlanner.withDefaults(accelerator, 32, new RelativeIndex(4));

    private static void assertNoLayerInTheForbiddenBand(PruningPlan plan) {
        for (PruningPlan.Decision d : plan.layers()) {
            if (d.pruningRatio() > 0) {
                assertThat(1 / d.keptFraction()).as(d.layer()).isGreaterThanOrEqualTo(d.breakEven() - 1e-9);
            }
        }
    }

    private static double reduction(NetworkShape net, PruningPlan plan, Priority measure) {
        double dense = 0;
        double kept = 0;
        for (var l : net.layers()) {
            double size = measure == Priority.MACS ? l.macs() : l.weights();
            dense += size;
            kept += size * plan.keptFractions().get(l.name());
        }
        return dense / kept;
    }

    @Test
    void macTargetPrunesConvolutionsFirstAndMeetsTheTarget() {
        NetworkShape lenet = NetworkShape.lenet5();
        PruningPlan plan = planner.plan(lenet, new Target(Priority.MACS, 4), Priority.MACS);
        assertThat(reduction(lenet, plan, Priority.MACS)).isGreaterThanOrEqualTo(4);
        assertNoLayerInTheForbiddenBand(plan);
        Map<String, Double> kept = plan.keptFractions();
        assertThat(kept.get("conv2")).isLessThan(1);
        assertThat(kept.get("ip2")).as("a 5,000-MAC layer is not worth touching").isEqualTo(1);
        assertThat(plan.layers()).allSatisfy(d -> assertThat(d.reason()).isNotBlank());
    }

    @Test
    void weightTargetPrunesTheLargestLayersFirst() {
        NetworkShape lenet = NetworkShape.lenet5();
        PruningPlan plan = planner.plan(lenet, new Target(Priority.WEIGHTS, 20), Priority.WEIGHTS);
        assertThat(reduction(lenet, plan, Priority.WEIGHTS)).isGreaterThanOrEqualTo(20);
        assertThat(plan.keptFractions().get("ip1")).isLessThan(0.05);
        assertThat(plan.keptFractions().get("conv1")).isEqualTo(1);
        assertNoLayerInTheForbiddenBand(plan);
        assertThat(plan.ratios()).doesNotContainKey("conv1");
    }

    @Test
    void aComputationTargetedAlexnetPlanCutsMoreMacsAtTheReferenceWeightCount() {
        NetworkShape alex = NetworkShape.alexnet();
        PruningPlan plan = planner.plan(alex, new Target(Priority.WEIGHTS, 24.70), Priority.MACS);
        assertNoLayerInTheForbiddenBand(plan);
        Map<String, LayerSetting> settings = new LinkedHashMap<>();
        plan.keptFractions().forEach((l, k) -> settings.put(l, k == 1 ? LayerSetting.dense32()
                : LayerSetting.pruned(k, new RelativeIndex(4))));
        var model = new CostModel(EnergyTable.horowitz45nm(), accelerator);
        var planned = model.evaluate(alex, settings);
        var reference = model.evaluate(alex, CostModelTest.referenceAlexnet24x());
        assertThat(planned.weightCompression()).isGreaterThanOrEqualTo(24.70);
        assertThat(planned.macReduction()).isGreaterThan(2 * reference.macReduction());
    }

    @Test
    void anUnreachableTargetSaysSo() {
        PruningPlan plan = planner.plan(NetworkShape.lenet5(), new Target(Priority.WEIGHTS, 10_000), Priority.WEIGHTS);
        assertThat(plan.target()).contains("NOT reached");
    }

    @Test
    void aLayerWhoseSparseFormNeverWinsStaysDense() {
        FcLayer small = new FcLayer("fc", 10, 10);
        MeasuredProfile slow = new MeasuredProfile("test", Map.of("fc", List.of(
                new MeasuredProfile.Point(0.001, 1, 100), new MeasuredProfile.Point(1, 1, 300))));
        PruningPlanner p = PruningPlanner.withDefaults(slow, 32, new RelativeIndex(4));
        PruningPlan plan = p.plan(new NetworkShape("one", List.of(small)), new Target(Priority.MACS, 2), Priority.MACS);
        assertThat(plan.keptFractions().get("fc")).isEqualTo(1);
        assertThat(plan.layers().get(0).reason()).contains("never beats dense");
    }

    @Test
    void measuredProfileInterpolatesInLogKeptFraction() {
        MeasuredProfile m = new MeasuredProfile("test", Map.of("fc", List.of(
                new MeasuredProfile.Point(0.01, 10, 1), new MeasuredProfile.Point(0.1, 10, 5), new MeasuredProfile.Point(1, 10, 40))));
        FcLayer fc = new FcLayer("fc", 100, 100);
        assertThat(m.sparseOverDenseTime(fc, 0.1)).isCloseTo(0.5, within(1e-12));
        assertThat(m.sparseOverDenseTime(fc, Math.sqrt(0.1))).isCloseTo((0.5 + 4) / 2, within(1e-12));
        assertThat(m.sparseOverDenseTime(fc, 0.005)).isCloseTo(0.05, within(1e-12));
    }
}
