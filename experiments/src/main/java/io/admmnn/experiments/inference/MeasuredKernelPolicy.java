package io.admmnn.experiments.inference;

import io.admmnn.hardware.breakeven.MeasuredProfile;
import io.admmnn.hardware.breakeven.MeasuredProfiles;
import io.admmnn.runtime.kernel.KernelPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * admm-runtime's kernel choice from a measured profile file ({@code admm-nn hardware measure}'s
 * {@code profile.csv}): sparse when a layer's kept fraction is below its measured break-even kept fraction at the
 * measured batch nearest to the one the model will run at; the provisional rule for layers the profile lacks.
 *
 * <p>The break-even used is the one against admm-runtime's own dense kernel when the profile has it, since that is
 * the alternative the runtime has; otherwise the one against the best dense kernel (ND4J/oneDNN).
 *
 * @param policy      the policy
 * @param batch       the measured batch whose break-evens it uses
 * @param breakEven   per measured layer, its break-even kept fraction
 * @param description one line saying what was used
 */
public record MeasuredKernelPolicy(KernelPolicy policy, int batch, Map<String, Double> breakEven,
                                   String description) {

    /** The provisional rule, described. */
    public static MeasuredKernelPolicy provisional() {
        return new MeasuredKernelPolicy(KernelPolicy.provisional(), 0, Map.of(), String.format(Locale.ROOT,
                "kernel policy: provisional rule (sparse below %.2f kept, not measured)",
                KernelPolicy.PROVISIONAL_FULLY_CONNECTED));
    }

    /**
     * The policy of {@code profileFile} for running at {@code batch}.
     *
     * @throws IllegalArgumentException if the file does not exist
     * @throws IOException              if it is not a profile file
     */
    public static MeasuredKernelPolicy from(Path profileFile, int batch) throws IOException {
        if (!Files.isRegularFile(profileFile)) {
            throw new IllegalArgumentException("kernel profile " + profileFile
                    + " not found (write one with admm-nn hardware measure)");
        }
        MeasuredProfiles profiles = MeasuredProfiles.read(profileFile);
        int measured = profiles.nearestBatch(batch);
        MeasuredProfile profile = profiles.at(measured);
        Map<String, Double> breakEven = new LinkedHashMap<>();
        boolean againstRuntime = true;
        for (String layer : profile.measurements().keySet()) {
            double k = profile.runtimeBreakEvenKeptFraction(layer);
            if (Double.isNaN(k)) {
                againstRuntime = false;
                k = profile.breakEvenKeptFraction(layer);
            }
            breakEven.put(layer, k);
        }
        String description = String.format(Locale.ROOT, "kernel policy: measured (%s, batch %s%s; break-even kept "
                        + "fraction against %s: %s); the provisional rule for other layers", profileFile,
                measured == MeasuredProfiles.BATCH_NOT_RECORDED ? "not recorded" : Integer.toString(measured),
                measured == batch || measured == MeasuredProfiles.BATCH_NOT_RECORDED ? ""
                        : ", the nearest measured to " + batch,
                againstRuntime ? "admm-runtime's dense kernel" : "the best dense kernel",
                breakEven.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.4g", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", ")));
        return new MeasuredKernelPolicy(KernelPolicy.breakEven(breakEven, KernelPolicy.provisional()), measured,
                breakEven, description);
    }
}
