package io.admmnn.hardware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.hardware.breakeven.BreakEvenAnalysis;
import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.breakeven.MeasuredProfile.Point;
import io.admmnn.hardware.breakeven.MeasuredProfiles;
import io.admmnn.hardware.cost.IndexFormat;
import io.admmnn.hardware.layer.FcLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Break-even interpolation of a measured profile, and the profile file written then read back. */
class MeasuredProfilesTest {

    private static MeasuredProfile profile(List<Point> points) {
        return new MeasuredProfile("test", Map.of("fc", points));
    }

    @Test
    void breakEvenIsInterpolatedInLogKeptFractionBetweenTheMeasuredPoints() {
        // ratio 0.5 at 1/16 and 1.5 at 1/4: 1.0 is half way in log kept fraction, at 1/8.
        MeasuredProfile p = profile(List.of(new Point(1.0 / 64, 1, 0.1), new Point(1.0 / 16, 1, 0.5),
                new Point(0.25, 1, 1.5), new Point(1, 1, 4)));

        assertThat(p.breakEvenKeptFraction("fc")).isCloseTo(0.125, within(1e-12));
        // The same crossing as the planner's bisection over the interpolated profile finds (as a pruning ratio).
        double ratio = BreakEvenAnalysis.of(new FcLayer("fc", 100, 100), p, 32, IndexFormat.parse("csr")).compute();
        assertThat(ratio).isCloseTo(8.0, within(1e-6));
    }

    @Test
    void aLayerWhoseSparseKernelIsNeverSlowerBreaksEvenDenseAndOneSlowerEverywhereBelowItsFirstPoint() {
        assertThat(profile(List.of(new Point(0.1, 2, 1), new Point(1, 2, 1.9))).breakEvenKeptFraction("fc"))
                .isEqualTo(1.0);
        // Below the first point the ratio falls in proportion: 2.0 at 0.1 reaches 1 at 0.05.
        assertThat(profile(List.of(new Point(0.1, 1, 2), new Point(1, 1, 9))).breakEvenKeptFraction("fc"))
                .isCloseTo(0.05, within(1e-12));
    }

    @Test
    void theRuntimeBreakEvenUsesTheRuntimeDenseTimesAndIsNaNWithoutThem() {
        MeasuredProfile p = profile(List.of(new Point(0.1, 1, 0.5, 2), new Point(1, 1, 5, 2)));
        // against runtime dense: 0.25 at 0.1, 2.5 at 1 -> 1.0 at 0.1 * 10^(0.75 / 2.25)
        assertThat(p.runtimeBreakEvenKeptFraction("fc")).isCloseTo(0.1 * Math.pow(10, 0.75 / 2.25), within(1e-12));
        assertThat(profile(List.of(new Point(0.1, 1, 0.5))).runtimeBreakEvenKeptFraction("fc")).isNaN();
    }

    @Test
    void theBreakEvenIsAgainstTheFasterDenseKernelAndEachDenseKernelAloneIsReportedToo() {
        // library dense 1 ms, runtime dense 0.25 ms: sparse 0.5 ms at 10 % beats the library but not the runtime
        MeasuredProfile p = profile(List.of(new Point(0.01, 1, 0.05, 0.25), new Point(0.1, 1, 0.5, 0.25),
                new Point(1, 1, 5, 0.25)));
        assertThat(p.points("fc").get(1).ratio()).isEqualTo(2.0);
        assertThat(p.points("fc").get(1).runtimeDenseIsBest()).isTrue();
        double viaRuntime = p.runtimeBreakEvenKeptFraction("fc");
        assertThat(p.breakEvenKeptFraction("fc")).isEqualTo(viaRuntime).isLessThan(0.1);
        assertThat(p.libraryBreakEvenKeptFraction("fc")).isGreaterThan(0.1);
        // where the library is the faster one, it is the baseline
        MeasuredProfile q = profile(List.of(new Point(0.1, 0.2, 0.5, 1), new Point(1, 0.2, 5, 1)));
        assertThat(q.breakEvenKeptFraction("fc")).isEqualTo(q.libraryBreakEvenKeptFraction("fc"));
    }

    @Test
    void aProfileFileReadsBackWithItsMachineBatchesAndPoints(@TempDir Path dir) throws IOException {
        Map<String, List<Point>> one = new LinkedHashMap<>();
        one.put("conv1", List.of(new Point(0.01, 0.2, 0.01, 0.3), new Point(1, 0.2, 0.9, 0.3)));
        one.put("ip1", List.of(new Point(0.01, 0.05, 0.002), new Point(1, 0.05, 0.4)));
        Map<String, List<Point>> many = Map.of("ip1", List.of(new Point(0.5, 1.5, 2.5, 3.5)));
        MeasuredProfiles written = new MeasuredProfiles("CPU X, 2 cores", Map.of(64, new MeasuredProfile("CPU X, 2 cores",
                many), 1, new MeasuredProfile("CPU X, 2 cores", one)));
        Path file = dir.resolve("profile.csv");
        written.write(file);

        MeasuredProfiles read = MeasuredProfiles.read(file);

        assertThat(read.machine()).isEqualTo("CPU X, 2 cores");
        assertThat(read.batches()).containsExactly(1, 64);
        assertThat(read.at(1).measurements()).isEqualTo(one);
        assertThat(read.at(64).points("ip1")).containsExactly(new Point(0.5, 1.5, 2.5, 3.5));
        assertThat(read.at(1).points("ip1").get(0).runtimeDenseMillis()).isNaN();
        assertThat(read.nearestBatch(100)).isEqualTo(64);
        assertThat(read.nearestBatch(4)).isEqualTo(1);
        assertThatThrownBy(() -> read.at(8)).hasMessageContaining("measured batches: [1, 64]");
    }

    @Test
    void anOlderProfileWithoutBatchesAnswersEveryBatch(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("measured.csv");
        Files.writeString(file, "layer,kept_fraction,dense_ms,sparse_ms,sparse_over_dense\nip1,0.5,2,1,0.5\n");

        MeasuredProfiles read = MeasuredProfiles.read(file);

        assertThat(read.at(1).points("ip1")).containsExactly(new Point(0.5, 2, 1));
        assertThat(read.at(64)).isSameAs(read.at(1));
    }

    @Test
    void aFileThatIsNotAProfileIsAnErrorNamingTheLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("x.csv");
        Files.writeString(file, "a,b\n1,2\n");
        assertThatThrownBy(() -> MeasuredProfiles.read(file)).hasMessageContaining("x.csv:1: not a kernel profile");
    }
}
