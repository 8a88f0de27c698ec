package io.admmnn.experiments.report;

import io.admmnn.core.io.AtomicFile;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.pipeline.BopsTable;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.pipeline.SavedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes the results folder of a pruning run: {@code report.json} (everything measured), {@code report.md}
 * (the tables a reader wants), PNG charts of accuracy per epoch, ADMM residuals per round and kept
 * weights per layer, and, when the folder holds the saved network, the {@link SparsityTable} of its weights.
 */
public final class PruningReport {

    private PruningReport() {
    }

    /** Writes all files into {@code dir} and returns the Markdown. */
    public static String write(RunRecord rec, Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFile.writeString(dir.resolve("report.json"), rec.toJson());
        String md = markdown(rec);
        if (SavedModels.find(dir) != null) {
            // Read from the saved weights, so older results folders get the table from `admm-nn report` too.
            INDArray example = Nd4j.zeros(DataType.FLOAT, rec.exampleShape());
            md += "\n" + SparsityTable.write(SparsityTable.of(SavedModels.load(dir), example), dir);
        }
        AtomicFile.writeString(dir.resolve("report.md"), md);
        accuracyChart(rec, dir.resolve("accuracy.png"));
        if (!rec.epochs.isEmpty()) {
            lossChart(rec, dir.resolve("loss.png"));
        }
        if (!rec.admmRounds.isEmpty()) {
            residualCharts(rec, dir.resolve("residuals.png"), dir.resolve("dual-residuals.png"));
        }
        keptChart(rec, dir.resolve("kept.png"));
        return md;
    }

