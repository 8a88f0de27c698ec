package io.admmnn.dl4j.session;

import java.io.Serializable;
import java.util.List;

/**
 * Everything {@link AdmmSession} needs besides the network to continue a run: the stage, how many ADMM
 * rounds are done, and per constrained layer rho, Z, U and the frozen-weight mask.
 */
record SessionSnapshot(int formatVersion, String stage, boolean admmActive, int round, List<LayerSnapshot> layers)
        implements Serializable {

    static final int FORMAT_VERSION = 1;

    record LayerSnapshot(String name, String constraint, double rho, ArrayData z, ArrayData u, ArrayData mask)
            implements Serializable {
    }
}
