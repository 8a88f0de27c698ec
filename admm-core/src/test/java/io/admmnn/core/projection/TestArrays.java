package io.admmnn.core.projection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Test arrays in every layout the projections must handle, generators, and the three projection properties. */
final class TestArrays {

    private TestArrays() {
    }

    /** How an array sits in memory: its own buffer, a strided view, or a contiguous view at an offset. */
    enum Placement { OWN, STRIDED_VIEW, OFFSET_VIEW }

    /** Data type, ordering, and placement of a test array. */
    enum Layout {
        FLOAT_C(DataType.FLOAT, 'c', Placement.OWN),
        DOUBLE_C(DataType.DOUBLE, 'c', Placement.OWN),
        FLOAT_F(DataType.FLOAT, 'f', Placement.OWN),
        DOUBLE_F(DataType.DOUBLE, 'f', Placement.OWN),
        FLOAT_C_STRIDED(DataType.FLOAT, 'c', Placement.STRIDED_VIEW),
        DOUBLE_F_STRIDED(DataType.DOUBLE, 'f', Placement.STRIDED_VIEW),
        FLOAT_F_OFFSET(DataType.FLOAT, 'f', Placement.OFFSET_VIEW),
        DOUBLE_C_OFFSET(DataType.DOUBLE, 'c', Placement.OFFSET_VIEW);

        final DataType type;
        final char order;
        final Placement placement;

        Layout(DataType type, char order, Placement placement) {
            this.type = type;
            this.order = order;
            this.placement = placement;
        }

        /** Tolerance on squared errors and feasibility appropriate for the data type. */
        double tolerance() {
            return type == DataType.FLOAT ? 1e-5 : 1e-10;
        }
    }

    /** An array of {@code shape} whose element at c-order position i is {@code cValues[i]}, in {@code layout}. */
    static INDArray make(double[] cValues, long[] shape, Layout layout) {
        INDArray dense = Nd4j.create(cValues, shape, 'c').castTo(layout.type);
        if (layout.placement == Placement.OWN) {
            return dense.dup(layout.order);
        }
        // STRIDED: the inner block of an array two larger in every dimension (offset and gaps).
        // OFFSET: a slab of an array two larger in its slowest dimension (offset, no gaps).
        int slowest = layout.order == 'c' ? 0 : shape.length - 1;
        long[] bigShape = shape.clone();
        INDArrayIndex[] index = new INDArrayIndex[shape.length];
        for (int d = 0; d < shape.length; d++) {
            boolean grow = layout.placement == Placement.STRIDED_VIEW || d == slowest;
            bigShape[d] += grow ? 2 : 0;
            index[d] = grow ? NDArrayIndex.interval(1, shape[d] + 1) : NDArrayIndex.all();
        }
        INDArray big = Nd4j.valueArrayOf(bigShape, 7.0, layout.type).dup(layout.order);
        INDArray view = big.get(index);
        view.assign(dense);
        assertThat(view.isView()).isTrue();
        return view;
    }

    /** Elements of {@code v} in c order, as doubles (independent of v's layout). */
    static double[] cValues(INDArray v) {
        return v.dup('c').castTo(DataType.DOUBLE).data().asDouble();
    }

    /** A 2-D shape holding n elements, with both dimensions > 1 when n allows (so c and f orders differ). */
    static long[] matrixShape(int n) {
        int rows = 1;
        for (int d = 2; d * d <= n; d++) {
            if (n % d == 0) {
                rows = d;
            }
        }
        return new long[] {rows, n / rows};
    }

    static double squaredDistance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return sum;
    }

    /** Weight values: continuous, on a coarse grid (ties and exact level hits), or exactly zero. */
    static Arbitrary<Double> weight() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.doubles().between(-3.0, 3.0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(-12, 12).map(i -> i / 4.0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0.0)));
    }

    static Arbitrary<double[]> vector(int minLength, int maxLength) {
        return weight().array(double[].class).ofMinSize(minLength).ofMaxSize(maxLength);
    }

    /**
     * Checks the three projection properties on {@code input} (not modified): the output is feasible,
     * projecting it again changes nothing (bit for bit), and its squared distance to the input is at most
     * {@code bruteForceMin} (the smallest squared distance of any feasible point, found by enumeration).
     * Also checks that {@code project} leaves its argument alone and keeps shape, type and ordering.
     *
     * @return the projection, in c order
     */
    static double[] checkProjection(Projection p, INDArray input, double bruteForceMin, Layout layout) {
        double[] before = cValues(input);
        INDArray out = p.project(input);
        assertThat(cValues(input)).as("project must not modify its argument").containsExactly(before);
        assertThat(out.shape()).containsExactly(input.shape());
        assertThat(out.dataType()).isEqualTo(input.dataType());
        assertThat(out.ordering()).isEqualTo(input.ordering());
        double tol = layout.tolerance();
        assertThat(p.isFeasible(out, tol)).as("feasible: %s", Arrays.toString(cValues(out))).isTrue();
        double[] once = cValues(out);
        INDArray twice = p.project(out);
        assertThat(cValues(twice)).as("idempotent").containsExactly(once);
        double distance = squaredDistance(once, before);
        assertThat(distance).as("nearest: projection %s of %s", Arrays.toString(once), Arrays.toString(before))
                .isLessThanOrEqualTo(bruteForceMin + tol * (1 + bruteForceMin));
        // In place gives the same result as the copy.
        INDArray inPlace = make(before, input.shape(), layout);
        p.projectInPlace(inPlace);
        assertThat(cValues(inPlace)).containsExactly(once);
        return once;
    }

    /** Brute force for sets that are products over elements: per element, the nearest allowed value. */
    static double separableMin(double[] x, java.util.function.DoubleFunction<double[]> allowedValues) {
        double sum = 0;
        for (double value : x) {
            double best = Double.POSITIVE_INFINITY;
            for (double level : allowedValues.apply(value)) {
                best = Math.min(best, (value - level) * (value - level));
            }
            sum += best;
        }
        return sum;
    }
}