    /** The Markdown report. */
    public static String markdown(RunRecord rec) {
        StringBuilder md = new StringBuilder();
        var p = rec.provenance;
        DatasetId dataset = DatasetId.byId(rec.plan.dataset());
        md.append(rec.plan.usesDjpq() ? "# DJPQ (differentiable joint pruning and quantization)"
                : "# ADMM " + (rec.plan.quantizes() ? "pruning and quantization" : "pruning")).append(" of ")
                .append(rec.plan.model()).append(" on ").append(dataset.displayName()).append("\n\n");
        md.append(p.markdownTable(true));
        row(md, "started", p.startedAt());
        row(md, "finished", rec.finishedAt == null ? "not finished (resume to continue)" : rec.finishedAt);
        if (!rec.resumedAt.isEmpty()) {
            row(md, "resumed", String.join("; ", rec.resumedAt));
        }
        row(md, "wall time", rec.wallSeconds == null ? "-" : String.format(Locale.ROOT, "%.0f s", rec.wallSeconds));
        row(md, "data", rec.trainImages + " training / " + rec.testImages + " test images (" + dataset.displayName()
                + ", " + dataset.source() + ")");
        if (rec.unreadableImages != null) {
            int n = rec.unreadableImages.size();
            row(md, "skipped", n + " unreadable image" + (n == 1 ? "" : "s") + " skipped (--skip-unreadable-images): "
                    + String.join(", ", rec.unreadableImages.subList(0, Math.min(n, 20))) + (n > 20 ? ", ..." : ""));
        }

        RunRecord.SourceModel source = rec.source;
        if (source != null) {
            row(md, "started from", "`" + source.file() + "` (SHA-256 " + source.sha256().substring(0, 12) + "…"
                    + (source.command() == null ? ", no run record beside it" : ", written by `" + source.command()
                    + "` at " + source.gitCommit()) + ")");
        }
        boolean sourceBaseline = source != null && source.denseBaseline() != null;
        md.append("\n## Test accuracy\n\n| stage | accuracy | change vs ").append(source == null ? "pretrained"
                : sourceBaseline ? "the source run's dense baseline" : "the starting model").append(" (points) |\n|---|---:|---:|\n");
        Double base = rec.denseBaseline();
        if (sourceBaseline) {
            md.append("| dense baseline of the run that wrote the starting model | ").append(pct(base)).append(" |  |\n");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(RunRecord.PRETRAINED, source == null ? "pretrained (dense baseline)" : rec.plan.pretrain().epochs() == 0
                ? "starting model (loaded)" : "starting model after " + rec.plan.pretrain().epochs() + " training epochs");
        labels.put(RunRecord.AFTER_ADMM, "after ADMM (W, not yet projected)");
        labels.put(RunRecord.AFTER_HARD_PRUNE, "right after hard projection");
        labels.put(RunRecord.AFTER_RETRAIN, "after masked retraining");
        labels.put(RunRecord.AFTER_QUANT_ADMM, "after quantization ADMM (W, not yet on levels)");
        labels.put(RunRecord.AFTER_QUANTIZATION, "after progressive quantization (every weight on its level)");
        labels.put(RunRecord.AFTER_DJPQ, "after DJPQ training (test-time gates mask·mu, learned quantizers)");
        labels.put(RunRecord.AFTER_DJPQ_PRUNED, "pruned channels removed, gates folded into the weights, bits fixed (before fine-tuning)");
        labels.put(RunRecord.AFTER_DJPQ_FINETUNE, "after fine-tuning");
        labels.put(RunRecord.AFTER_CHANNEL_FOLD, "dead channels folded into the next layers (exact)");
        labels.put(RunRecord.FROM_COMPRESSED_FILE, "model read back from " + CompressionPipeline.COMPRESSED_MODEL);
        labels.forEach((key, label) -> {
            Double a = rec.accuracy.get(key);
            if (a != null) {
                md.append("| ").append(label).append(" | ").append(pct(a)).append(" | ")
                        .append(base == null || (key.equals(RunRecord.PRETRAINED) && !sourceBaseline) ? "" :
                                String.format(Locale.ROOT, "%+.2f", 100 * (a - base))).append(" |\n");
            }
        });

        if (rec.plan.usesDjpq()) {
            djpq(md, rec);
        } else {
            weightsPerLayer(md, rec);
        }
        return rest(md, rec);
    }

    /** DJPQ's outcome: channels, bit widths and BOPs per layer. */
    private static void djpq(StringBuilder md, RunRecord rec) {
        RunRecord.DjpqEntry d = rec.djpq;
        if (d == null) {
            md.append("\n## DJPQ\n\nThe joint training has not finished yet.\n");
            return;
        }
        md.append("\n## DJPQ: channels and bit widths per layer\n\n| layer | input channels kept | output channels kept | "
                + "b_w | weight range | b_a | activation range |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunRecord.DjpqLayer l : d.layers()) {
            md.append(String.format(Locale.ROOT, "| %s | %d / %d | %d / %d | %d | %.4g | %d | %s%.4g |\n", l.layer(),
                    l.keptIn(), l.inChannels(), l.keptOut(), l.outChannels(), l.weightBits(), l.weightRange(),
                    l.activationBits(), l.activationSigned() ? "±" : "0..", l.activationRange()));
        }
        md.append(String.format(Locale.ROOT, "%nBOPs (MACs × b_w × b_a per example, kept channels): %.4g, against %.4g for the "
                + "unpruned network at 32 × 32 bits: **%.1fx fewer**. Quantizer ranges are the largest magnitudes "
                + "represented; weights are signed.%n", d.bops(), d.denseBops(), d.bopsReduction()));
    }

    private static void weightsPerLayer(StringBuilder md, RunRecord rec) {
        md.append("\n## Weights per layer\n\n| layer | type | weights | kept | kept % | target ratio | pruning ratio | compression |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunRecord.LayerEntry l : rec.layers) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.2f%% | %.4f | %.4f | %.1fx |\n", l.layer(),
                    l.type(), l.weights(), l.kept(), 100.0 * l.kept() / l.weights(), l.targetRatio(), l.ratio(),
                    l.compression()));
        }
        md.append(String.format(Locale.ROOT, "| **total** | | %d | %d | %.2f%% | | %.4f | **%.1fx** |\n",
                rec.totalWeights(), rec.totalKept(), 100.0 * rec.totalKept() / rec.totalWeights(),
                1 - (double) rec.totalKept() / rec.totalWeights(), rec.compression()));
        md.append("\nRatios count weights only; the ").append(rec.otherParameters)
                .append(" biases are kept dense and are not counted (as in the ADMM-NN papers).\n");
    }

    private static String rest(StringBuilder md, RunRecord rec) {

        if (!rec.finalSets.isEmpty()) {
            List<String> outside = rec.layersOutsideTheirSets();
            md.append("\n## Constraint sets of the final model\n\n").append(outside.isEmpty()
                    ? "Every constrained layer's final weights lie in each of its sets"
                    : "**The final model is outside its constraint sets: " + String.join(", ", outside) + "**")
                    .append(" (checked with the set's `isFeasible`, 1e-6 per weight).\n\n| layer | set | final weights in it |\n|---|---|---|\n");
            rec.finalSets.forEach(m -> md.append("| ").append(m.layer()).append(" | ").append(m.set().replace("|", "\\|")).append(" | ")
                    .append(m.feasible() ? "yes" : "**no**").append(" |\n"));
        }

        if (rec.stages.size() > 1) {
            md.append("\n## Progressive pruning stages\n\n| stage | weight compression | right after hard projection | after retraining |\n|---:|---:|---:|---:|\n");
            for (RunRecord.StageEntry st : rec.stages) {
                md.append(String.format(Locale.ROOT, "| %d | %.1fx | %s | %s |\n", st.stage(), st.compression(),
                        pct(st.afterHardPrune()), st.afterRetrain() == null ? "-" : pct(st.afterRetrain())));
            }
        }

        if (!rec.quantizationScales.isEmpty()) {
            md.append("\n## Quantization\n\n| layer | bits per non-zero weight | levels | scale q |\n|---|---:|---:|---:|\n");
            rec.quantizationScales.forEach((layer, q) -> {
                int bits = rec.plan.quantize().bits().get(layer);
                md.append(String.format(Locale.ROOT, "| %s | %d | +-i·q, i = 1..%d | %.5g |\n", layer, bits, 1 << (bits - 1), q));
            });
        }

        if (rec.bops != null) {
            md.append('\n').append(bopsSection(rec.bops));
        }
        if (rec.bopsChannels != null) {
            md.append('\n').append(channelBopsSection(rec.bopsChannels));
        }

        if (rec.storage != null) {
            var st = rec.storage;
            md.append("\n## Storage (").append(st.file()).append(")\n\n")
                    .append("| layer | weights | non-zeros | entries | fillers | bits/value | codebook | index | value bits | index bits | bytes | reduction (kept values) | reduction (stored values) | reduction (with indices) |\n")
                    .append("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
            for (var l : st.layers()) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %s | %d | %d | %d | %.1fx | %.1fx | %.1fx |\n",
                        l.layer(), l.weights(), l.nonZeros(), l.entries(), l.fillers(), l.valueBits(), l.codebookSize(),
                        l.index() == null ? "dense" : l.index().toString(), l.valuePayloadBits(), l.indexPayloadBits(),
                        l.dataBytes(), l.reductionKeptValues(), l.reductionWithoutIndex(), l.reductionWithIndex()));
            }
            double keptBits = st.layers().stream().mapToDouble(l -> l.nonZeros() * (double) l.valueBits() + 8.0 * l.codebookBytes()).sum();
            long weights = st.layers().stream().mapToLong(l -> l.weights()).sum();
            md.append(String.format(Locale.ROOT, "\nWeights: **%.1fx** smaller than 32-bit dense counting the kept weights' bits and "
                            + "codebooks only (how ADMM-NN's 1,910x and 231x are counted); %.1fx counting the value fields of filler "
                            + "entries too; **%.1fx** counting indices as well (what the file really needs).\n"
                            + "File: %d bytes = %d header (configuration JSON, layer metadata, checksum) + %d weight data + %d biases "
                            + "(32-bit); the whole 32-bit dense model is %.1fx larger.\n",
                    32.0 * weights / keptBits, st.weightReductionWithoutIndex(), st.weightReductionWithIndex(), st.fileBytes(), st.headerBytes(),
                    st.weightDataBytes(), st.denseParameterBytes(), st.fileReduction()));
        }

        if (!rec.admmRounds.isEmpty()) {
            md.append("\n## ADMM convergence\n\nPer layer: relative primal residual ||W-Z||/||W|| and dual residual rho·||Z-Z_prev||.\n\n| stage | round | rho | test acc |");
            List<String> names = rec.admmRounds.get(0).layers().stream().map(RunRecord.LayerResidual::layer).toList();
            names.forEach(n -> md.append(" ").append(n).append(" primal (rel) | ").append(n).append(" dual |"));
            md.append("\n|---|---:|---:|---:|").append("---:|---:|".repeat(names.size())).append('\n');
            for (RunRecord.RoundEntry r : rec.admmRounds) {
                md.append(String.format(Locale.ROOT, "| %s | %d | %.3g | %s |", r.stage(), r.round() + 1, r.rho(), pct(r.testAccuracy())));
                r.layers().forEach(l -> md.append(String.format(Locale.ROOT, " %.3g | %.3g |", l.relativePrimal(), l.dual())));
                md.append('\n');
            }
        }

        var plan = rec.plan;
        md.append("\n## Plan\n\n| phase | setting |\n|---|---|\n");
        row(md, "pretrain", String.format(Locale.ROOT, "%d epochs, Adam lr %.2g, x%.2f per epoch", plan.pretrain().epochs(),
                plan.pretrain().learningRate(), plan.pretrain().learningRateDecay()));
        if (plan.usesDjpq()) {
            var d = plan.djpq();
            String objective = d.fixedGates()
                    ? String.format(Locale.ROOT, "gates fixed (the starting network's channels: those with a non-zero"
                    + " weight or bias kept, the others removed; no KL term), only the bits learned; loss CE + %.3g"
                    + "·BOPs/BOPs_dense", d.bopsWeight())
                    : String.format(Locale.ROOT, "loss CE + %.3g·KL + %.3g·BOPs/BOPs_dense; gate threshold mu²/sigma² >"
                    + " %.3g", d.klWeight(), d.bopsWeight(), d.gateThreshold());
            String rates = d.fixedGates()
                    ? String.format(Locale.ROOT, "x%.3g (quantizers)", d.quantizerLearningRateFactor())
                    : String.format(Locale.ROOT, "x%.3g (gates), x%.3g (quantizers)", d.gateLearningRateFactor(),
                    d.quantizerLearningRateFactor());
            row(md, "DJPQ", String.format(Locale.ROOT, "%d epochs, Adam lr %.2g, x%.2f per epoch; ", d.epochs(),
                    d.learningRate(), d.learningRateDecay()) + objective
                    + String.format(Locale.ROOT, "; bits %s, starting at %d (weights) / %d (activations)",
                    d.powerOfTwo() ? "restricted to 2, 4, 8, 16" : "free", d.initialWeightBits(), d.initialActivationBits())
                    + (d.targetReduction() > 0 ? String.format(Locale.ROOT, "; BOPs term off while the network as"
                    + " exported has %.0fx fewer BOPs or more", d.targetReduction()) : "")
                    + "; learning rate " + rates);
            row(md, "fine-tuning", String.format(Locale.ROOT, "pruned channels removed, bits fixed; %d epochs, Adam lr %.2g, x%.2f per epoch",
                    d.finetune().epochs(), d.finetune().learningRate(), d.finetune().learningRateDecay()));
        } else {
            row(md, "ADMM pruning", String.format(Locale.ROOT, "%d progressive stage(s), each %d rounds x %d epochs, Adam lr %.2g, rho %.3g x%.2f per round (max %.3g), U rescaled on rho change: %s; %d retraining epochs after each intermediate stage",
                    plan.admm().stages(), plan.admm().rounds(), plan.admm().epochsPerRound(), plan.admm().learningRate(), plan.admm().rho(),
                    plan.admm().rhoGrowth(), plan.admm().rhoMax(), plan.admm().rescaleDual(), plan.admm().stageRetrainEpochs()));
            row(md, "hard projection", "W = Proj(W) per layer (" + constraintSets(plan) + "); zeros frozen by a mask");
            row(md, "masked retrain", String.format(Locale.ROOT, "%d epochs, Adam lr %.2g, x%.2f per epoch", plan.retrain().epochs(),
                    plan.retrain().learningRate(), plan.retrain().learningRateDecay()));
        }
        if (plan.quantizes()) {
            var q = plan.quantize();
            row(md, "quantization", String.format(Locale.ROOT, "%s; %d ADMM rounds x %d epochs, Adam lr %.2g, rho %.3g x%.2f; progressive snap-and-freeze %s with %d epochs after each",
                    q.bits(), q.rounds(), q.epochsPerRound(), q.learningRate(), q.rho(), q.rhoGrowth(), q.freezeFractions(), q.epochsPerFreeze()));
        }
        row(md, "index format", String.format(Locale.ROOT, "relative, %d bits (conv) / %d bits (fc)",
                plan.storage().convIndexBits(), plan.storage().fcIndexBits()));
        row(md, "batch size", Integer.toString(plan.batchSize()));

        md.append("\n## Charts\n\n![test accuracy per epoch](accuracy.png)\n\n");
        if (!rec.epochs.isEmpty()) {
            md.append("![training loss per epoch](loss.png)\n\n");
        }
        if (!rec.admmRounds.isEmpty()) {
            md.append("![ADMM primal residuals per round](residuals.png)\n\n")
                    .append("![ADMM dual residuals per round](dual-residuals.png)\n\n");
        }
        md.append("![kept weights per layer](kept.png)\n");
        return md.toString();
    }

    private static void accuracyChart(RunRecord rec, Path file) throws IOException {
        Charts.lines(file, "Test accuracy per epoch", "epoch", "test accuracy (%)", false,
                perEpoch(rec, e -> 100 * e.testAccuracy()));
    }

    /** Training loss per epoch, log scale: the phases differ by orders of magnitude (pretraining vs retraining). */
    private static void lossChart(RunRecord rec, Path file) throws IOException {
        Charts.lines(file, "Training loss per epoch (data loss, without the ADMM penalty)", "epoch",
                "mean training loss", true, perEpoch(rec, e -> Math.max(e.objective(), 1e-12)));
    }

    /** One series per phase, x = epoch number over the whole run. */
    private static List<Charts.Series> perEpoch(RunRecord rec, ToDoubleFunction<RunRecord.EpochEntry> y) {
        Map<String, Charts.Series> byPhase = new LinkedHashMap<>();
        for (RunRecord.EpochEntry e : rec.epochs) {
            byPhase.computeIfAbsent(e.phase(), k -> new Charts.Series(k, new ArrayList<>(), new ArrayList<>()));
            byPhase.get(e.phase()).x().add((double) e.epoch() + 1);
            byPhase.get(e.phase()).y().add(y.applyAsDouble(e));
        }
        return new ArrayList<>(byPhase.values());
    }

    private static void residualCharts(RunRecord rec, Path primalFile, Path dualFile) throws IOException {
        Charts.lines(primalFile, "ADMM primal residual per layer", "ADMM round", "||W - Z|| / ||W||", true,
                perRoundAndLayer(rec, RunRecord.LayerResidual::relativePrimal));
        Charts.lines(dualFile, "ADMM dual residual per layer", "ADMM round", "rho ||Z - Z_prev||", true,
                perRoundAndLayer(rec, RunRecord.LayerResidual::dual));
    }

    /** One series per ADMM stage and layer, x = round within the stage (log axes need y > 0: floored at 1e-12). */
    private static List<Charts.Series> perRoundAndLayer(RunRecord rec, ToDoubleFunction<RunRecord.LayerResidual> y) {
        Map<String, Charts.Series> series = new LinkedHashMap<>();
        for (RunRecord.RoundEntry r : rec.admmRounds) {
            for (RunRecord.LayerResidual l : r.layers()) {
                String key = r.stage() + " " + l.layer();
                series.computeIfAbsent(key, k -> new Charts.Series(k, new ArrayList<>(), new ArrayList<>()));
                series.get(key).x().add((double) series.get(key).x().size() + 1);
                series.get(key).y().add(Math.max(y.applyAsDouble(l), 1e-12));
            }
        }
        return new ArrayList<>(series.values());
    }

    private static void keptChart(RunRecord rec, Path file) throws IOException {
        List<String> names = rec.layers.stream().map(RunRecord.LayerEntry::layer).toList();
        List<Double> kept = rec.layers.stream().map(l -> 100.0 * l.kept() / l.weights()).toList();
        Charts.bars(file, "Kept weights per layer", "kept (%)", false, names,
                List.of(new Charts.Series("kept %", null, kept)));
    }

    private static void row(StringBuilder md, String key, String value) {
        md.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** "top-k by magnitude" when every layer uses it, else each layer's set, e.g. "conv1: filter; ip1: topk". */
    private static String constraintSets(CompressionPlan plan) {
        if (plan.projections().isEmpty()) {
            return "top-k by magnitude";
        }
        StringBuilder sb = new StringBuilder();
        for (String layer : plan.pruningRatios().keySet()) {
            var p = plan.projection(layer);
            sb.append(sb.length() == 0 ? "" : "; ").append(layer).append(": ").append(p.type());
            if (p.blockRows() != null) {
                sb.append(' ').append(p.blockRows()).append('x').append(p.blockCols());
            }
            if (p.n() != null) {
                sb.append(' ').append(p.n()).append(':').append(p.m());
            }
        }
        return sb.toString();
    }

    /** The Markdown section "## BOPs with removed channels". */
    static String channelBopsSection(BopsTable.Channels c) {
        StringBuilder md = new StringBuilder("## BOPs with removed channels\n\n")
                .append("As DJPQ counts them: a channel without a non-zero weight is removed, from its layer's outputs ")
                .append("and from the next layer's inputs (the maps of a flattened input are its channels); ")
                .append("MACs = MACs per channel pair x input channels kept x output channels kept.\n\n")
                .append("| layer | in kept / in | out kept / out | MACs | b_w | b_a | BOPs |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (BopsTable.ChannelRow r : c.layers()) {
            md.append(String.format(Locale.ROOT, "| %s | %d / %d | %d / %d | %,d | %d | %d | %,d |%n", r.layer(),
                    r.inChannelsKept(), r.inChannels(), r.outChannelsKept(), r.outChannels(), r.macs(), r.weightBits(),
                    r.activationBits(), r.bops()));
        }
        md.append(String.format(Locale.ROOT, "%nBOPs with removed channels: %,d (%.1fx fewer than 32 x 32-bit dense, "
                + "%,d).%n", c.bops(), c.reduction(), c.bopsReference()));
        if (c.fold() != null) {
            md.append(c.countedBy() == null
                    ? "\nDead channels (all weights zero) were folded into the next layer's bias before the model was saved: "
                    : "\nDead channels (all weights zero) were folded into the next layer's bias in a copy of the saved "
                    + "model: ");
            md.append(String.join("; ", c.fold()));
            md.append(String.format(Locale.ROOT, ". Test accuracy %s before the fold, %s after.%n",
                    pct(c.accuracyBeforeFold()), pct(c.accuracyAfterFold())));
        }
        if (c.countedBy() != null) {
            md.append("\nCounted after the run by `").append(c.countedBy()).append("`; the run's model files were not ")
                    .append("rewritten: they hold the network before the fold (the same function).\n");
        }
        return md.toString();
    }

    /** The Markdown section "## Bit operations (BOPs)". */
    static String bopsSection(BopsTable.Summary s) {
        StringBuilder md = new StringBuilder("## Bit operations (BOPs)\n\n")
                .append("BOPs per image = MACs x b_w x b_a (weight and input-activation bits; 32 when not quantized), ")
                .append("for dense execution and on non-zero weights only; reductions against the float network ")
                .append("counted as 32 x 32 bits per dense MAC.\n\n")
                .append("| layer | MACs dense | MACs non-zero | b_w | b_a | BOPs dense | BOPs non-zero |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (BopsTable.Row r : s.layers()) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %d | %d | %,d | %,d |%n", r.layer(), r.macsDense(),
                    r.macsNonZero(), r.weightBits(), r.activationBits(), r.bopsDense(), r.bopsNonZero()));
        }
        md.append(String.format(Locale.ROOT, "| **total** | | | | | %,d | %,d |%n", s.bopsDense(), s.bopsNonZero()));
        md.append(String.format(Locale.ROOT, "%nBOPs %.1fx fewer than 32 x 32-bit dense (%,d) in dense execution, "
                + "%.1fx on non-zero weights.%n", s.reductionDense(), s.bopsReference(), s.reductionNonZero()));
        long ownReference = 1024 * s.layers().stream().mapToLong(BopsTable.Row::macsDense).sum();
        if (s.bopsReference() != ownReference) {
            md.append(String.format(Locale.ROOT, "The reference is the network before its channels were removed; this "
                    + "network's own at 32 x 32 bits is %,d.%n", ownReference));
        }
        return md.toString();
    }
}
