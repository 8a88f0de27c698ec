package io.admmnn.experiments.bench;

import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import io.admmnn.dl4j.speed.LeanDenseTrainer;
import io.admmnn.dl4j.speed.NativeBackend;
import io.admmnn.experiments.data.ImageDataset;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.data.ShuffledBatches;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.zoo.ZooModel;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Training throughput (images/s) of the built-in networks on real MNIST images, plain and with ADMM. Each
 * measurement: one warm-up pass, then the median of {@code passes} timed passes (plain and ADMM passes alternating,
 * each first in every other pair) over the first {@code images} training images at batch 64, Adam 1e-3, or more
 * images (up to the 60,000 of an epoch) where a probe pass shows a pass would last under
 * {@value #MIN_PASS_SECONDS} s: the ADMM overhead is a few percent of a pass, and a 0.4 s pass is timed too coarsely
 * for that. ADMM throughput is that of an ADMM round of one 60,000-image MNIST epoch: W-step passes timed with the
 * penalty hooks active, scaled to 60,000 images, plus the median time of one Z/U update (projection of every
 * constrained layer); timing the Z/U update once per short pass would charge it ten times over. Prints
 * {@code java <model> images-per-pass <n>}, {@code java <model> <plain|admm> <images/s>},
 * {@code java <model> zu-ms <ms>} and {@code java <model> overhead-pairs <min> <median> <max>}, the ADMM overhead
 * of each pair of passes; first, {@link BackendInfo}'s {@code ours <key> <value>} lines, and for each model
 * {@code ours <model> training-path <line>}, the path {@link NativeBackend#describe} names and the number type of the
 * lean step's ADMM penalty target ({@link LeanDenseTrainer#BF16_TARGET}). Used by scripts/bench.
 */
public final class TrainingThroughput {

    /** Images in one MNIST training epoch, the length of an ADMM round in the presets. */
    private static final double MNIST_EPOCH = 60_000;

    /** The shortest timed pass: long enough that scheduler and cache noise stays well under the 5 % to be seen. */
    private static final double MIN_PASS_SECONDS = 3.0;

    private TrainingThroughput() {
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double seconds(TrainableNetwork net, ShuffledBatches data) {
        long t0 = System.nanoTime();
        net.fitEpoch(data);
        return (System.nanoTime() - t0) / 1e9;
    }

    public static void main(String[] args) throws Exception {
        NativeBackend.configure();
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 6400;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var dir = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.err::println);
        ImageDataset all = Mnist.train(dir);
        BackendInfo.print(System.out);
        for (ZooModel model : new ZooModel[]{ZooModel.LENET_5, ZooModel.LENET_300_100}) {
            TrainableNetwork plain = TrainableNetwork.of(model.build(42, 1e-3));
            TrainableNetwork admm = TrainableNetwork.of(model.build(42, 1e-3));
            System.out.println("ours " + model.id() + " training-path " + NativeBackend.describe(plain)
                    + "; ADMM penalty target Z - U in " + (LeanDenseTrainer.bf16TargetEnabled()
                    ? "bfloat16 (rounded once per ADMM round)" : "float32"));
            ImageDataset train = all.first(images);
            // A third network for the probe, so the plain and ADMM networks keep the same training history.
            double probe = seconds(TrainableNetwork.of(model.build(42, 1e-3)),
                    ShuffledBatches.training(train, 64, 42).reusingBatchArrays());
            if (probe < MIN_PASS_SECONDS) {
                int batches = (int) Math.ceil(images * MIN_PASS_SECONDS / probe / 64);
                train = all.first(Math.min(all.size(), 64 * batches));
            }
            System.out.printf(Locale.ROOT, "java %s images-per-pass %d%n", model.id(), train.size());
            // as the pipeline trains (DatasetId.trainBatches)
            ShuffledBatches plainData = ShuffledBatches.training(train, 64, 42).reusingBatchArrays();
            ShuffledBatches admmData = ShuffledBatches.training(train, 64, 42).reusingBatchArrays();
            Map<String, Projection> c = new LinkedHashMap<>();
            CompressionPlan.defaultRatios(model).forEach((l, r) -> c.put(l, new TopKSparsity(r)));
            AdmmSession session = AdmmSession.start(admm, "bench", c, RhoSchedule.fixed(1e-3), true);
            double[] plainSeconds = new double[passes];
            double[] admmSeconds = new double[passes];
            double[] zuSeconds = new double[passes];
            double[] overhead = new double[passes];
            // Plain and ADMM passes alternate, so drift in machine load reaches both alike, and which of the two
            // goes first alternates too: the second pass of a pair runs on caches the first one filled.
            for (int p = -1; p < passes; p++) {
                plainData.setEpoch(p + 1);
                admmData.setEpoch(p + 1);
                boolean plainFirst = (p & 1) == 0;
                double a = plainFirst ? seconds(plain, plainData) : 0;
                double b = seconds(admm, admmData);
                a = plainFirst ? a : seconds(plain, plainData);
                long t2 = System.nanoTime();
                session.runRound(r -> { });
                long t3 = System.nanoTime();
                if (p >= 0) {
                    plainSeconds[p] = a;
                    admmSeconds[p] = b;
                    zuSeconds[p] = (t3 - t2) / 1e9;
                }
            }
            double zu = median(zuSeconds);
            for (int p = 0; p < passes; p++) {
                overhead[p] = (admmSeconds[p] * MNIST_EPOCH / train.size() + zu)
                        / (plainSeconds[p] * MNIST_EPOCH / train.size()) - 1;
            }
            double plainEpoch = median(plainSeconds) * MNIST_EPOCH / train.size();
            double admmEpoch = median(admmSeconds) * MNIST_EPOCH / train.size() + zu;
            double[] sorted = overhead.clone();
            java.util.Arrays.sort(sorted);
            System.out.printf(Locale.ROOT, "java %s plain %.1f%n", model.id(), MNIST_EPOCH / plainEpoch);
            System.out.printf(Locale.ROOT, "java %s admm %.1f%n", model.id(), MNIST_EPOCH / admmEpoch);
            System.out.printf(Locale.ROOT, "java %s zu-ms %.1f%n", model.id(), zu * 1e3);
            System.out.printf(Locale.ROOT, "java %s overhead-pairs %+.1f%% %+.1f%% %+.1f%%%n", model.id(),
                    100 * sorted[0], 100 * median(overhead), 100 * sorted[passes - 1]);
        }
    }
}
