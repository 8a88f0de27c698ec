package io.admmnn.experiments.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.breakeven.MeasuredProfiles;
import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Structure of a sweep on tiny shapes, a grouped convolution included (timings are never asserted). */
class KernelSweepTest {

    @Test
    void measuresEveryLayerAtEveryBatchAndKeptFractionWithTheExtraPoint() {
        NetworkShape tiny = new NetworkShape("tiny", List.of(new ConvLayer("g", 4, 4, 3, 3, 1, 1, 2, 5, 5),
                new FcLayer("f", 16, 8)));
        List<String> lines = new ArrayList<>();

        MeasuredProfiles p = KernelSweep.measure(tiny, new KernelSweep.Options(List.of(1, 3), new double[]{0.25},
                Map.of("f", 0.5), 1, true), "test", lines::add);

        assertThat(p.batches()).containsExactly(1, 3);
        for (int batch : p.batches()) {
            MeasuredProfile profile = p.at(batch);
            assertThat(profile.measurements()).containsOnlyKeys("g", "f");
            assertThat(profile.points("g")).extracting(MeasuredProfile.Point::keptFraction).containsExactly(0.25);
            assertThat(profile.points("f")).extracting(MeasuredProfile.Point::keptFraction).containsExactly(0.25, 0.5);
            profile.measurements().values().forEach(points -> assertThat(points).allSatisfy(pt -> {
                assertThat(pt.denseMillis()).isPositive();
                assertThat(pt.sparseMillis()).isPositive();
                assertThat(pt.runtimeDenseMillis()).isPositive();
            }));
        }
        assertThat(lines).hasSize(4);
    }
}
