package io.admmnn.experiments.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenBLAS core the launcher chose for ND4J does not reach PyTorch's processes; one the user chose does. */
class ProjectScriptsTest {

    @Test
    void theLaunchersCoreIsDroppedAndTheUsersKept() {
        Map<String, String> byLauncher = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "SkylakeX",
                ProjectScripts.LAUNCHER_CORE, "SkylakeX", "OMP_NUM_THREADS", "1"));
        ProjectScripts.withoutLauncherCore(byLauncher);
        assertThat(byLauncher).containsExactly(Map.entry("OMP_NUM_THREADS", "1"));

        Map<String, String> byUser = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell"));
        ProjectScripts.withoutLauncherCore(byUser);
        assertThat(byUser).containsExactly(Map.entry("OPENBLAS_CORETYPE", "Haswell"));
    }
}
