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
 * Training throughput (images/s) of the built-in networks on real MNIST images, plain and with the ADMM W-step
 * hooks active (one Z/U update per pass, as in a round of one epoch). Each measurement: one warm-up pass, then the
 * median of {@code passes} timed passes over the first {@code images} training images at batch 64, Adam 1e-3.
 * Prints one line per (model, mode): {@code java <model> <plain|admm> <images/s>}. Used by scripts/bench.
 */
public final class TrainingThroughput {

    private TrainingThroughput() {
    }

    public static void main(String[] args) throws Exception {
        NativeBackend.configure();
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 6400;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        var dir = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.err::println);
        ImageDataset train = Mnist.train(dir).first(images);
        for (ZooModel model : new ZooModel[]{ZooModel.LENET_5, ZooModel.LENET_300_100}) {
            for (String mode : new String[]{"plain", "admm"}) {
                TrainableNetwork net = TrainableNetwork.of(model.build(42, 1e-3));
                if (mode.equals("plain")) {
                    System.err.println(NativeBackend.describe(net));
                }
                ShuffledBatches data = ShuffledBatches.training(train, 64, 42);
                AdmmSession session = null;
                if (mode.equals("admm")) {
                    Map<String, Projection> c = new LinkedHashMap<>();
                    CompressionPlan.defaultRatios(model).forEach((l, r) -> c.put(l, new TopKSparsity(r)));
                    session = AdmmSession.start(net, "bench", c, RhoSchedule.fixed(1e-3), true);
                }
                double[] seconds = new double[passes];
                for (int p = -1; p < passes; p++) {
                    data.setEpoch(p + 1);
                    long t0 = System.nanoTime();
                    if (session != null) {
                        session.runRound(r -> net.fitEpoch(data));
                    } else {
                        net.fitEpoch(data);
                    }
                    if (p >= 0) {
                        seconds[p] = (System.nanoTime() - t0) / 1e9;
                    }
                }
                java.util.Arrays.sort(seconds);
                System.out.printf(Locale.ROOT, "java %s %s %.1f%n", model.id(), mode, train.size() / seconds[passes / 2]);
            }
        }
    }
}
