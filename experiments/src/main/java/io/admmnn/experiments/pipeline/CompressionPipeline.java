package io.admmnn.experiments.pipeline;

import io.admmnn.core.admm.Residuals;
import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import io.admmnn.dl4j.session.LayerSparsity;
import io.admmnn.experiments.data.ImageDataset;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.data.ShuffledBatches;
import io.admmnn.experiments.zoo.ZooModel;
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

/**
 * Runs a {@link CompressionPlan} on MNIST: pretrain, ADMM rounds, hard projection, masked retraining.
 *
 * <p>The run is a sequence of steps (one per epoch or ADMM round, plus the hard projection). After every
 * step the network, the ADMM state and the {@link RunRecord} are written to {@code checkpoint.zip} in the
 * output folder in one atomic rename, so a run killed at any moment resumes from its last completed step
 * ({@link #resume}) and, the data order depending only on (seed, epoch), continues as if never stopped.
 */
public final class CompressionPipeline {

    /** The checkpoint file in the output folder. */
    public static final String CHECKPOINT = "checkpoint.zip";
    /** The final compressed network in the output folder. */
    public static final String MODEL = "model.zip";
    static final String RECORD_ENTRY = "run-record";
    private static final int EVAL_BATCH = 1000;

    private final Path outputDir;
    private final Path dataDir;
    private final Consumer<String> log;
    private final boolean progressBar;

    /**
     * @param outputDir   results folder (created if missing)
     * @param dataDir     MNIST cache folder (fetched into if missing)
     * @param log         receives one line per epoch, round and phase
     * @param progressBar whether to draw a progress bar per epoch (for interactive terminals)
     */
    public CompressionPipeline(Path outputDir, Path dataDir, Consumer<String> log, boolean progressBar) {
        this.outputDir = outputDir;
        this.dataDir = dataDir;
        this.log = log;
        this.progressBar = progressBar;
    }

    /** Starts a new run. */
    public RunRecord run(CompressionPlan plan, String command) throws IOException {
        Path checkpoint = outputDir.resolve(CHECKPOINT);
        if (Files.exists(checkpoint)) {
            throw new IllegalArgumentException(outputDir + " already holds a run (" + CHECKPOINT
                    + "); resume it, or choose another output folder");
        }
        RunRecord rec = new RunRecord();
        rec.plan = plan;
        rec.provenance = Provenance.collect(command, plan.seed());
        ZooModel model = ZooModel.byId(plan.model());
        TrainableNetwork net = TrainableNetwork.of(model.build(plan.seed(), plan.pretrain().learningRate()));
        constraints(plan).keySet().forEach(net::layer); // unknown layer names fail before any training
        return execute(rec, net, null);
    }

    /** Continues the run whose checkpoint is in the output folder. */
    public RunRecord resume(String command) throws IOException {
        File checkpoint = outputDir.resolve(CHECKPOINT).toFile();
        if (!checkpoint.isFile()) {
            throw new IllegalArgumentException("no run to resume in " + outputDir + " (" + CHECKPOINT + " not found)");
        }
        String json = TrainableNetwork.readCheckpointObject(checkpoint, RECORD_ENTRY);
        if (json == null) {
            throw new IOException(checkpoint + " is not a checkpoint of this pipeline (no run record inside)");
        }
        RunRecord rec = RunRecord.fromJson(json);
        rec.resumedAt.add(Instant.now() + " " + command);
        CompressionPlan plan = rec.plan;
        AdmmSession session = null;
        TrainableNetwork net;
        if (TrainableNetwork.readCheckpointObject(checkpoint, AdmmSession.STATE_ENTRY) != null) {
            session = AdmmSession.restore(checkpoint, constraints(plan), schedule(plan), plan.admm().rescaleDual());
            net = session.network();
        } else {
            net = TrainableNetwork.load(checkpoint, true);
        }
        log.accept(String.format(Locale.ROOT, "resuming %s at step %d of %d", outputDir, rec.nextStep,
                plan.stepCount()));
        return execute(rec, net, session);
    }

