package io.admmnn.experiments.pipeline;

import io.admmnn.dl4j.djpq.DjpqNetwork;
import io.admmnn.dl4j.djpq.DjpqSettings;
import io.admmnn.experiments.zoo.ZooModel;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Off-heap memory of DJPQ training on LeNet-5 (issue 15), by hand: trains the DJPQ network on synthetic 28x28
 * batches of 64 the way the pipeline does ({@code fit} over an iterator per epoch, an evaluation after each), with
 * no forced garbage collection, and prints JavaCPP's tracked bytes ({@link Pointer#totalBytes}), the process's
 * resident bytes ({@link Pointer#physicalBytes}) and the GC count every {@code every} steps.
 * Run with the heap of a real run, e.g. {@code java -Xmx6g -cp <test classpath>
 * io.admmnn.experiments.pipeline.DjpqMemoryProbe 600 50}.
 */
public final class DjpqMemoryProbe {

    private DjpqMemoryProbe() {
    }

    /** The DJPQ LeNet-5 of {@code configs/lenet-5-djpq.yaml} (untrained source weights), BOPs penalty attached. */
    static DjpqNetwork lenet5(long seed) {
        MultiLayerNetwork source = ZooModel.LENET_5.build(seed, 1e-3);
        INDArray calibration = Nd4j.rand(DataType.FLOAT, 64, 784);
        DjpqNetwork d = DjpqNetwork.insert(source, InputType.convolutionalFlat(28, 28, 1), true,
                new DjpqSettings(1e-4, 1.0, 1.0, false, 8, 8), calibration);
        d.network().setListeners(d.bopsPenalty());
        return d;
    }

    /** {@code batches} synthetic batches: pixels uniform in [0, 1], one random class each. */
    static List<DataSet> batches(int batches, int size, long seed) {
        Random r = new Random(seed);
        List<DataSet> list = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, size, 784);
            INDArray y = Nd4j.zeros(DataType.FLOAT, size, 10);
            for (int i = 0; i < size; i++) {
                y.putScalar(i, r.nextInt(10), 1.0);
            }
            list.add(new DataSet(x, y));
        }
        return list;
    }

    static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        int every = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        DjpqNetwork d = lenet5(42);
        MultiLayerNetwork net = d.network();
        List<DataSet> train = batches(every, 64, 1);
        ListDataSetIterator<DataSet> test = new ListDataSetIterator<>(batches(4, 64, 2), 1);
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "maxHeap %d MB%n", rt.maxMemory() >> 20);
        System.out.println("step totalBytesMB physicalBytesMB heapUsedMB gcCount workspaceMB");
        for (int step = 0; step <= steps; step += every) {
            System.out.printf(Locale.ROOT, "%d %d %d %d %d %d%n", step, Pointer.totalBytes() >> 20,
                    Pointer.physicalBytes() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20, gcCount(),
                    org.nd4j.linalg.api.memory.AllocationsTracker.getInstance().bytesOnDevice(
                            org.nd4j.linalg.api.memory.enums.AllocationKind.WORKSPACE, 0) >> 20);
            if (step < steps) {
                net.fit(new ListDataSetIterator<>(train, 1));
                net.evaluate(test);
            }
        }
    }
}
