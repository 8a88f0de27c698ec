package io.admmnn.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The provisional rule and the per-layer break-even policy. */
class KernelPolicyTest {

    @Test
    void theBreakEvenPolicyComparesEachLayersKeptFractionWithItsOwnBreakEvenAndFallsBackForOthers() {
        KernelPolicy policy = KernelPolicy.breakEven(Map.of("ip1", 0.4, "conv1", 0.02), KernelPolicy.provisional());

        assertThat(policy.choose(LayerKind.FULLY_CONNECTED, "ip1", 0.3)).isEqualTo(KernelKind.SPARSE);
        assertThat(policy.choose(LayerKind.FULLY_CONNECTED, "ip1", 0.4)).isEqualTo(KernelKind.DENSE);
        assertThat(policy.choose(LayerKind.CONVOLUTION, "conv1", 0.05)).isEqualTo(KernelKind.DENSE);
        // not measured: the provisional 0.25 rule
        assertThat(policy.choose(LayerKind.FULLY_CONNECTED, "ip2", 0.2)).isEqualTo(KernelKind.SPARSE);
        assertThat(policy.choose(LayerKind.FULLY_CONNECTED, "ip2", 0.3)).isEqualTo(KernelKind.DENSE);
    }
}
