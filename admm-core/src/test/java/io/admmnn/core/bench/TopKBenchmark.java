package io.admmnn.core.bench;

import io.admmnn.core.projection.TopKSparsity;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Time of one exact top-k projection ({@link TopKSparsity#projectInPlace}) of n Gaussian floats, keeping 4 %
 * (AlexNet's 24.7x). n = 60,954,656 is AlexNet's weight count; 430,500 LeNet-5's. Run with scripts/bench-projections.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TopKBenchmark {

    @Param({"430500", "60954656"})
    public int n;

    private float[] source;
    private INDArray weights;
    private final TopKSparsity projection = new TopKSparsity(1 - 1 / 24.7);

    @Setup(Level.Trial)
    public void data() {
        Random random = new Random(1);
        source = new float[n];
        for (int i = 0; i < n; i++) {
            source[i] = (float) random.nextGaussian();
        }
        weights = Nd4j.create(source, new long[]{n}, 'c');
    }

    @Setup(Level.Invocation)
    public void reset() {
        weights.assign(Nd4j.createFromArray(source));
    }

    @Benchmark
    public INDArray project() {
        projection.projectInPlace(weights);
        return weights;
    }
}
