package io.admmnn.core.projection;

import io.admmnn.core.tensor.FlatValues;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Euclidean projection onto a constraint set S: {@code Proj_S(v) = argmin_{z in S} ||z - v||_2}.
 *
 * <p>This is the extension point of the framework: the ADMM Z-step ({@code Z = Proj_S(W + U)}), the hard
 * projection before retraining and the reports only ever call this interface. A new constraint set is one
 * class implementing it.
 *
 * <p><b>Arrays.</b> Arrays are weight tensors in DL4J's own layouts: a dense/output layer's {@code W} is
 * {@code [nIn, nOut]} (rows = inputs, columns = output units), a convolution's {@code W} is
 * {@code [nOut, nIn, kH, kW]}. Either may be 'c' or 'f' ordered and may be a view into a network's flat
 * parameter vector. Where a set treats elements as a sequence (ties, blocks), "flat index" means the
 * position in the array's own ordering, see {@link FlatValues}.
 *
 * <p><b>Copy vs in place.</b> {@link #projectInPlace} overwrites its argument (shape and ordering kept);
 * {@link #project} leaves its argument untouched and returns a new detached array.
 * Implementations must be deterministic: equal inputs give bit-identical outputs.
 */
public interface Projection {

    /** Overwrites {@code v} with {@code Proj_S(v)}. */
    void projectInPlace(INDArray v);

    /** Returns {@code Proj_S(v)} as a new array (detached from any workspace); {@code v} is unchanged. */
    default INDArray project(INDArray v) {
        INDArray out = FlatValues.detachedCopy(v);
        projectInPlace(out);
        return out;
    }

    /** Whether {@code v} lies in S, allowing an absolute error of {@code tolerance} per element. */
    boolean isFeasible(INDArray v, double tolerance);

    /**
     * Whether S is a sparsity pattern: it only says which weights must be zero, so every {@code w} whose zeros
     * include those of a member of S is in S ({@code v in S, supp(w) in supp(v) => w in S}). Training with the zeros
     * frozen then keeps a layer in S, and retraining after the hard projection needs no further projection. The
     * default, {@code false}, is the safe answer for a set that also constrains values (levels, bounds, norms):
     * retraining then puts the layer back into S with {@link #projectInPlace} after every epoch.
     */
    default boolean isSparsityPattern() {
        return false;
    }

    /**
     * Whether S removes whole output units (a conv filter {@code W[j, :, :, :]}, a dense column {@code W[:, j]}): a
     * unit it zeroes is meant to be gone, so the hard projection zeroes and freezes that unit's bias too (its output
     * is then exactly 0 where an activation maps 0 to 0, like the zero padding of the next layer). Default
     * {@code false}: a unit that happens to lose all its weights keeps its bias, a constant the next layer may use.
     */
    default boolean prunesOutputUnits() {
        return false;
    }

    /** One line for logs and reports, e.g. {@code "top-k sparsity: keep 8.0% (ratio 0.920)"}. */
    String describe();
}
