package io.admmnn.core.projection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

/** The radix select against a stable sort by descending magnitude (which keeps the lowest index on ties). */
class MagnitudeSelectionTest {

    /** Values that collide in the top 16 bits and deeper (nearby doubles), plus exact ties and zeros. */
    @Provide
    Arbitrary<double[]> values() {
        Arbitrary<Double> near = Arbitraries.integers().between(0, 40).map(i -> 1.0 + i * Math.ulp(1.0) * 1e3);
        Arbitrary<Double> value = Arbitraries.oneOf(near, near.map(x -> -x),
                Arbitraries.integers().between(-6, 6).map(i -> i / 2.0), Arbitraries.doubles().between(-1e3, 1e3));
        return value.array(double[].class).ofMinSize(0).ofMaxSize(300);
    }

    static boolean[] reference(double[] magnitudes, int k) {
        boolean[] mask = new boolean[magnitudes.length];
        IntStream.range(0, magnitudes.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -magnitudes[i]))
                .limit(k).forEach(i -> mask[i] = true);
        return mask;
    }

    @Property(tries = 200)
    void matchesAStableSortForEveryEntryPoint(@ForAll("values") double[] x,
            @ForAll @DoubleRange(min = 0, max = 1) double fraction) {
        int k = (int) Math.round(fraction * x.length);
        double[] abs = IntStream.range(0, x.length).mapToDouble(i -> Math.abs(x[i])).toArray();
        boolean[] expected = reference(abs, k);
        assertThat(MagnitudeSelection.largestMask(x, k)).containsExactly(expected);
        double[] kept = x.clone();
        MagnitudeSelection.keepLargest(kept, k);
        for (int i = 0; i < x.length; i++) {
            assertThat(kept[i]).isEqualTo(expected[i] ? x[i] : 0.0);
        }
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        double[] fAbs = IntStream.range(0, f.length).mapToDouble(i -> Math.abs(f[i])).toArray();
        boolean[] expectedF = reference(fAbs, k);
        assertThat(MagnitudeSelection.largestMask(f, k)).containsExactly(expectedF);
        float[] keptF = f.clone();
        MagnitudeSelection.keepLargest(keptF, k);
        for (int i = 0; i < f.length; i++) {
            assertThat(keptF[i]).isEqualTo(expectedF[i] ? f[i] : 0f);
        }
    }

    @Test
    void rejectsNaNAndBadK() {
        assertThatThrownBy(() -> MagnitudeSelection.keepLargest(new float[] {1, Float.NaN}, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MagnitudeSelection.largestMask(new double[] {1, Double.NaN}, 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MagnitudeSelection.largestMask(new double[] {1}, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
