package io.admmnn.hardware;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.hardware.breakeven.CpuKernelBenchmark;
import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Structure of a measurement on tiny shapes (timings are never asserted). */
class CpuKernelBenchmarkTest {

    @Test
    void measuresEveryLayerAtEveryKeptFraction() {
        NetworkShape tiny = new NetworkShape("tiny", List.of(ConvLayer.of("c", 2, 4, 3, 1, 0, 6), new FcLayer("f", 16, 8)));
        List<String> lines = new ArrayList<>();
        MeasuredProfile p = CpuKernelBenchmark.measure(tiny,
                new CpuKernelBenchmark.Options(4, 1, new double[]{0.25, 0.5, 1.0}, 3), "test", lines::add);
        assertThat(p.measurements()).containsOnlyKeys("c", "f");
        p.measurements().values().forEach(points -> {
            assertThat(points).extracting(MeasuredProfile.Point::keptFraction).containsExactly(0.25, 0.5, 1.0);
            assertThat(points).allSatisfy(pt -> assertThat(pt.denseMillis()).isPositive());
        });
        assertThat(lines).hasSize(2);
    }
}