    private RunRecord execute(RunRecord rec, TrainableNetwork net, AdmmSession resumedSession) throws IOException {
        long started = System.nanoTime();
        CompressionPlan plan = rec.plan;
        Files.createDirectories(outputDir);
        Mnist.ensureAvailable(dataDir, log);
        ImageDataset train = limit(Mnist.train(dataDir), plan.trainLimit());
        ImageDataset test = limit(Mnist.test(dataDir), plan.testLimit());
        rec.trainImages = train.size();
        rec.testImages = test.size();
        Phases phases = new Phases(rec, net, ShuffledBatches.training(train, plan.batchSize(), plan.seed()),
                ShuffledBatches.inOrder(test, EVAL_BATCH), new TrainingMonitor(progressBar));
        net.setListeners(phases.monitor);
        log.accept(io.admmnn.dl4j.speed.NativeBackend.describe(net));
        AdmmSession session = resumedSession;

        int pretrainEpochs = plan.pretrain().epochs();
        int rounds = plan.admm().rounds();
        while (rec.nextStep < plan.stepCount()) {
            int step = rec.nextStep;
            if (step < pretrainEpochs) {
                double acc = phases.trainEpoch("pretrain", step, pretrainEpochs, plan.pretrain().learningRate(step));
                if (step == pretrainEpochs - 1) {
                    rec.accuracy.put(RunRecord.PRETRAINED, acc);
                }
            } else if (step < pretrainEpochs + rounds) {
                if (session == null) {
                    if (pretrainEpochs == 0) {
                        rec.accuracy.put(RunRecord.PRETRAINED, phases.evaluate());
                    }
                    session = AdmmSession.start(net, "prune", constraints(plan), schedule(plan),
                            plan.admm().rescaleDual());
                    log.accept("ADMM pruning: " + describe(constraints(plan)));
                }
                phases.admmRound(session, step - pretrainEpochs);
            } else if (step == pretrainEpochs + rounds) {
                Map<String, LayerSparsity> sparsity = session.hardProject();
                double acc = phases.evaluate();
                rec.accuracy.put(RunRecord.AFTER_HARD_PRUNE, acc);
                log.accept(String.format(Locale.ROOT, "hard projection: test accuracy %.2f%%, %s", 100 * acc,
                        summary(sparsity)));
            } else {
                int e = step - pretrainEpochs - rounds - 1;
                double acc = phases.trainEpoch("retrain", e, plan.retrain().epochs(), plan.retrain().learningRate(e));
                if (e == plan.retrain().epochs() - 1) {
                    rec.accuracy.put(RunRecord.AFTER_RETRAIN, acc);
                }
            }
            rec.nextStep++;
            rec.layers = layerEntries(net, plan);
            rec.otherParameters = net.parameterCount() - rec.totalWeights();
            rec.wallSeconds = (rec.wallSeconds == null ? 0 : rec.wallSeconds) + (System.nanoTime() - started) / 1e9;
            started = System.nanoTime();
            checkpoint(rec, net, session);
        }
        rec.finishedAt = Instant.now().toString();
        net.save(outputDir.resolve(MODEL).toFile(), false);
        checkpoint(rec, net, session);
        return rec;
    }

    /** The per-epoch and per-round work, sharing the data iterators and the monitor. */
    private final class Phases {
        final RunRecord rec;
        final TrainableNetwork net;
        final ShuffledBatches train;
        final ShuffledBatches test;
        final TrainingMonitor monitor;

        Phases(RunRecord rec, TrainableNetwork net, ShuffledBatches train, ShuffledBatches test,
               TrainingMonitor monitor) {
            this.rec = rec;
            this.net = net;
            this.train = train;
            this.test = test;
            this.monitor = monitor;
        }

        double trainEpoch(String phase, int index, int of, double learningRate) {
            net.setLearningRate(learningRate);
            train.setEpoch(rec.globalEpoch);
            String label = String.format(Locale.ROOT, "%s %d/%d", phase, index + 1, of);
            monitor.begin(label, train.batchesPerEpoch());
            long t0 = System.nanoTime();
            net.fitEpoch(train);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double objective = monitor.end();
            double acc = evaluate();
            rec.epochs.add(new RunRecord.EpochEntry(phase, rec.globalEpoch, learningRate, objective, acc, seconds));
            rec.globalEpoch++;
            log.accept(String.format(Locale.ROOT, "[%s] lr %.2e · objective %.4f · test %.2f%% · %.1f s", label,
                    learningRate, objective, 100 * acc, seconds));
            return acc;
        }

        void admmRound(AdmmSession session, int round) {
            CompressionPlan.Admm admm = rec.plan.admm();
            List<Residuals> residuals = session.runRound(r -> {
                for (int e = 0; e < admm.epochsPerRound(); e++) {
                    trainEpoch(String.format(Locale.ROOT, "admm round %d/%d, epoch", round + 1, admm.rounds()), e,
                            admm.epochsPerRound(), admm.learningRate());
                }
            });
            double acc = evaluate();
            List<RunRecord.LayerResidual> layers = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (Residuals r : residuals) {
                layers.add(new RunRecord.LayerResidual(r.name(), r.primal(), r.dual(), r.relativePrimal()));
                line.append(String.format(Locale.ROOT, " %s %.3g/%.3g", r.name(), r.relativePrimal(), r.dual()));
            }
            rec.admmRounds.add(new RunRecord.RoundEntry(round, residuals.get(0).rho(), layers, acc));
            if (round == admm.rounds() - 1) {
                rec.accuracy.put(RunRecord.AFTER_ADMM, acc);
            }
            log.accept(String.format(Locale.ROOT, "[admm round %d/%d] rho %.3g · test %.2f%% · ||W-Z||/||W|| / dual:%s",
                    round + 1, admm.rounds(), residuals.get(0).rho(), 100 * acc, line));
        }

        double evaluate() {
            return net.evaluate(test).accuracy();
        }
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
            long kept = w.neq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
            entries.add(new RunRecord.LayerEntry(l.name(), l.type(), w.length(), kept,
                    plan.pruningRatios().getOrDefault(l.name(), 0.0)));
        }
        return entries;
    }

    static Map<String, Projection> constraints(CompressionPlan plan) {
        Map<String, Projection> c = new LinkedHashMap<>();
        plan.pruningRatios().forEach((layer, ratio) -> c.put(layer, new TopKSparsity(ratio)));
        return c;
    }

    static RhoSchedule schedule(CompressionPlan plan) {
        return RhoSchedule.geometric(plan.admm().rho(), plan.admm().rhoGrowth(), plan.admm().rhoMax());
    }

    private static ImageDataset limit(ImageDataset data, int limit) {
        return limit > 0 ? data.first(limit) : data;
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
