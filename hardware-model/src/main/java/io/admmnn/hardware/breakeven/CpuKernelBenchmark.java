package io.admmnn.hardware.breakeven;

import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Measures this CPU's break-even: for each layer's real shape, a dense kernel against a sparse kernel over a sweep
 * of kept fractions, in plain Java on one thread.
 *
 * <p>Both compute {@code C[N x M] = W[N x K] * A[K x M]} with W the layer's weights: K = inputs (FC) or
 * {@code in/groups * kH * kW} (conv, lowered by im2col, whose natural layout is K x M), N = output units or
 * filters, M = batch (FC) or output positions x batch (conv). Both kernels run their innermost loop along M over
 * contiguous floats, so both vectorise the same way: dense loops over every (n, k); sparse holds W in compressed
 * sparse rows (one row per output unit, kept weights at seeded random positions) and loops over kept (n, k)
 * only. Timings are medians of repeated runs after warm-up; where the curves cross is the compute break-even.
 */
public final class CpuKernelBenchmark {

    /** Seed of the random operands and kept positions: every measurement times the same matrices. */
    public static final long SEED = 17;

    /**
     * @param fcBatch       images per FC measurement
     * @param convBatch     images per conv measurement
     * @param keptFractions kept fractions to measure, ascending
     * @param repetitions   timed runs per point (the median is kept)
     */
    public record Options(int fcBatch, int convBatch, double[] keptFractions, int repetitions) {
        public Options {
            if (fcBatch < 1 || convBatch < 1 || repetitions < 1) {
                throw new IllegalArgumentException("batches and repetitions must be >= 1, were fc batch " + fcBatch
                        + ", conv batch " + convBatch + ", repetitions " + repetitions);
            }
            if (keptFractions.length == 0 || java.util.Arrays.stream(keptFractions).anyMatch(k -> !(k > 0 && k <= 1))) {
                throw new IllegalArgumentException("kept fractions must be in (0, 1]");
            }
        }

        /** Kept fractions 1/128 .. 1 in factors of 2, 5 repetitions, batch 64 (FC) and 1 (conv). */
        public static Options defaults() {
            return new Options(64, 1, new double[]{1.0 / 128, 1.0 / 64, 1.0 / 32, 1.0 / 16, 1.0 / 8, 0.25, 0.5, 1.0}, 5);
        }
    }

    private CpuKernelBenchmark() {
    }

    /** Measures every layer of {@code network}; {@code log} gets one line per layer. */
    public static MeasuredProfile measure(NetworkShape network, Options options, String machine, Consumer<String> log) {
        Map<String, List<MeasuredProfile.Point>> result = new LinkedHashMap<>();
        for (LayerShape layer : network.layers()) {
            List<MeasuredProfile.Point> points = measure(layer, options);
            result.put(layer.name(), points);
            StringBuilder line = new StringBuilder(layer.name()).append(": sparse/dense time");
            points.forEach(p -> line.append(String.format(java.util.Locale.ROOT, " %.3g@%.3g", p.ratio(), p.keptFraction())));
            log.accept(line.toString());
        }
        return new MeasuredProfile(machine, result);
    }

    static List<MeasuredProfile.Point> measure(LayerShape layer, Options options) {
        int n = layer instanceof ConvLayer c ? c.outChannels() : ((FcLayer) layer).out();
        int k = (int) (layer.weights() / n);
        int m = layer instanceof ConvLayer c ? c.outH() * c.outW() * options.convBatch() : options.fcBatch();
        Random random = new Random(SEED);
        float[] a = new float[k * m];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
        }
        float[] w = new float[n * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = random.nextFloat() - 0.5f;
        }
        float[] c = new float[n * m];
        List<MeasuredProfile.Point> points = new ArrayList<>();
        for (double kept : options.keptFractions()) {
            Csr csr = Csr.random(n, k, kept, random);
            // Dense is timed again beside every sparse point, so both see the same machine state.
            double dense = median(() -> dense(w, a, c, n, k, m), options.repetitions());
            double sparse = median(() -> sparse(csr, a, c, n, m), options.repetitions());
            points.add(new MeasuredProfile.Point(kept, dense, sparse));
        }
        return points;
    }

    /** {@code C[N x M] = W[N x K] * A[K x M]}, all row-major. */
    static void dense(float[] w, float[] a, float[] c, int n, int k, int m) {
        Arrays.fill(c, 0f);
        for (int row = 0; row < n; row++) {
            int cRow = row * m;
            for (int p = 0; p < k; p++) {
                float weight = w[row * k + p];
                int aRow = p * m;
                for (int i = 0; i < m; i++) {
                    c[cRow + i] += weight * a[aRow + i];
                }
            }
        }
    }

    /** {@code C[N x M] = W[N x K] * A[K x M]} with W in compressed sparse rows. */
    static void sparse(Csr w, float[] a, float[] c, int n, int m) {
        Arrays.fill(c, 0f);
        for (int row = 0; row < n; row++) {
            int cRow = row * m;
            for (int q = w.rowStart[row]; q < w.rowStart[row + 1]; q++) {
                float weight = w.value[q];
                int aRow = w.column[q] * m;
                for (int i = 0; i < m; i++) {
                    c[cRow + i] += weight * a[aRow + i];
                }
            }
        }
    }

    /** Compressed sparse rows of an N x K matrix (one row per output unit). */
    record Csr(int[] rowStart, int[] column, float[] value) {
        static Csr random(int rows, int columns, double kept, Random random) {
            int[] start = new int[rows + 1];
            int[] column = new int[Math.max(16, (int) Math.min(Integer.MAX_VALUE - 8, (long) (rows * (long) columns * kept * 1.1) + 16))];
            int size = 0;
            for (int r = 0; r < rows; r++) {
                for (int col = 0; col < columns; col++) {
                    if (random.nextDouble() < kept) {
                        if (size == column.length) {
                            column = Arrays.copyOf(column, column.length * 2);
                        }
                        column[size++] = col;
                    }
                }
                start[r + 1] = size;
            }
            float[] value = new float[size];
            for (int i = 0; i < size; i++) {
                value[i] = random.nextFloat() - 0.5f;
            }
            return new Csr(start, Arrays.copyOf(column, size), value);
        }
    }

    private static double median(Runnable kernel, int repetitions) {
        long warmUpEnd = System.nanoTime() + 300_000_000L; // JIT warm-up: at least 0.3 s and 5 runs
        for (int runs = 0; runs < 5 || System.nanoTime() < warmUpEnd; runs++) {
            kernel.run();
        }
        double[] ms = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            long t0 = System.nanoTime();
            kernel.run();
            ms[r] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[repetitions / 2];
    }
}
