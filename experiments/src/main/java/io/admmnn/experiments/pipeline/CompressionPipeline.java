package io.admmnn.experiments.pipeline;

import io.admmnn.core.admm.Residuals;
import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.io.ErrorText;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.UniformQuantization;
import io.admmnn.dl4j.activation.ActivationQuantizers;
import io.admmnn.format.ActivationQuantization;
import io.admmnn.core.tensor.NonZeros;
import io.admmnn.dl4j.format.CompressedModelFile;
import io.admmnn.format.SparseIndexFormat;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import io.admmnn.dl4j.session.LayerSparsity;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.data.EpochOrderedBatches;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a {@link CompressionPlan} on its data set (MNIST, Fashion-MNIST, or an image folder streamed from disk): pretrain, ADMM rounds, hard projection, masked retraining.
 *
 * <p>The run is a sequence of steps (one per epoch or ADMM round, plus the hard projection). After every
 * step the network, the ADMM state and the {@link RunRecord} are written to {@code checkpoint.zip} in the
 * output folder in one atomic rename, so a run killed at any moment resumes from its last completed step
 * ({@link #resume}) and, the data order depending only on (seed, epoch), continues as if never stopped.
 */
public final class CompressionPipeline {

    /** The checkpoint file in the output folder. */
    public static final String CHECKPOINT = "checkpoint.zip";
    /** The final network in the output folder (DL4J zip, dense float weights). */
    public static final String MODEL = "model.zip";
    /** The final network in the compressed format (see {@link CompressedModelFile}). */
    public static final String COMPRESSED_MODEL = "model.admmnn";
    static final String RECORD_ENTRY = "run-record";
    private static final int EVAL_BATCH = 1000;
    /** Absolute error per weight within which a final weight counts as in its set (float rounding of the levels). */
    private static final double FEASIBILITY_TOLERANCE = 1e-6;

    private final Path outputDir;
    private final Path dataDir;
    private final Consumer<String> log;
    private final boolean progressBar;
    private final boolean skipUnreadableImages;

    /**
     * @param outputDir   results folder (created if missing)
     * @param dataDir     folder of the plan's data set, or null for that data set's default
     *                    ({@link DatasetId#defaultDirectory()}; MNIST is fetched into it if missing)
     * @param log         receives one line per epoch, round and phase
     * @param progressBar whether to draw a progress bar per epoch (for interactive terminals)
     */
    public CompressionPipeline(Path outputDir, Path dataDir, Consumer<String> log, boolean progressBar) {
        this(outputDir, dataDir, log, progressBar, false);
    }

    /**
     * The same, leaving out the images of an image folder that cannot be read if {@code skipUnreadableImages}
     * (listed in {@link RunRecord#unreadableImages}) instead of stopping at the first.
     */
    public CompressionPipeline(Path outputDir, Path dataDir, Consumer<String> log, boolean progressBar,
                               boolean skipUnreadableImages) {
        this.outputDir = outputDir;
        this.dataDir = dataDir;
        this.log = log;
        this.progressBar = progressBar;
        this.skipUnreadableImages = skipUnreadableImages;
    }

    /** Starts a new run. */
    public RunRecord run(CompressionPlan plan, String command) throws IOException {
        return run(plan, command, Map.of());
    }

    /**
     * Starts a new run that keeps copies of its input files (e.g. the experiment file) in the output folder: they
     * are written when the folder is created, after every check has passed, so a run that cannot start leaves
     * nothing behind.
     */
    public RunRecord run(CompressionPlan plan, String command, Map<String, byte[]> inputFiles) throws IOException {
        Path checkpoint = outputDir.resolve(CHECKPOINT);
        if (Files.exists(checkpoint)) {
            throw new IllegalArgumentException(outputDir + " already holds a run (" + CHECKPOINT
                    + "); resume it, or choose another output folder");
        }
        RunRecord rec = new RunRecord();
        rec.plan = plan;
        rec.provenance = Provenance.collect(command, plan.seed());
        ModelSource model = ModelSource.of(plan.model());
        DatasetId dataset = DatasetId.byId(plan.dataset());
        if (model instanceof ModelSource.BuiltIn builtIn) {
            builtIn.model().requireFits(dataset);
        } // a saved network's input is checked against the first test batch, in execute
        TrainableNetwork net;
        if (plan.startFrom() == null) {
            net = model.create(plan.seed(), plan.pretrain().learningRate());
            if (model instanceof ModelSource.Saved saved) {
                rec.source = SavedModels.source(saved.path());
            }
        } else {
            net = model.loadSameArchitecture(Path.of(plan.startFrom()));
            rec.source = SavedModels.source(Path.of(plan.startFrom()));
        }
        if (!plan.usesDjpq()) {
            plan.pruningRatios().keySet().forEach(net::layer); // unknown layer names fail before any training
            checkConstraints(net, plan); // and so do constraints that cannot be met as planned
        } else if (!(net.model() instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork)) {
            throw new IllegalArgumentException("method djpq needs a MultiLayerNetwork; " + plan.model()
                    + " is a ComputationGraph");
        }
        if (plan.quantizes()) {
            plan.quantize().bits().keySet().forEach(net::layer);
            if (plan.quantize().activations() != null) {
                if (net.isGraph()) { // fail now, not after hours of pruning
                    throw new IllegalArgumentException("quantize.activations: activation quantization supports "
                            + "MultiLayerNetworks only, and " + plan.model() + " is a ComputationGraph");
                }
                plan.quantize().activations().bits().keySet().forEach(net::layer);
            }
        }
        return execute(rec, net, null, inputFiles);
    }

    /**
     * Fails in one line if a layer's final constraint set would remove every weight (a ratio too close to 1 for
     * its size), or if N:M groups do not tile its inputs (the planned ratio 1 - N/M would then not be the real one).
     */
    private static void checkConstraints(TrainableNetwork net, CompressionPlan plan) {
        Map<String, Projection> last = pruneConstraints(plan, plan.admm().stages() - 1); // user classes built here
        for (var e : last.entrySet()) {
            var w = net.layer(e.getKey()).weights();
            ProjectionSpec spec = plan.projection(e.getKey());
            long inputs = w.rank() == 2 ? w.size(0) : w.size(1);
            if (spec.fixedRatio() != null && inputs % spec.m() != 0) {
                throw new IllegalArgumentException("layer " + e.getKey() + ": N:M groups of " + spec.m() + " run along its "
                        + inputs + " inputs" + (w.rank() == 2 ? "" : " (channels)") + ", not a multiple of " + spec.m()
                        + ", so it would not remove the planned " + plan.pruningRatios().get(e.getKey()));
            }
            var projected = w.dup();
            e.getValue().projectInPlace(projected);
            if (NonZeros.count(projected) == 0) {
                throw new IllegalArgumentException("layer " + e.getKey() + ": ratio " + plan.pruningRatios().get(e.getKey())
                        + " (" + e.getValue().describe() + ") keeps none of its " + w.length() + " weights");
            }
        }
    }

    /** Continues the run whose checkpoint is in the output folder. */
    public RunRecord resume(String command) throws IOException {
        File checkpoint = outputDir.resolve(CHECKPOINT).toFile();
        if (!checkpoint.isFile()) {
            throw new IllegalArgumentException("no run to resume in " + outputDir + " (" + CHECKPOINT + " not found)");
        }
        String json;
        try {
            json = TrainableNetwork.readCheckpointObject(checkpoint, RECORD_ENTRY);
        } catch (IOException e) {
            // TrainableNetwork names the file and says whether it is damaged or not a checkpoint
            throw new IllegalArgumentException(ErrorText.describe(e) + "; its run cannot be resumed", e);
        }
        if (json == null) {
            throw new IOException(checkpoint + " is not a checkpoint of this pipeline (no run record inside)");
        }
        RunRecord rec = RunRecord.fromJson(json);
        rec.resumedAt.add(Instant.now() + " " + command);
        CompressionPlan plan = rec.plan;
        AdmmSession session = null;
        TrainableNetwork net;
        if (TrainableNetwork.hasCheckpointObject(checkpoint, AdmmSession.STATE_ENTRY)) { // restore verifies and reads it
            // The ADMM stage running when the checkpoint was written is the one of the step it completed, not of
            // the step to come: a run killed as a stage began (its scales fitted, nothing saved yet) resumes
            // before that stage and begins it again.
            Step completed = Step.of(plan).get(rec.nextStep - 1);
            boolean quantizing = completed.kind() == Step.Kind.QUANT_ROUND;
            Map<String, Projection> active = switch (completed.kind()) {
                case QUANT_ROUND -> quantizers(rec);
                case PRUNE_ROUND -> pruneConstraints(plan, completed.stage());
                default -> Map.of(); // no ADMM stage runs between steps of any other kind
            };
            session = AdmmSession.restore(checkpoint, active, quantizing ? quantSchedule(plan) : schedule(plan),
                    plan.admm().rescaleDual());
            net = session.network();
        } else {
            net = TrainableNetwork.load(checkpoint, true);
        }
        log.accept(String.format(Locale.ROOT, "resuming %s at step %d of %d", outputDir, rec.nextStep,
                Step.of(plan).size()));
        return execute(rec, net, session, Map.of());
    }

    private RunRecord execute(RunRecord rec, TrainableNetwork net, AdmmSession resumedSession,
                              Map<String, byte[]> inputFiles) throws IOException {
        long started = System.nanoTime();
        CompressionPlan plan = rec.plan;
        DatasetId dataset = DatasetId.byId(plan.dataset());
        Path dir = dataset.ensureAvailable(dataDir != null ? dataDir : dataset.defaultDirectory(), log);
        int outputs = Math.toIntExact(net.outputSize());
        var images = dataset.inMemory() ? null : ImageInput.options(plan, net, skipUnreadableImages);
        EpochOrderedBatches train = dataset.trainBatches(dir, plan.trainLimit(), plan.batchSize(), plan.seed(), outputs,
                images);
        EpochOrderedBatches test = testBatches(plan, dir, outputs, images);
        boolean finished = false;
        boolean created = Files.notExists(outputDir);
        try {
            if (images != null) {
                ImageInput.requireClasses(plan, train, test, outputs);
                rec.inputShape = ImageInput.exampleShape(images);
            }
            if (rec.nextStep == 0 && !ModelSource.isBuiltIn(plan.model())) {
                checkInput(net, test, plan);
            }
            int leftovers = AtomicFile.removeLeftovers(outputDir); // kill -9 skips their clean-up
            if (leftovers > 0) {
                log.accept("removed " + leftovers + " unfinished temporary file(s) of an interrupted run");
            }
            Files.createDirectories(outputDir); // only now: a run that cannot start leaves no empty folder behind
            for (var input : inputFiles.entrySet()) {
                AtomicFile.writeBytes(outputDir.resolve(input.getKey()), input.getValue());
            }
            RunRecord done = executeSteps(rec, net, resumedSession, started, train, test);
            finished = true;
            return done;
        } finally {
            closeAll(train, test);
            if (!finished && created && Files.notExists(outputDir.resolve(CHECKPOINT))) {
                deleteFolder(outputDir); // stopped before its first checkpoint: nothing to resume, no empty folder
            }
        }
    }

    /** The plan's test images in {@code dir} ({@code images}: how an image folder's are decoded, else null). */
    static EpochOrderedBatches testBatches(CompressionPlan plan, Path dir, int outputs,
                                           io.admmnn.experiments.data.ImageFolderDataset.Options images) {
        DatasetId dataset = DatasetId.byId(plan.dataset());
        // Streamed images are large (618 KB each for AlexNet): evaluate them in training-sized batches.
        return dataset.testBatches(dir, plan.testLimit(), dataset.inMemory() ? EVAL_BATCH : plan.batchSize(), outputs,
                images);
    }

    /** b_w of each layer the plan quantizes (others are 32-bit). */
    static Map<String, Integer> weightBits(CompressionPlan plan) {
        return plan.quantizes() ? plan.quantize().bits() : Map.of();
    }

    /** Deletes a folder this run created and its files (best effort: the error that stopped the run matters more). */
    private static void deleteFolder(Path folder) {
        try (var files = Files.walk(folder)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // leave it: the message of the failure that got here is what the user needs
        }
    }

    /** Fails in one line, before any training, if a saved network does not take the data set's images. */
    private static void checkInput(TrainableNetwork net, EpochOrderedBatches test, CompressionPlan plan) {
        test.reset();
        var features = test.next().getFeatures();
        test.reset();
        DatasetId dataset = DatasetId.byId(plan.dataset());
        String layout = "its " + (dataset.inMemory() ? dataset.shape() : "images of " + test.getLabels().size() + " classes")
                + " come as " + java.util.Arrays.toString(features.shape())
                + (features.rank() == 2 ? " rows of pixels (conv layers need InputType.convolutionalFlat)" : " NCHW");
        long[] out;
        try {
            out = net.output(features).shape();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(plan.model() + " does not take " + dataset.id() + " input: " + layout
                    + "; DL4J says: " + ErrorText.firstLine(e), e);
        }
        if (out.length != 2 || out[0] != features.size(0)) {
            throw new IllegalArgumentException(plan.model() + " gives outputs of shape " + java.util.Arrays.toString(out)
                    + " for " + dataset.id() + " input (" + layout + "); a classifier gives [batch, classes]");
        }
    }

    private RunRecord executeSteps(RunRecord rec, TrainableNetwork net, AdmmSession resumedSession, long started,
                                   EpochOrderedBatches train, EpochOrderedBatches test) throws IOException {
        CompressionPlan plan = rec.plan;
        rec.trainImages = train.size();
        rec.testImages = test.size();
        Phases phases = new Phases(rec, net, train, test, new TrainingMonitor(progressBar));
        net.setListeners(phases.monitor);
        log.accept(io.admmnn.dl4j.speed.NativeBackend.describe(net));
        phases.session = resumedSession;
        if (plan.usesDjpq()) {
            phases.djpq = DjpqMethod.attach(net, phases.monitor, plan, test, rec); // a resumed DJPQ network, or null
        }

        List<Step> steps = Step.of(plan);
        while (rec.nextStep < steps.size()) {
            try {
                phases.run(steps.get(rec.nextStep), rec.nextStep == 0 ? null : steps.get(rec.nextStep - 1));
            } catch (DivergenceException e) {
                throw new DivergenceException(e.getMessage() + (rec.nextStep == 0
                        ? ". No checkpoint was written: it diverged in the run's first step."
                        : ". T" + keptCheckpoint(rec.nextStep, steps.size()).substring(1) + "."), e);
            } catch (IllegalArgumentException e) { // bad input met mid-run: a user's projection, a setting
                throw rec.nextStep == 0 ? e : new IllegalArgumentException(e.getMessage() + "; "
                        + keptCheckpoint(rec.nextStep, steps.size()) + ": resume it once that is fixed", e);
            } catch (io.admmnn.experiments.data.DataException e) { // an unreadable file met mid-run
                throw rec.nextStep == 0 ? e : new io.admmnn.experiments.data.DataException(e.getMessage() + "; "
                        + keptCheckpoint(rec.nextStep, steps.size()) + ": resume it once that is fixed", e);
            }
            rec.nextStep++;
            rec.noteUnreadable(train.unreadableFiles(), test.unreadableFiles());
            rec.layers = layerEntries(phases.net, plan);
            rec.otherParameters = phases.net.parameterCount() - rec.totalWeights();
            rec.wallSeconds = (rec.wallSeconds == null ? 0 : rec.wallSeconds) + (System.nanoTime() - started) / 1e9;
            started = System.nanoTime();
            checkpoint(rec, phases.net, phases.session);
        }
        net = phases.net; // DJPQ replaces the network when it inserts its layers and when it removes channels
        if (rec.finishedAt == null) {
            // A run killed in here resumes from the last step's checkpoint (weights before the fold) and does all of
            // this again: the fold is a function of those weights, so the outcome is the same.
            if (!plan.usesDjpq()) {
                ChannelFold fold = foldDeadChannels(rec, net, phases);
                rec.finalSets = finalSetMembership(rec, net);
                net.save(outputDir.resolve(MODEL).toFile(), false);
                Map<String, Integer> weightBits = weightBits(plan);
                store(rec, net, phases, weightBits, null);
                rec.bopsChannels = fold.count(net, rec.exampleShape(), weightBits, rec.bops.bopsReference());
            } else { // the file holds the fine-tuned network as a plain one, the BOPs against the unpruned network
                net.save(outputDir.resolve(MODEL).toFile(), false);
                io.admmnn.dl4j.djpq.DjpqNetwork.Export export = phases.djpq.exported();
                // A kept channel whose quantized weights are all zero (its gate's mu near 0) is removable too.
                TrainableNetwork exported = TrainableNetwork.of(export.network());
                ChannelFold fold = foldDeadChannels(rec, exported, phases);
                store(rec, exported, phases, export.weightBits(), Math.round(phases.djpq.denseBops()));
                Map<String, int[]> unpruned = new LinkedHashMap<>();
                rec.djpq.layers().forEach(l -> unpruned.put(l.layer(), new int[] {l.inChannels(), l.outChannels()}));
                rec.bopsChannels = fold.count(exported, rec.exampleShape(), export.weightBits(),
                        rec.bops.bopsReference()).withChannelsBeforeRemoval(unpruned);
            }
            rec.noteUnreadable(train.unreadableFiles(), test.unreadableFiles());
            rec.finishedAt = Instant.now().toString();
            checkpoint(rec, net, phases.session);
        }
        return rec;
    }

    /**
     * Folds {@code net}'s dead channels into the next layers ({@link ChannelFold}), so that the saved model has them
     * removed; records the test accuracy after it ({@link RunRecord#AFTER_CHANNEL_FOLD}).
     */
    private ChannelFold foldDeadChannels(RunRecord rec, TrainableNetwork net, Phases phases) {
        ChannelFold fold = ChannelFold.of(net, phases.test, log);
        rec.accuracy.put(RunRecord.AFTER_CHANNEL_FOLD, fold.after());
        return fold;
    }

    private String keptCheckpoint(int completedSteps, int steps) {
        return String.format(Locale.ROOT, "the checkpoint after step %d of %d is kept in %s", completedSteps, steps,
                outputDir.resolve(CHECKPOINT));
    }

    /**
     * Writes the compressed model file, reads it back and records its size, its accuracy and its BOPs (those with
     * the removed channels gone: {@link ChannelFold#count}, after this).
     *
     * @param weightBits    b_w of each quantized layer (others 32)
     * @param bopsReference the BOPs table's 32 x 32-bit reference, or null for {@code net}'s own dense network
     */
    private void store(RunRecord rec, TrainableNetwork net, Phases phases, Map<String, Integer> weightBits,
                       Long bopsReference) throws IOException {
        Path file = outputDir.resolve(COMPRESSED_MODEL);
        CompressionPlan.Storage storage = rec.plan.storage();
        CompressedModelFile.Summary s = CompressedModelFile.write(net, file, name -> SparseIndexFormat.relative(
                net.layer(name).isConvolution() ? storage.convIndexBits() : storage.fcIndexBits()));
        rec.storage = new RunRecord.StorageEntry(COMPRESSED_MODEL, s.fileBytes(), s.headerBytes(),
                s.weightDataBytes(), 4 * s.denseParameters(), s.weightReductionWithoutIndex(),
                s.weightReductionWithIndex(), s.fileReduction(), s.layers());
        INDArray example = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, rec.exampleShape());
        io.admmnn.hardware.cost.BopsCount bops = BopsTable.count(net, example, weightBits);
        rec.bops = bopsReference == null ? BopsTable.summary(bops) : BopsTable.summary(bops, bopsReference);
        TrainableNetwork back = CompressedModelFile.read(file);
        double acc = back.evaluate(phases.test).accuracy();
        rec.accuracy.put(RunRecord.FROM_COMPRESSED_FILE, acc);
        log.accept(String.format(Locale.ROOT, "compressed model: %s, %d bytes (weights %.1fx smaller without "
                        + "indices, %.1fx with), test accuracy read back %.2f%%", file, s.fileBytes(),
                s.weightReductionWithoutIndex(), s.weightReductionWithIndex(), 100 * acc));
    }

    /** The work of each step, sharing the data iterators, the monitor and the ADMM session. */
    private final class Phases {
        final RunRecord rec;
        TrainableNetwork net;
        DjpqMethod djpq;
        final EpochOrderedBatches train;
        final EpochOrderedBatches test;
        final TrainingMonitor monitor;
        AdmmSession session;

        Phases(RunRecord rec, TrainableNetwork net, EpochOrderedBatches train, EpochOrderedBatches test,
               TrainingMonitor monitor) {
            this.rec = rec;
            this.net = net;
            this.train = train;
            this.test = test;
            this.monitor = monitor;
        }

        void run(Step step, Step previous) {
            CompressionPlan plan = rec.plan;
            int stages = plan.usesDjpq() ? 1 : plan.admm().stages();
            String stageLabel = stages == 1 ? "" : String.format(Locale.ROOT, " stage %d/%d", step.stage() + 1, stages);
            switch (step.kind()) {
                case PRETRAIN -> {
                    double acc = trainEpoch("pretrain", step, plan.pretrain().learningRate(step.index()), () -> { });
                    if (step.isLastOfPhase()) {
                        rec.accuracy.put(RunRecord.PRETRAINED, acc);
                    }
                }
                case PRUNE_ROUND -> {
                    if (step.index() == 0) {
                        beginPruneStage(step.stage());
                    }
                    admmRound("prune" + stageLabel, step, plan.admm().epochsPerRound(), plan.admm().learningRate());
                    if (step.isLastOfPhase() && step.stage() == stages - 1) {
                        rec.accuracy.put(RunRecord.AFTER_ADMM, rec.admmRounds.get(rec.admmRounds.size() - 1).testAccuracy());
                    }
                }
                case HARD_PRUNE -> {
                    if (plan.admm().rounds() == 0) {
                        beginPruneStage(step.stage()); // magnitude pruning: project without ADMM rounds
                    }
                    Map<String, LayerSparsity> sparsity = session.hardProject();
                    double acc = evaluate();
                    long total = sparsity.values().stream().mapToLong(LayerSparsity::total).sum();
                    long kept = sparsity.values().stream().mapToLong(LayerSparsity::kept).sum();
                    rec.stages.add(new RunRecord.StageEntry(step.stage() + 1, (double) total / Math.max(1, kept), acc, null));
                    if (step.stage() == stages - 1) {
                        rec.accuracy.put(RunRecord.AFTER_HARD_PRUNE, acc);
                    }
                    log.accept(String.format(Locale.ROOT, "hard projection%s: test accuracy %.2f%%, %s", stageLabel,
                            100 * acc, summary(sparsity)));
                }
                case RETRAIN -> {
                    CompressionPlan.Training t = step.stage() == stages - 1 ? plan.retrain()
                            : new CompressionPlan.Training(plan.admm().stageRetrainEpochs(), plan.retrain().learningRate(),
                            plan.retrain().learningRateDecay());
                    // Masking keeps the zeros; a set that also constrains values is projected onto after every epoch.
                    Map<String, Projection> sets = pruneConstraints(plan, step.stage());
                    double acc = trainEpoch("retrain" + stageLabel, step, t.learningRate(step.index()),
                            () -> session.projectOntoSets(sets));
                    if (step.isLastOfPhase()) {
                        RunRecord.StageEntry last = rec.stages.remove(rec.stages.size() - 1);
                        rec.stages.add(new RunRecord.StageEntry(last.stage(), last.compression(), last.afterHardPrune(), acc));
                        if (step.stage() == stages - 1) {
                            rec.accuracy.put(RunRecord.AFTER_RETRAIN, acc);
                        }
                    }
                }
                case QUANT_ROUND -> {
                    if (step.index() == 0) {
                        beginQuantization(true);
                    }
                    admmRound("quantize", step, plan.quantize().epochsPerRound(), plan.quantize().learningRate());
                    if (step.isLastOfPhase()) {
                        rec.accuracy.put(RunRecord.AFTER_QUANT_ADMM, rec.admmRounds.get(rec.admmRounds.size() - 1).testAccuracy());
                        session.endAdmm();
                    }
                }
                case SNAP -> {
                    if (step.stage() == 0 && plan.quantize().rounds() == 0) {
                        beginQuantization(false); // two-stage baseline: round to the nearest level, no ADMM
                    }
                    double fraction = plan.quantize().freezeFractions().get(step.stage());
                    Map<String, Long> snapped = session.snapAndFreeze(quantizers(rec), fraction);
                    double acc = evaluate();
                    if (fraction == 1.0) {
                        rec.accuracy.put(RunRecord.AFTER_QUANTIZATION, acc);
                    }
                    log.accept(String.format(Locale.ROOT, "[quantize] snapped %.0f%% of the trainable weights to their "
                            + "levels and froze them (%s): test %.2f%%", 100 * fraction, snapped, 100 * acc));
                }
                case QUANT_RETRAIN -> trainEpoch("quantized retrain " + (step.stage() + 1), step,
                        plan.quantize().quantizedRetrainRate(), () -> { });
                case DJPQ_TRAIN -> {
                    if (step.index() == 0) {
                        if (!rec.accuracy.containsKey(RunRecord.PRETRAINED)) {
                            rec.accuracy.put(RunRecord.PRETRAINED, evaluate());
                        }
                        train.setEpoch(rec.globalEpoch);
                        djpq = DjpqMethod.insert(net, monitor, plan, train.next().getFeatures(), test);
                        net = djpq.network();
                        log.accept("DJPQ: " + djpq.describe());
                    }
                    double acc = trainEpoch("djpq", step, plan.djpq().learningRate(step.index()), () -> { });
                    log.accept("DJPQ: " + djpq.progress());
                    if (step.isLastOfPhase()) {
                        rec.accuracy.put(RunRecord.AFTER_DJPQ, acc);
                        rec.djpq = djpq.entry();
                    }
                }
                case DJPQ_FINETUNE -> {
                    if (step.index() == 0) {
                        djpq = djpq.prunedAndFixed(monitor);
                        net = djpq.network();
                        double acc = evaluate();
                        rec.accuracy.put(RunRecord.AFTER_DJPQ_PRUNED, acc);
                        log.accept(String.format(Locale.ROOT, "DJPQ: pruned channels removed, bits fixed: test %.2f%%; %s",
                                100 * acc, djpq.describe()));
                    }
                    CompressionPlan.Training t = plan.djpq().finetune();
                    double acc = trainEpoch("djpq finetune", step, t.learningRate(step.index()), () -> { });
                    if (step.isLastOfPhase()) {
                        rec.accuracy.put(RunRecord.AFTER_DJPQ_FINETUNE, acc);
                    }
                }
                default -> throw new IllegalStateException(step.toString());
            }
        }

        private void beginPruneStage(int stage) {
            Map<String, Projection> constraints = pruneConstraints(rec.plan, stage);
            String name = "prune-" + (stage + 1);
            if (session == null) {
                if (!rec.accuracy.containsKey(RunRecord.PRETRAINED)) {
                    rec.accuracy.put(RunRecord.PRETRAINED, evaluate());
                }
                session = AdmmSession.start(net, name, constraints, schedule(rec.plan), rec.plan.admm().rescaleDual());
            } else {
                session.beginAdmm(name, constraints, schedule(rec.plan), rec.plan.admm().rescaleDual());
            }
            log.accept("ADMM " + name + ": " + describe(constraints));
        }

        private void beginQuantization(boolean admm) {
            rec.quantizationScales.clear();
            rec.plan.quantize().bits().forEach((layer, bits) ->
                    rec.quantizationScales.put(layer, UniformQuantization.fit(net.layer(layer).weights(), bits).scale()));
            Map<String, Projection> q = quantizers(rec);
            if (admm) {
                session.beginAdmm("quantize", q, quantSchedule(rec.plan), rec.plan.admm().rescaleDual());
            }
            log.accept((admm ? "ADMM quantization: " : "quantization by rounding: ") + describe(q));
            CompressionPlan.Activations activations = rec.plan.quantize().activations();
            if (activations != null) {
                Map<String, ActivationQuantization> fitted = ActivationQuantizers.fit(net,
                        calibrationFeatures(activations.calibrationBatches()), activations.bits(),
                        activations.percentile());
                ActivationQuantizers.install(net, fitted);
                StringBuilder line = new StringBuilder("activation quantization (inputs of):");
                fitted.forEach((layer, a) -> line.append(' ').append(layer).append(' ').append(a.describe()).append(';'));
                log.accept(line.substring(0, line.length() - 1));
            }
        }

        /**
         * The features of the first {@code batches} training batches of the current epoch's order: the same in an
         * uninterrupted, a repeated and a resumed run.
         */
        private INDArray calibrationFeatures(int batches) {
            train.setEpoch(rec.globalEpoch);
            List<INDArray> features = new ArrayList<>();
            for (int b = 0; b < batches && train.hasNext(); b++) {
                // a copy: the training batches reuse their arrays (ShuffledBatches.reusingBatchArrays), so a kept
                // batch would be overwritten two batches later
                features.add(train.next().getFeatures().dup());
            }
            train.setEpoch(rec.globalEpoch);
            return features.size() == 1 ? features.get(0) : Nd4j.concat(0, features.toArray(INDArray[]::new));
        }

        /** One training epoch, then {@code afterTraining} (before the test accuracy is measured). */
        double trainEpoch(String phase, Step step, double learningRate, Runnable afterTraining) {
            String label = String.format(Locale.ROOT, "%s %d/%d", phase, step.index() + 1, step.of());
            return epoch(label, phase, learningRate, afterTraining);
        }

        private double epoch(String label, String phase, double learningRate, Runnable afterTraining) {
            net.setLearningRate(learningRate);
            if (djpq != null) {
                djpq.applyGateLearningRate(learningRate);
            }
            train.setEpoch(rec.globalEpoch);
            // Dropout draws from ND4J's random generator, which no checkpoint holds: seeding it from (seed, epoch)
            // makes every epoch's masks the same in an uninterrupted run, a repeated one and a resumed one.
            Nd4j.getRandom().setSeed(epochSeed(rec.plan.seed(), rec.globalEpoch));
            monitor.begin(label, train.batchesPerEpoch());
            long t0 = System.nanoTime();
            net.fitEpoch(train);
            afterTraining.run();
            double seconds = (System.nanoTime() - t0) / 1e9;
            double objective = monitor.end();
            double acc = evaluate();
            rec.epochs.add(new RunRecord.EpochEntry(phase, rec.globalEpoch, learningRate, objective, acc, seconds));
            rec.globalEpoch++;
            log.accept(String.format(Locale.ROOT, "[%s] lr %.2e · loss %.4f · test %.2f%% · %.1f s", label,
                    learningRate, objective, 100 * acc, seconds));
            return acc;
        }

        void admmRound(String stage, Step step, int epochsPerRound, double learningRate) {
            List<Residuals> residuals = session.runRound(r -> {
                for (int e = 0; e < epochsPerRound; e++) {
                    epoch(String.format(Locale.ROOT, "%s round %d/%d, epoch %d/%d", stage, step.index() + 1, step.of(),
                            e + 1, epochsPerRound), "admm " + stage.replace(" stage", ""), learningRate, () -> { });
                }
            });
            double acc = evaluate();
            List<RunRecord.LayerResidual> layers = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (Residuals r : residuals) {
                layers.add(new RunRecord.LayerResidual(r.name(), r.primal(), r.dual(), r.relativePrimal()));
                line.append(String.format(Locale.ROOT, " %s %.3g/%.3g", r.name(), r.relativePrimal(), r.dual()));
            }
            rec.admmRounds.add(new RunRecord.RoundEntry(stage.trim(), step.index(), residuals.get(0).rho(), layers, acc));
            log.accept(String.format(Locale.ROOT, "[%s round %d/%d] rho %.3g · test %.2f%% · ||W-Z||/||W|| / dual:%s",
                    stage, step.index() + 1, step.of(), residuals.get(0).rho(), 100 * acc, line));
        }

        double evaluate() {
            return net.evaluate(test).accuracy();
        }
    }

    /** A seed per (run seed, epoch): the first draw of a generator seeded with both. */
    static long epochSeed(long seed, int epoch) {
        return new java.util.Random(31 * seed + epoch).nextLong();
    }

    private void checkpoint(RunRecord rec, TrainableNetwork net, AdmmSession session) throws IOException {
        File file = outputDir.resolve(CHECKPOINT).toFile();
        Map<String, String> extras = Map.of(RECORD_ENTRY, rec.toJson());
        if (session != null) {
            session.save(file, extras);
        } else {
            net.saveCheckpoint(file, extras);
        }
    }

    private static List<RunRecord.LayerEntry> layerEntries(TrainableNetwork net, CompressionPlan plan) {
        List<RunRecord.LayerEntry> entries = new ArrayList<>();
        for (ConstrainableLayer l : net.constrainableLayers()) {
            var w = l.weights();
            long kept = NonZeros.count(w);
            entries.add(new RunRecord.LayerEntry(l.name(), l.type(), w.length(), kept,
                    plan.pruningRatios().getOrDefault(l.name(), 0.0)));
        }
        return entries;
    }

    /** Checks each constrained layer, in network order, against its last pruning set and, when quantized, its quantizer. */
    private static List<RunRecord.SetMembership> finalSetMembership(RunRecord rec, TrainableNetwork net) {
        List<RunRecord.SetMembership> result = new ArrayList<>();
        List<Map<String, Projection>> sets = new ArrayList<>();
        sets.add(pruneConstraints(rec.plan, rec.plan.admm().stages() - 1));
        if (!rec.quantizationScales.isEmpty()) {
            sets.add(quantizers(rec));
        }
        for (ConstrainableLayer layer : net.constrainableLayers()) { // in network order
            for (Map<String, Projection> perLayer : sets) {
                Projection set = perLayer.get(layer.name());
                if (set != null) {
                    result.add(new RunRecord.SetMembership(layer.name(), set.describe(),
                            set.isFeasible(layer.weights(), FEASIBILITY_TOLERANCE)));
                }
            }
        }
        return result;
    }

    /** Each layer's constraint set (the plan's {@link ProjectionSpec}) at the ratio of stage {@code stage} (0-based). */
    public static Map<String, Projection> pruneConstraints(CompressionPlan plan, int stage) {
        Map<String, Projection> c = new LinkedHashMap<>();
        plan.pruningRatios().keySet().forEach(layer ->
                c.put(layer, plan.projection(layer).create(layer, plan.stageRatio(layer, stage))));
        return c;
    }

    /** The quantizers with the scales fitted when the quantization stage began. */
    static Map<String, Projection> quantizers(RunRecord rec) {
        Map<String, Projection> q = new LinkedHashMap<>();
        rec.plan.quantize().bits().forEach((layer, bits) ->
                q.put(layer, new UniformQuantization(bits, rec.quantizationScales.get(layer))));
        return q;
    }

    static RhoSchedule schedule(CompressionPlan plan) {
        return RhoSchedule.geometric(plan.admm().rho(), plan.admm().rhoGrowth(), plan.admm().rhoMax());
    }

    static RhoSchedule quantSchedule(CompressionPlan plan) {
        CompressionPlan.Quantize q = plan.quantize();
        return RhoSchedule.geometric(q.rho(), q.rhoGrowth(), q.rhoMax());
    }

    static void closeAll(Object... iterators) {
        for (Object it : iterators) {
            if (it instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static String describe(Map<String, Projection> constraints) {
        StringBuilder sb = new StringBuilder();
        constraints.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : "; ").append(k).append(": ").append(v.describe()));
        return sb.toString();
    }

    private static String summary(Map<String, LayerSparsity> sparsity) {
        long total = sparsity.values().stream().mapToLong(LayerSparsity::total).sum();
        long kept = sparsity.values().stream().mapToLong(LayerSparsity::kept).sum();
        return String.format(Locale.ROOT, "%d of %d constrained weights kept (%.1fx)", kept, total,
                (double) total / Math.max(1, kept));
    }
}
