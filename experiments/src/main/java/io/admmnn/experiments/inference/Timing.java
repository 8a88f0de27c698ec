package io.admmnn.experiments.inference;

import java.util.Arrays;

/**
 * Median wall times of a piece of work. Warm-up first, for the JIT (C2 and the Vector API's intrinsics come late)
 * and the caches: windows of at least {@value #WINDOW_MILLIS} ms (at least one call each) until at least
 * {@value #MIN_WARM_UP_MILLIS} ms and {@value #WARM_UP_RUNS} calls have run and the last two windows agree on the time
 * per call within {@value #STABLE_PERCENT} % (interpreted code is steady too, only slower: hence the minimum), or
 * {@value #MAX_WARM_UP_MILLIS} ms have passed. Then {@code samples} timed samples, each of as many calls in a row
 * as last about {@value #SAMPLE_MILLIS} ms by the last window's time per call (one call for longer work), reported
 * per call. {@code scripts/infer_torch.py} times the same way.
 */
public final class Timing {

    static final int WARM_UP_RUNS = 3;
    static final long WINDOW_MILLIS = 100;
    static final int STABLE_PERCENT = 10;
    static final long MIN_WARM_UP_MILLIS = 1000;
    static final long MAX_WARM_UP_MILLIS = 5000;
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
        long started = System.nanoTime();
        long calls = 0;
        double previous = Double.NaN;
        double perCall;
        while (true) {
            long t0 = System.nanoTime();
            int windowCalls = 0;
            do {
                work.run();
                windowCalls++;
            } while (System.nanoTime() - t0 < WINDOW_MILLIS * 1_000_000L);
            perCall = (System.nanoTime() - t0) / 1e6 / windowCalls;
            calls += windowCalls;
            boolean stable = Math.abs(perCall - previous) <= previous * STABLE_PERCENT / 100.0;
            long elapsed = System.nanoTime() - started;
            if (calls >= WARM_UP_RUNS && stable && elapsed >= MIN_WARM_UP_MILLIS * 1_000_000L
                    || elapsed > MAX_WARM_UP_MILLIS * 1_000_000L) {
                break;
            }
            previous = perCall;
        }
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
