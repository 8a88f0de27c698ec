package io.admmnn.experiments.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.admmnn.runtime.kernel.KernelKind;
import io.admmnn.runtime.kernel.LayerKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** admm-runtime's kernel choice built from a measured profile file. */
class MeasuredKernelPolicyTest {

    /** ip1 breaks even at 1/8 (batch 1) and 1/32 (batch 64) against the runtime's dense kernel. */
    private static Path profile(Path dir) throws IOException {
        Path file = dir.resolve("profile.csv");
        Files.writeString(file, """
                # machine: test CPU
                layer,batch,kept_fraction,dense_ms,sparse_ms,sparse_over_dense,runtime_dense_ms
                ip1,1,0.0625,1,0.5,0.5,1
                ip1,1,0.25,1,1.5,1.5,1
                ip1,64,0.015625,1,0.5,0.5,1
                ip1,64,0.0625,1,1.5,1.5,1
                """);
        return file;
    }

    @Test
    void choosesSparseBelowTheLayersBreakEvenAtTheNearestMeasuredBatch(@TempDir Path dir) throws IOException {
        MeasuredKernelPolicy one = MeasuredKernelPolicy.from(profile(dir), 1);
        MeasuredKernelPolicy many = MeasuredKernelPolicy.from(profile(dir), 100);

        assertThat(one.breakEven().get("ip1")).isCloseTo(0.125, within(1e-12));
        assertThat(one.policy().choose(LayerKind.FULLY_CONNECTED, "ip1", 0.1)).isEqualTo(KernelKind.SPARSE);
        assertThat(many.batch()).isEqualTo(64);
        assertThat(many.policy().choose(LayerKind.FULLY_CONNECTED, "ip1", 0.1)).isEqualTo(KernelKind.DENSE);
        assertThat(many.policy().choose(LayerKind.FULLY_CONNECTED, "ip1", 0.02)).isEqualTo(KernelKind.SPARSE);
        assertThat(many.description()).contains("batch 64, the nearest measured to 100")
                .contains("admm-runtime's dense kernel").contains("ip1 0.03125");
    }

    @Test
    void layersTheProfileLacksGetTheProvisionalRule(@TempDir Path dir) throws IOException {
        MeasuredKernelPolicy p = MeasuredKernelPolicy.from(profile(dir), 1);

        assertThat(p.policy().choose(LayerKind.CONVOLUTION, "conv1", 0.2)).isEqualTo(KernelKind.SPARSE);
        assertThat(p.policy().choose(LayerKind.CONVOLUTION, "conv1", 0.3)).isEqualTo(KernelKind.DENSE);
        assertThat(p.description()).contains("provisional rule for other layers");
    }
}
