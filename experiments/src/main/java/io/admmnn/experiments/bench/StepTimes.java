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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Where one training step's time goes (batch 64, Adam 1e-3, real MNIST), so that the next gap to PyTorch is
 * visible: per step, in microseconds, the medians over {@code steps} steps of
 * <ul>
 *   <li>{@code data}: the next minibatch from the shuffled iterator;</li>
 *   <li>{@code forward}: the training-mode forward pass ({@code feedForward(x, true)});</li>
 *   <li>{@code backward}: forward + backward with the score ({@code computeGradientAndScore}) less {@code forward};</li>
 *   <li>{@code updater}: a whole {@code fit(DataSet)} step less forward + backward (gradient division, Adam, the
 *   parameter step, listeners);</li>
 *   <li>{@code admm-hooks}: the same {@code fit} step on a network under ADMM less the plain one (the W-step term
 *   and the frozen-weight mask, before and after the updater).</li>
 * </ul>
 * The parts are timed in separate loops over the same batches, so they add up only approximately. Prints
 * {@code split java <model> <part> <us>} lines for scripts/bench, and for a model that trains through the lean
 * step ({@link LeanDenseTrainer}) the same split of that step as {@code split lean <model> <part> <us>} lines.
 */
public final class StepTimes {

    private static final int BATCH = 64;

    private StepTimes() {
    }

    public static void main(String[] args) throws Exception {
        NativeBackend.configure();
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        ImageDataset train = Mnist.train(Mnist.ensureAvailable(Mnist.defaultDirectory(), System.err::println))
                .first(steps * BATCH);
        for (ZooModel model : new ZooModel[]{ZooModel.LENET_5, ZooModel.LENET_300_100}) {
            List<DataSet> batches = new ArrayList<>();
            ShuffledBatches data = ShuffledBatches.training(train, BATCH, 42);
            double dataUs = median(timeEach(steps, i -> batches.add(data.next())));
            MultiLayerNetwork plain = model.build(42, 1e-3);
            MultiLayerNetwork admm = underAdmm(model);
            for (int warm = 0; warm < 2; warm++) { // JIT, workspaces and oneDNN primitives warm
                batches.forEach(plain::fit);
                batches.forEach(admm::fit);
            }
            double forward = median(timeEach(steps, i -> plain.feedForward(batches.get(i).getFeatures(), true)));
            double forwardBackward = median(timeEach(steps, i -> {
                plain.setInput(batches.get(i).getFeatures());
                plain.setLabels(batches.get(i).getLabels());
                plain.computeGradientAndScore();
            }));
            double fit = median(timeEach(steps, i -> plain.fit(batches.get(i))));
            double fitAdmm = median(timeEach(steps, i -> admm.fit(batches.get(i))));
            print("java", model, "data", dataUs, "forward", forward, "backward", forwardBackward - forward,
                    "updater", fit - forwardBackward, "admm-hooks", fitAdmm - fit, "step", fit);
            if (LeanDenseTrainer.ineligibility(model.build(42, 1e-3)) == null) {
                leanSplit(model, batches, dataUs, steps);
            }
        }
    }

    /**
     * The same split for the lean step, the one training takes for this model ({@link LeanDenseTrainer}):
     * {@code forward-backward} (one pass there), {@code updater} (the step less that pass), {@code admm-hooks}
     * and {@code step}, as {@code split lean <model> <part> <us>} lines.
     */
    private static void leanSplit(ZooModel model, List<DataSet> batches, double dataUs, int steps) {
        MultiLayerNetwork plain = model.build(42, 1e-3);
        MultiLayerNetwork admm = underAdmm(model);
        LeanDenseTrainer leanPlain = LeanDenseTrainer.of(plain);
        LeanDenseTrainer leanAdmm = LeanDenseTrainer.of(admm);
        for (int warm = 0; warm < 2; warm++) {
            batches.forEach(leanPlain::fit);
            batches.forEach(leanAdmm::fit);
        }
        double forwardBackward = median(timeEach(steps,
                i -> leanPlain.computeGradient(batches.get(i).getFeatures(), batches.get(i).getLabels())));
        double step = median(timeEach(steps, i -> leanPlain.fit(batches.get(i))));
        double stepAdmm = median(timeEach(steps, i -> leanAdmm.fit(batches.get(i))));
        print("lean", model, "data", dataUs, "forward-backward", forwardBackward, "updater", step - forwardBackward,
                "admm-hooks", stepAdmm - step, "step", step);
    }

    /** A fresh network of {@code model} with an ADMM session on the default pruning ratios (the W-step hooks on). */
    private static MultiLayerNetwork underAdmm(ZooModel model) {
        MultiLayerNetwork admm = model.build(42, 1e-3);
        Map<String, Projection> c = new LinkedHashMap<>();
        CompressionPlan.defaultRatios(model).forEach((l, r) -> c.put(l, new TopKSparsity(r)));
        AdmmSession.start(TrainableNetwork.of(admm), "bench", c, RhoSchedule.fixed(1e-3), true);
        return admm;
    }

    /** One {@code split <side> <model> <part> <us>} line per part; {@code partsAndMicros} alternates the two. */
    private static void print(String side, ZooModel model, Object... partsAndMicros) {
        for (int i = 0; i < partsAndMicros.length; i += 2) {
            System.out.printf(Locale.ROOT, "split %s %s %s %.0f%n", side, model.id(), partsAndMicros[i],
                    (Double) partsAndMicros[i + 1]);
        }
    }

    /** Microseconds of each of {@code n} calls of {@code step(i)}. */
    private static double[] timeEach(int n, java.util.function.IntConsumer step) {
        double[] us = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            step.accept(i);
            us[i] = (System.nanoTime() - t0) / 1e3;
        }
        return us;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
