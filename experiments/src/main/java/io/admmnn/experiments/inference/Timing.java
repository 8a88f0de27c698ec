package io.admmnn.experiments.inference;

import java.util.Arrays;

/**
 * Median wall times of a piece of work: warm-up first (at least {@value #WARM_UP_RUNS} runs and
 * {@value #WARM_UP_MILLIS} ms, for the JIT and the caches), then {@code samples} timed samples, each of enough calls
 * in a row to last about {@value #SAMPLE_MILLIS} ms (one call for longer work), reported per call.
 */
public final class Timing {

    static final int WARM_UP_RUNS = 3;
    static final long WARM_UP_MILLIS = 300;
    static final double SAMPLE_MILLIS = 2;

    private Timing() {
    }

    /** The median milliseconds per call of {@code work} over {@code samples} samples. */
    public static double medianMillis(Runnable work, int samples) {
        return median(samplesMillis(work, samples));
    }

    /** Milliseconds per call of each of {@code samples} samples, in the order taken. */
    public static double[] samplesMillis(Runnable work, int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1, was " + samples);
        }
        long warmUpEnd = System.nanoTime() + WARM_UP_MILLIS * 1_000_000L;
        long calls = 0;
        long started = System.nanoTime();
        while (calls < WARM_UP_RUNS || System.nanoTime() < warmUpEnd) {
            work.run();
            calls++;
        }
        double perCall = (System.nanoTime() - started) / 1e6 / calls;
        int inner = (int) Math.max(1, Math.min(1_000_000, Math.ceil(SAMPLE_MILLIS / Math.max(perCall, 1e-6))));
        double[] ms = new double[samples];
        for (int s = 0; s < samples; s++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                work.run();
            }
            ms[s] = (System.nanoTime() - t0) / 1e6 / inner;
        }
        return ms;
    }

    /** The median of {@code values} (the mean of the two middle ones for an even count). */
    public static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
