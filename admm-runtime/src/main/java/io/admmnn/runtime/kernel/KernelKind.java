package io.admmnn.runtime.kernel;

/** Which of a layer's two kernels runs it: over all weights (dense) or over the stored non-zeros only (sparse). */
public enum KernelKind {
    /** Every weight, zeros included: a vectorised dense product. */
    DENSE,
    /** Only the non-zero weights, by their positions (CSR-like lists decoded once at load). */
    SPARSE
}
