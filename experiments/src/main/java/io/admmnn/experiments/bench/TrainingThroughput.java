package io.admmnn.experiments.bench;

import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
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
 * measurement: one warm-up pass, then the median of {@code passes} timed passes (plain and ADMM passes alternating) over the first {@code images}
 * training images at batch 64, Adam 1e-3. ADMM throughput is that of an ADMM round of one 60,000-image MNIST epoch:
 * W-step passes timed with the penalty hooks active, scaled to 60,000 images, plus the median time of one Z/U update
 * (projection of every constrained layer); timing the Z/U update once per short pass would charge it ten times
 * over. Prints {@code java <model> <plain|admm> <images/s>} and {@code java <model> zu-ms <ms>}. Used by
 * scripts/bench.
 */
public final class TrainingThroughput {

    /** Images in one MNIST training epoch, the length of an ADMM round in the presets. */
    private static final double MNIST_EPOCH = 60_000;

    private TrainingThroughput() {
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    public static void main(String[] args) throws Exception {
        NativeBackend.configure();
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 6400;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var dir = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.err::println);
        ImageDataset train = Mnist.train(dir).first(images);
        for (ZooModel model : new ZooModel[]{ZooModel.LENET_5, ZooModel.LENET_300_100}) {
            TrainableNetwork plain = TrainableNetwork.of(model.build(42, 1e-3));
            TrainableNetwork admm = TrainableNetwork.of(model.build(42, 1e-3));
            System.err.println(NativeBackend.describe(plain));
            ShuffledBatches plainData = ShuffledBatches.training(train, 64, 42);
            ShuffledBatches admmData = ShuffledBatches.training(train, 64, 42);
            Map<String, Projection> c = new LinkedHashMap<>();
            CompressionPlan.defaultRatios(model).forEach((l, r) -> c.put(l, new TopKSparsity(r)));
            AdmmSession session = AdmmSession.start(admm, "bench", c, RhoSchedule.fixed(1e-3), true);
            double[] plainSeconds = new double[passes];
            double[] admmSeconds = new double[passes];
            double[] zuSeconds = new double[passes];
            // Plain and ADMM passes alternate, so drift in machine load reaches both alike.
            for (int p = -1; p < passes; p++) {
                plainData.setEpoch(p + 1);
                admmData.setEpoch(p + 1);
                long t0 = System.nanoTime();
                plain.fitEpoch(plainData);
                long t1 = System.nanoTime();
                admm.fitEpoch(admmData);
                long t2 = System.nanoTime();
                session.runRound(r -> { });
                long t3 = System.nanoTime();
                if (p >= 0) {
                    plainSeconds[p] = (t1 - t0) / 1e9;
                    admmSeconds[p] = (t2 - t1) / 1e9;
                    zuSeconds[p] = (t3 - t2) / 1e9;
                }
            }
            double zu = median(zuSeconds);
            double plainEpoch = median(plainSeconds) * MNIST_EPOCH / train.size();
            double admmEpoch = median(admmSeconds) * MNIST_EPOCH / train.size() + zu;
            System.out.printf(Locale.ROOT, "java %s plain %.1f%n", model.id(), MNIST_EPOCH / plainEpoch);
            System.out.printf(Locale.ROOT, "java %s admm %.1f%n", model.id(), MNIST_EPOCH / admmEpoch);
            System.out.printf(Locale.ROOT, "java %s zu-ms %.1f%n", model.id(), zu * 1e3);
        }
    }
}
