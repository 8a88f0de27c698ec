package io.admmnn.experiments.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.admmnn.core.io.ErrorText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    public static final String AFTER_QUANT_ADMM = "afterQuantizationAdmm";
    public static final String AFTER_QUANTIZATION = "afterQuantization";
    public static final String FROM_COMPRESSED_FILE = "fromCompressedFile";
    /**
     * After the dead channels of the final network (DJPQ: of its exported plain network) were folded into the next
     * layers (exact: the accuracy before it, up to float rounding).
     */
    public static final String AFTER_CHANNEL_FOLD = "afterChannelFold";
    /** DJPQ: after joint training (test-time gates mask * mu, learned quantizers). */
    public static final String AFTER_DJPQ = "afterDjpq";
    /** DJPQ: right after the pruned channels were removed and the bits fixed (power-of-two widths if so planned). */
    public static final String AFTER_DJPQ_PRUNED = "afterDjpqPruned";
    /** DJPQ: after fine-tuning the pruned, fixed-bit network. */
    public static final String AFTER_DJPQ_FINETUNE = "afterDjpqFinetune";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public Provenance provenance;
    /** The saved network the run started from ({@link CompressionPlan#startFrom()}), or null. */
    public SourceModel source;
    public List<String> resumedAt = new ArrayList<>();
    public CompressionPlan plan;
    public int trainImages;
    public int testImages;
    /** Shape of one example as the network got it, e.g. {@code [1, 3, 32, 32]}; null: the data set's default. */
    public long[] inputShape;
    /** Index of the next step to run, in the list of steps the {@link CompressionPlan} unrolls into. */
    public int nextStep;
    /** Epochs trained so far over all phases; selects the data order of the next epoch. */
    public int globalEpoch;
    /** Test accuracy (fraction) at each stage. */
    public Map<String, Double> accuracy = new LinkedHashMap<>();
    public List<EpochEntry> epochs = new ArrayList<>();
    public List<RoundEntry> admmRounds = new ArrayList<>();
    /** Test accuracy after each pruning stage's hard projection and after its retraining, by stage. */
    public List<StageEntry> stages = new ArrayList<>();
    /** Fitted quantization scale q of each layer (set when the quantization stage starts). */
    public Map<String, Double> quantizationScales = new LinkedHashMap<>();
    /** Storage of the final model in the compressed format. */
    public StorageEntry storage;
    /** Bit operations of the final model per layer, with b_w and b_a (null in records from before they existed). */
    public BopsTable.Summary bops;
    /**
     * Bit operations of the final model with its removed channels gone (DJPQ's count, for ADMM and DJPQ runs alike);
     * null in records from before they existed.
     */
    public BopsTable.Channels bopsChannels;
    public List<LayerEntry> layers = new ArrayList<>();
    /** Parameters that are not constrained weights (biases): stored dense, not counted in the ratios. */
    public long otherParameters;
    public Double wallSeconds;
    /** Image files left out because they could not be read or decoded (skipping on), sorted; null if none. */
    public List<String> unreadableImages;
    public String finishedAt;
    /** Whether each constrained layer of the final model lies in each of its constraint sets (empty until finished). */
    public List<SetMembership> finalSets = new ArrayList<>();
    /** DJPQ runs: kept channels, bit widths and BOPs after joint training; null for ADMM runs. */
    public DjpqEntry djpq;

    /** The shape of one example as the network takes it: {@link #inputShape}, or the data set's default. */
    public long[] exampleShape() {
        return inputShape != null ? inputShape : io.admmnn.experiments.data.DatasetId.byId(plan.dataset()).exampleShape();
    }

    /**
     * The dense accuracy (fraction) to compare with: the dense baseline of the run that wrote the starting model when
     * that is known, else {@link #PRETRAINED} (this run's own dense training, or the starting model as loaded);
     * null if neither was recorded.
     */
    public Double denseBaseline() {
        return source != null && source.denseBaseline() != null ? source.denseBaseline() : accuracy.get(PRETRAINED);
    }

    /**
     * The stage whose accuracy the run ended with: {@link #FROM_COMPRESSED_FILE} where the model file was read back,
     * else the last stage {@link #accuracy} recorded after the dense baseline; null if it recorded none.
     */
    public String finalStage() {
        if (accuracy.containsKey(FROM_COMPRESSED_FILE)) {
            return FROM_COMPRESSED_FILE;
        }
        String last = null;
        for (String key : accuracy.keySet()) {
            last = key.equals(PRETRAINED) ? last : key;
        }
        return last;
    }

    /** Test accuracy (fraction) of {@link #finalStage()}, or null if there is none. */
    public Double finalAccuracy() {
        String stage = finalStage();
        return stage == null ? null : accuracy.get(stage);
    }

    /** Adds the files of {@code lists} to {@link #unreadableImages}, each once. */
    @SafeVarargs
    public final void noteUnreadable(List<String>... lists) {
        java.util.TreeSet<String> all = new java.util.TreeSet<>(unreadableImages == null ? List.of() : unreadableImages);
        for (List<String> l : lists) {
            all.addAll(l);
        }
        unreadableImages = all.isEmpty() ? null : new ArrayList<>(all);
    }

    /**
     * One training epoch.
     *
     * @param phase        pretrain, admm or retrain
     * @param epoch        global epoch index
     * @param learningRate Adam step size used
     * @param objective    mean training loss over the epoch's minibatches (the data loss DL4J reports; the ADMM penalty is not in it)
     * @param testAccuracy test accuracy after the epoch
     * @param seconds      wall time of the epoch's training
     */
    public record EpochEntry(String phase, int epoch, double learningRate, double objective, double testAccuracy,
                             double seconds) {
    }

    /**
     * The saved network a run started from, and what its own run recorded (when its {@code report.json} is
     * next to it), so that accuracy is compared with the dense baseline the weights descend from.
     *
     * @param file          the model file read
     * @param sha256        its SHA-256
     * @param command       the command of the run that wrote it, or null if unknown
     * @param gitCommit     that run's commit, or null
     * @param denseBaseline that run's dense baseline test accuracy (fraction), or null
     */
    public record SourceModel(String file, String sha256, String command, String gitCommit, Double denseBaseline) {
    }

    /** One ADMM round of a stage ("prune-1", ..., "quantize"): rho, residuals per layer, test accuracy of W. */
    public record RoundEntry(String stage, int round, double rho, List<LayerResidual> layers, double testAccuracy) {
    }

    /** A progressive pruning stage: its weight compression and accuracies. */
    public record StageEntry(int stage, double compression, double afterHardPrune, Double afterRetrain) {
    }

    /**
     * The compressed model file.
     *
     * @param file                 file name in the results folder
     * @param fileBytes            its size on disk
     * @param headerBytes          configuration, metadata and checksum
     * @param weightDataBytes      packed values, indices and codebooks of all weight tensors
     * @param denseParameterBytes  biases, 4 bytes each
     * @param weightReductionWithoutIndex 32-bit dense weights over stored value bits (+ codebooks)
     * @param weightReductionWithIndex    32-bit dense weights over value, index and filler bits (+ codebooks)
     * @param fileReduction        32-bit dense model (weights and biases) over the file size
     * @param layers               per layer
     */
    public record StorageEntry(String file, long fileBytes, long headerBytes, long weightDataBytes,
                               long denseParameterBytes, double weightReductionWithoutIndex,
                               double weightReductionWithIndex, double fileReduction,
                               List<io.admmnn.format.LayerStorage> layers) {
    }

    /** Residuals of one layer: primal {@code ||W-Z||}, dual {@code rho ||Z-Zprev||}, primal / ||W||. */
    public record LayerResidual(String layer, double primal, double dual, double relativePrimal) {
    }

    /**
     * Whether a layer's final weights lie in one of its constraint sets ({@code Projection.isFeasible} with an absolute
     * tolerance of 1e-6 per weight).
     *
     * @param layer    layer name
     * @param set      the set as {@code Projection.describe} words it
     * @param feasible whether the weights are in it
     */
    public record SetMembership(String layer, String set, boolean feasible) {
    }

    /** The layers whose final weights are outside one of their constraint sets, as "layer (set)". */
    public List<String> layersOutsideTheirSets() {
        return finalSets.stream().filter(m -> !m.feasible()).map(m -> m.layer() + " (" + m.set() + ")").toList();
    }

    /**
     * One weighted layer after DJPQ: kept channels, and its weight and input-activation quantizers as
     * (bits, range); the ranges are the largest magnitudes represented.
     */
    public record DjpqLayer(String layer, int inChannels, int keptIn, int outChannels, int keptOut, int weightBits,
                            double weightRange, int activationBits, double activationRange, boolean activationSigned) {
    }

    /**
     * DJPQ's outcome: per layer, and BOPs (MACs x b_w x b_a per example, kept channels) against the unpruned
     * network at 32 x 32 bits.
     */
    public record DjpqEntry(List<DjpqLayer> layers, double bops, double denseBops) {
        /** {@code denseBops / bops}. */
        @JsonProperty("bopsReduction")
        public double bopsReduction() {
            return denseBops / bops;
        }
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

    /**
     * Reads the {@code report.json} of a results folder.
     *
     * @throws IllegalArgumentException (one line) if it is missing, not JSON, or not a run record
     */
    public static RunRecord read(Path folder) throws IOException {
        Path json = folder.resolve("report.json");
        if (!Files.isRegularFile(json)) {
            throw new IllegalArgumentException("no report.json in " + folder + " (not a results folder?)");
        }
        RunRecord rec;
        try {
            rec = JSON.readValue(Files.readString(json), RunRecord.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(json + " is not a run record: " + ErrorText.firstLine(
                    e.getOriginalMessage()) + (e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        if (rec == null || rec.plan == null) {
            throw new IllegalArgumentException(json + " is not a run record: it has no plan");
        }
        return rec;
    }

    public static RunRecord fromJson(String json) {
        try {
            return JSON.readValue(json, RunRecord.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
