package io.admmnn.experiments.speed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import io.admmnn.dl4j.speed.LeanDenseTrainer;
import io.admmnn.dl4j.speed.NativeBackend;
import io.admmnn.experiments.data.ImageDataset;
import io.admmnn.experiments.data.Mnist;
import io.admmnn.experiments.data.ShuffledBatches;
import io.admmnn.experiments.zoo.ZooModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The fast training paths against DL4J's reference path: DL4J's fit with the oneDNN layer helpers (AVX-512 build)
 * against its im2col fallback on the same build, and the lean convolutional step ({@link LeanDenseTrainer}, what
 * {@code fitEpoch} takes for LeNet-5) against DL4J's fit: equal gradients, equal accuracy after training, and ADMM
 * hooks and masks working.
 *
 * <p>Runs in a JVM of its own (see the experiments pom) because the native build is chosen when ND4J loads.
 * On a CPU without AVX-512 both networks take the reference path and the comparison is skipped.
 */
class FastPathAccuracyTest {

    private static ImageDataset train;
    private static ImageDataset test;
    private static boolean fastBuild;

    @BeforeAll
    static void setUp() {
        fastBuild = !NativeBackend.configure().isEmpty();
        Path dir = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.out::println);
        train = Mnist.train(dir).first(4000);
        test = Mnist.test(dir).first(1000);
    }

    /** LeNet-5 on the fast path (helpers enabled) or the reference path (helpers disabled while it is built). */
    private static TrainableNetwork lenet5(boolean fast) {
        String key = "org.eclipse.deeplearning4j.helpers.disable";
        String before = System.getProperty(key);
        System.setProperty(key, Boolean.toString(!fast));
        try {
            TrainableNetwork net = TrainableNetwork.of(ZooModel.LENET_5.build(11, 1e-3));
            String path = NativeBackend.describe(net);
            System.out.println((fast ? "fast: " : "reference: ") + path);
            assertThat(path.startsWith("WARNING")).as(path).isEqualTo(!fast || !fastBuild);
            return net;
        } finally {
            System.setProperty(key, before == null ? "false" : before);
        }
    }

    @Test
    void fastPathGradientsEqualTheReferencePath() {
        assumeTrue(fastBuild, "this CPU has no AVX-512 build: only the reference path exists");
        MultiLayerNetwork fast = (MultiLayerNetwork) lenet5(true).model();
        MultiLayerNetwork reference = (MultiLayerNetwork) lenet5(false).model();
        assertThat(fast.params()).isEqualTo(reference.params());
        DataSet batch = ShuffledBatches.inOrder(train, 64).next();
        INDArray[] grads = new INDArray[2];
        MultiLayerNetwork[] nets = {fast, reference};
        for (int i = 0; i < 2; i++) {
            nets[i].setInput(batch.getFeatures());
            nets[i].setLabels(batch.getLabels());
            nets[i].computeGradientAndScore();
            grads[i] = nets[i].getFlattenedGradients().dup();
        }
        assertThat(fast.score()).isCloseTo(reference.score(), org.assertj.core.data.Offset.offset(1e-4));
        double relative = grads[0].distance2(grads[1]) / grads[1].norm2Number().doubleValue();
        System.out.printf("relative gradient difference fast vs reference: %.2e%n", relative);
        assertThat(relative).isLessThan(1e-4);
    }

    @Test
    void fastPathTrainsToTheReferenceAccuracy() {
        assumeTrue(fastBuild, "this CPU has no AVX-512 build: only the reference path exists");
        double[] accuracy = new double[2];
        System.setProperty(LeanDenseTrainer.PROPERTY, "false"); // both through DL4J's fit
        try {
            for (int i = 0; i < 2; i++) {
                TrainableNetwork net = lenet5(i == 0);
                net.fitEpoch(ShuffledBatches.training(train, 64, 5));
                accuracy[i] = net.evaluate(ShuffledBatches.inOrder(test, 500)).accuracy();
            }
        } finally {
            System.clearProperty(LeanDenseTrainer.PROPERTY);
        }
        System.out.printf("one epoch on 4,000 images: fast %.4f, reference %.4f%n", accuracy[0], accuracy[1]);
        assertThat(accuracy[1]).isGreaterThan(0.85);
        // Same data order and initialisation: only float summation order differs between the two paths.
        assertThat(accuracy[0]).isCloseTo(accuracy[1], org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void leanConvolutionalStepHasDl4jsGradientOnMnist() {
        MultiLayerNetwork lean = ZooModel.LENET_5.build(11, 1e-3);
        MultiLayerNetwork reference = ZooModel.LENET_5.build(11, 1e-3);
        assertThat(LeanDenseTrainer.stepName(lean)).isEqualTo("lean convolutional step");
        DataSet batch = ShuffledBatches.inOrder(train, 64).next();
        double loss = LeanDenseTrainer.of(lean).computeGradient(batch.getFeatures(), batch.getLabels());
        reference.setInput(batch.getFeatures());
        reference.setLabels(batch.getLabels());
        reference.computeGradientAndScore();
        assertThat(loss).isCloseTo(reference.score(), org.assertj.core.data.Offset.offset(1e-5));
        // DL4J divides by the minibatch size in its updater, the lean pass at once
        INDArray expected = reference.getFlattenedGradients().div(64);
        INDArray actual = lean.getFlattenedGradients();
        long offset = 0; // each parameter (the flat arrays hold them in paramTable's order), as well as overall
        for (var entry : lean.paramTable().entrySet()) {
            long n = entry.getValue().length();
            var range = org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n);
            INDArray e = expected.reshape(expected.length()).get(range);
            INDArray a = actual.reshape(actual.length()).get(range);
            assertThat(a.distance2(e) / e.norm2Number().doubleValue()).as(entry.getKey()).isLessThan(1e-4);
            offset += n;
        }
        assertThat(offset).isEqualTo(actual.length());
        double relative = actual.distance2(expected) / expected.norm2Number().doubleValue();
        System.out.printf("relative gradient difference lean vs DL4J: %.2e%n", relative);
        assertThat(relative).isLessThan(1e-4);
    }

    @Test
    void leanConvolutionalStepTrainsToDl4jsAccuracy() {
        double[] accuracy = new double[2];
        String[] steps = new String[2];
        for (int i = 0; i < 2; i++) {
            System.setProperty(LeanDenseTrainer.PROPERTY, Boolean.toString(i == 0));
            try {
                TrainableNetwork net = TrainableNetwork.of(ZooModel.LENET_5.build(11, 1e-3));
                steps[i] = net.trainingStep();
                net.fitEpoch(ShuffledBatches.training(train, 64, 5));
                accuracy[i] = net.evaluate(ShuffledBatches.inOrder(test, 500)).accuracy();
            } finally {
                System.clearProperty(LeanDenseTrainer.PROPERTY);
            }
        }
        System.out.printf("one epoch on 4,000 images: lean %.4f, DL4J fit %.4f%n", accuracy[0], accuracy[1]);
        assertThat(steps[0]).isEqualTo("lean convolutional step");
        assertThat(steps[1]).startsWith("DL4J fit");
        assertThat(accuracy[1]).isGreaterThan(0.85);
        assertThat(accuracy[0]).isCloseTo(accuracy[1], org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void admmHooksAndMasksWorkOnTheFastPath() {
        TrainableNetwork net = lenet5(true);
        ShuffledBatches data = ShuffledBatches.training(train, 64, 3);
        net.fitEpoch(data);
        Map<String, Projection> constraints = new LinkedHashMap<>();
        constraints.put("conv1", new TopKSparsity(0.5));
        constraints.put("conv2", new TopKSparsity(0.8));
        AdmmSession session = AdmmSession.start(net, "prune", constraints, RhoSchedule.fixed(0.05), true);
        var residuals = session.runRound(r -> net.fitEpoch(data));
        assertThat(residuals).hasSize(2);
        session.hardProject();
        net.fitEpoch(data);
        for (ConstrainableLayer layer : net.constrainableLayers()) {
            if (!constraints.containsKey(layer.name())) {
                continue;
            }
            INDArray w = layer.weights();
            long kept = w.neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
            long expected = Math.round((1 - ((TopKSparsity) constraints.get(layer.name())).ratio()) * w.length());
            assertThat(kept).as(layer.name() + " stays pruned through masked training").isEqualTo(expected);
            assertThat(w.mul(session.mask(layer.name()).rsub(1.0)).sumNumber().doubleValue()).isZero();
        }
        assertThat(net.evaluate(ShuffledBatches.inOrder(test, 500)).accuracy()).isGreaterThan(0.85);
    }
}
