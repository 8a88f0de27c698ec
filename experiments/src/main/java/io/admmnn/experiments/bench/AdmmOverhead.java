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
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The ADMM overhead of the lean training step, measured as a ratio inside one process: blocks of {@code steps}
 * lean steps (batch 64, Adam 1e-3, real MNIST, data fetching included) of a plain network and of networks under
 * ADMM on the default pruning ratios alternate, in a rotating order, {@code rounds} times; each block is timed in
 * this thread's CPU time and in wall time, and each ADMM arm's block is divided by the plain block of the same
 * round. On a machine shared with other jobs the absolute times drift with the load, but both arms of a round see
 * nearly the same load, so the median of the per-round ratios is what this measures. ADMM arms: the penalty target
 * held in bfloat16 (the default, see {@link LeanDenseTrainer#BF16_TARGET}) and in float32. The Z/U update (once per
 * round of ADMM, not per step) is not timed here; TrainingThroughput adds it.
 *
 * <p>Prints {@code ab <model> <arm> cpu-ratio <q1> <median> <q3>}, the same for {@code wall-ratio}, and
 * {@code ab <model> <arm> step-us <cpu median> <wall median>}. Usage: {@code AdmmOverhead [steps=50] [rounds=40]
 * [model=lenet-300-100]}.
 */
public final class AdmmOverhead {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private AdmmOverhead() {
    }

    /** One network and its data, trained block by block. */
    private static final class Arm {
        final String name;
        final LeanDenseTrainer trainer;
        final ShuffledBatches data;
        final AdmmSession session;
        final double[] cpu;
        final double[] wall;
        /** Thread CPU time of every timed step, microseconds. */
        final double[] stepCpu;

        Arm(String name, ZooModel model, ImageDataset train, boolean admm, boolean bf16, int rounds, int steps) {
            this.name = name;
            MultiLayerNetwork net = model.build(42, 1e-3);
            if (admm) {
                Map<String, Projection> c = new LinkedHashMap<>();
                CompressionPlan.defaultRatios(model).forEach((l, r) -> c.put(l, new TopKSparsity(r)));
                session = AdmmSession.start(TrainableNetwork.of(net), "bench", c, RhoSchedule.fixed(1e-3), true);
            } else {
                session = null;
            }
            String before = System.getProperty(LeanDenseTrainer.BF16_TARGET);
            System.setProperty(LeanDenseTrainer.BF16_TARGET, Boolean.toString(bf16));
            try {
                trainer = LeanDenseTrainer.of(net);
            } finally {
                if (before == null) {
                    System.clearProperty(LeanDenseTrainer.BF16_TARGET);
                } else {
                    System.setProperty(LeanDenseTrainer.BF16_TARGET, before);
                }
            }
            data = ShuffledBatches.training(train, 64, 42).reusingBatchArrays();
            cpu = new double[rounds];
            wall = new double[rounds];
            stepCpu = new double[rounds * steps];
        }

        void steps(int n) {
            for (int i = 0; i < n; i++) {
                if (!data.hasNext()) {
                    data.reset();
                }
                trainer.fit(data.next());
            }
        }

        /** Warm-up with two Z/U updates on the way, so that U and the target are dense as in a real W-step. */
        void warm(int n) {
            for (int k = 0; k < 3; k++) {
                if (session != null) {
                    session.runRound(r -> steps(n));
                } else {
                    steps(n);
                }
            }
        }

        void timeBlock(int round, int n) {
            long w0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long first = c0;
            for (int i = 0; i < n; i++) {
                steps(1);
                long c1 = THREADS.getCurrentThreadCpuTime();
                stepCpu[round * n + i] = (c1 - c0) / 1e3;
                c0 = c1;
            }
            wall[round] = (System.nanoTime() - w0) / 1e3 / n;
            cpu[round] = (c0 - first) / 1e3 / n;
        }
    }

    public static void main(String[] args) throws Exception {
        NativeBackend.configure();
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        ZooModel model = ZooModel.byId(args.length > 2 ? args[2] : "lenet-300-100");
        ImageDataset train = Mnist.train(Mnist.ensureAvailable(Mnist.defaultDirectory(), System.err::println));
        List<Arm> arms = new ArrayList<>();
        arms.add(new Arm("plain", model, train, false, false, rounds, steps));
        arms.add(new Arm("admm-bf16", model, train, true, true, rounds, steps));
        arms.add(new Arm("admm-fp32", model, train, true, false, rounds, steps));
        for (Arm a : arms) {
            a.warm(Math.max(steps, 200));
        }
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < arms.size(); k++) { // rotating order: no arm always runs after the same one
                arms.get((r + k) % arms.size()).timeBlock(r, steps);
            }
        }
        Arm plain = arms.get(0);
        for (Arm a : arms) {
            System.out.printf(Locale.ROOT, "ab %s %s step-us %.1f %.1f%n", model.id(), a.name, median(a.cpu),
                    median(a.wall));
            System.out.printf(Locale.ROOT, "ab %s %s step-cpu-us-p10-p25-p50 %.1f %.1f %.1f%n", model.id(), a.name,
                    quantile(a.stepCpu, 0.1), quantile(a.stepCpu, 0.25), quantile(a.stepCpu, 0.5));
            if (a != plain) {
                System.out.printf(Locale.ROOT, "ab %s %s step-cpu-ratio-p10-p25-p50 %.4f %.4f %.4f%n", model.id(),
                        a.name, quantile(a.stepCpu, 0.1) / quantile(plain.stepCpu, 0.1),
                        quantile(a.stepCpu, 0.25) / quantile(plain.stepCpu, 0.25),
                        quantile(a.stepCpu, 0.5) / quantile(plain.stepCpu, 0.5));
                print(model, a.name, "cpu-ratio", a.cpu, plain.cpu);
                print(model, a.name, "wall-ratio", a.wall, plain.wall);
            }
        }
    }

    private static void print(ZooModel model, String arm, String what, double[] a, double[] b) {
        double[] ratio = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            ratio[i] = a[i] / b[i];
        }
        java.util.Arrays.sort(ratio);
        int n = ratio.length;
        System.out.printf(Locale.ROOT, "ab %s %s %s %.4f %.4f %.4f%n", model.id(), arm, what, ratio[n / 4],
                ratio[n / 2], ratio[(3 * n) / 4]);
    }

    private static double median(double[] values) {
        return quantile(values, 0.5);
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[(int) (q * (sorted.length - 1))];
    }
}
