package io.admmnn.dl4j.session;

import java.io.Serializable;
import java.util.List;

/**
 * Everything {@link AdmmSession} needs besides the network to continue a run: the stage, how many ADMM
 * rounds are done, and per constrained layer rho, Z, U, the frozen-weight mask and the frozen-bias mask (null in
 * snapshots written before there was one: records read a missing component as null).
 */
record SessionSnapshot(int formatVersion, String stage, boolean admmActive, int round, List<LayerSnapshot> layers)
        implements Serializable {

    static final int FORMAT_VERSION = 1;

    record LayerSnapshot(String name, String constraint, double rho, ArrayData z, ArrayData u, ArrayData mask,
                         ArrayData biasMask)
            implements Serializable {
    }
}
