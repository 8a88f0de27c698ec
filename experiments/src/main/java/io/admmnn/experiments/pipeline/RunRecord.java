package io.admmnn.experiments.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The measured history of one compression run: what {@code report.json} holds, and (with {@link #nextStep})
 * the state a resumed run continues from. Public fields keep the JSON form obvious.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class RunRecord {

    /** Stage names used as keys of {@link #accuracy}. */
    public static final String PRETRAINED = "pretrained";
    public static final String AFTER_ADMM = "afterAdmm";
    public static final String AFTER_HARD_PRUNE = "afterHardPrune";
    public static final String AFTER_RETRAIN = "afterRetrain";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Provenance provenance;
    public List<String> resumedAt = new ArrayList<>();
    public CompressionPlan plan;
    public int trainImages;
    public int testImages;
    /** Index of the next step to run (see {@link CompressionPlan#stepCount()}). */
    public int nextStep;
    /** Epochs trained so far over all phases; selects the data order of the next epoch. */
    public int globalEpoch;
    /** Test accuracy (fraction) at each stage. */
    public Map<String, Double> accuracy = new LinkedHashMap<>();
    public List<EpochEntry> epochs = new ArrayList<>();
    public List<RoundEntry> admmRounds = new ArrayList<>();
    public List<LayerEntry> layers = new ArrayList<>();
    /** Parameters that are not constrained weights (biases): stored dense, not counted in the ratios. */
    public long otherParameters;
    public Double wallSeconds;
    public String finishedAt;

    /**
     * One training epoch.
     *
     * @param phase        pretrain, admm or retrain
     * @param epoch        global epoch index
     * @param learningRate Adam step size used
     * @param objective    mean training objective over the epoch's minibatches (loss + penalties)
     * @param testAccuracy test accuracy after the epoch
     * @param seconds      wall time of the epoch's training
     */
    public record EpochEntry(String phase, int epoch, double learningRate, double objective, double testAccuracy,
                             double seconds) {
    }

    /** One ADMM round: rho and residuals per layer, and test accuracy of W after the round. */
    public record RoundEntry(int round, double rho, List<LayerResidual> layers, double testAccuracy) {
    }

    /** Residuals of one layer: primal {@code ||W-Z||}, dual {@code rho ||Z-Zprev||}, primal / ||W||. */
    public record LayerResidual(String layer, double primal, double dual, double relativePrimal) {
    }

    /** Final weight counts of one layer. */
    public record LayerEntry(String layer, String type, long weights, long kept, double targetRatio) {
        @JsonProperty("ratio")
        public double ratio() {
            return 1.0 - (double) kept / weights;
        }

        @JsonProperty("compression")
        public double compression() {
            return kept == 0 ? Double.POSITIVE_INFINITY : (double) weights / kept;
        }
    }

    /** Total weights of the listed layers. */
    @JsonProperty("totalWeights")
    public long totalWeights() {
        return layers.stream().mapToLong(LayerEntry::weights).sum();
    }

    /** Total kept (non-zero) weights of the listed layers. */
    @JsonProperty("totalKept")
    public long totalKept() {
        return layers.stream().mapToLong(LayerEntry::kept).sum();
    }

    /** Overall weight compression {@code total / kept}. */
    @JsonProperty("compression")
    public double compression() {
        long kept = totalKept();
        return kept == 0 ? Double.POSITIVE_INFINITY : (double) totalWeights() / kept;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RunRecord fromJson(String json) {
        try {
            return JSON.readValue(json, RunRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
