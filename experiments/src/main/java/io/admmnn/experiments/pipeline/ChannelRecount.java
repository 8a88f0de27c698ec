package io.admmnn.experiments.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.data.EpochOrderedBatches;
import io.admmnn.experiments.report.PruningReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Counts the BOPs with removed channels ({@link RunRecord#bopsChannels}) of an ADMM run that finished before the
 * pipeline counted them: folds the dead channels of a copy in memory of its saved network ({@link ChannelFold}, the
 * pipeline's own code path), measures the plan's test accuracy before and after the fold, and writes the count into
 * its report.json (noted {@link BopsTable.Channels#countedBy}) and report.md. Nothing else of report.json changes;
 * the model files are not rewritten.
 */
public final class ChannelRecount {

    private ChannelRecount() {
    }

    /**
     * Counts the run in {@code folder} and rewrites its report.
     *
     * @param dataDir   folder of the plan's data set, or null for its default
     * @param force     count again a run that has the count already
     * @param countedBy the command line and commit to record
     * @return the record as written
     * @throws IllegalArgumentException (one line) for a folder that is not a finished ADMM run with report.json and
     *                                  model.zip, one counted already (without {@code force}), a model that is not
     *                                  the one the report describes, or a fold that changes the accuracy
     */
    public static RunRecord recount(Path folder, Path dataDir, boolean force, String countedBy, Consumer<String> log)
            throws IOException {
        Path json = folder.resolve("report.json");
        Path model = folder.resolve(CompressionPipeline.MODEL);
        if (!Files.isRegularFile(json) || !Files.isRegularFile(model)) {
            throw new IllegalArgumentException(folder + " is not a finished run's results folder: no "
                    + (Files.isRegularFile(json) ? CompressionPipeline.MODEL : "report.json") + " in it");
        }
        String original = Files.readString(json);
        RunRecord rec = RunRecord.read(folder);
        if (rec.finishedAt == null || rec.bops == null) {
            throw new IllegalArgumentException(json + ": the run " + (rec.finishedAt == null ? "has not finished"
                    : "has no BOPs count (bops), made before there was one") + "; nothing to count against");
        }
        if (rec.plan.usesDjpq()) {
            throw new IllegalArgumentException(json + " is a DJPQ run: its " + CompressionPipeline.MODEL
                    + " is the network with gates, not the exported one the count needs");
        }
        if (rec.bopsChannels != null && !force) {
            throw new IllegalArgumentException(json + " has bopsChannels already" + (rec.bopsChannels.countedBy() == null
                    ? " (counted by the run)" : " (counted by " + rec.bopsChannels.countedBy() + ")")
                    + "; --force counts again");
        }
        requireRoundTrip(original, rec, json);

        TrainableNetwork net = TrainableNetwork.load(model.toFile(), false);
        Map<String, Integer> weightBits = CompressionPipeline.weightBits(rec.plan);
        requireSameBops(rec, net, weightBits, model);
        DatasetId dataset = DatasetId.byId(rec.plan.dataset());
        Path dir = dataset.ensureAvailable(dataDir != null ? dataDir : dataset.defaultDirectory(), log);
        EpochOrderedBatches test = CompressionPipeline.testBatches(rec.plan, dir, Math.toIntExact(net.outputSize()),
                dataset.inMemory() ? null : ImageInput.options(rec.plan, net, false));
        ChannelFold fold;
        try {
            fold = ChannelFold.of(net, test, log);
        } finally {
            CompressionPipeline.closeAll(test);
        }
        if (fold.after() != fold.before()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: folding the dead channels changed the "
                    + "test accuracy (%.4f%% before, %.4f%% after); report.json left as it was", folder,
                    100 * fold.before(), 100 * fold.after()));
        }
        rec.bopsChannels = fold.count(net, rec.exampleShape(), weightBits, rec.bops.bopsReference())
                .withCountedBy(countedBy);
        PruningReport.write(rec, folder);
        return rec;
    }

    /**
     * Fails unless report.json read into a {@link RunRecord} and written back is the same JSON but for
     * bopsChannels: the rewrite must change nothing else (a field an older record had and this code lacks).
     */
    private static void requireRoundTrip(String original, RunRecord rec, Path json) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonNode before = mapper.readTree(original);
        JsonNode after = mapper.readTree(rec.toJson());
        ((ObjectNode) before).remove("bopsChannels");
        ((ObjectNode) after).remove("bopsChannels");
        if (!before.equals(after)) {
            String field = "?";
            for (var it = before.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!before.get(f).equals(after.get(f))) {
                    field = f;
                    break;
                }
            }
            for (var it = after.fieldNames(); field.equals("?") && it.hasNext(); ) {
                String f = it.next();
                field = before.has(f) ? "?" : f;
            }
            throw new IllegalArgumentException(json + ": rewriting it would change more than bopsChannels (field '"
                    + field + "'); left as it was");
        }
    }

    /**
     * Fails unless the saved network, counted as the run counted it, gives the run's recorded BOPs table (the same
     * MACs, b_w and b_a per layer): it is the network the report describes, with its activation quantizers.
     */
    private static void requireSameBops(RunRecord rec, TrainableNetwork net, Map<String, Integer> weightBits,
                                        Path model) {
        BopsTable.Summary now = BopsTable.summary(BopsTable.count(net, org.nd4j.linalg.factory.Nd4j.zeros(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, rec.exampleShape()), weightBits), rec.bops.bopsReference());
        if (!now.equals(rec.bops)) {
            String first = now.layers().size() != rec.bops.layers().size() ? "the layers differ"
                    : java.util.stream.IntStream.range(0, now.layers().size())
                    .filter(i -> !now.layers().get(i).equals(rec.bops.layers().get(i)))
                    .mapToObj(i -> "saved " + now.layers().get(i) + ", recorded " + rec.bops.layers().get(i))
                    .findFirst().orElse("the totals differ");
            throw new IllegalArgumentException(model + " is not the network report.json's BOPs table was counted on: "
                    + first);
        }
    }
}
