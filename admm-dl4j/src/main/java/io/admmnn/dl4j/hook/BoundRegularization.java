package io.admmnn.dl4j.hook;

import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonIgnore;

/**
 * A DL4J {@link Regularization} that serializes as its layer key only and delegates to {@link LayerHooks}
 * bound after the network is built or restored. An unbound hook fails loudly instead of silently doing
 * nothing, because training a restored model without its ADMM state would be wrong without any sign.
 */
abstract class BoundRegularization implements Regularization {

    private static final long serialVersionUID = 1L;

    protected final String layerKey;
    @JsonIgnore
    protected transient LayerHooks hooks;

    BoundRegularization(String layerKey) {
        this.layerKey = layerKey;
    }

    /** The layer this hook serves (the only state written to the model's JSON besides rho). */
    public String getLayerKey() {
        return layerKey;
    }

    /** Binds the runtime state; called by the session after init or restore. */
    public void bind(LayerHooks hooks) {
        if (!hooks.layerKey().equals(layerKey)) {
            throw new IllegalArgumentException("hooks of layer " + hooks.layerKey() + " bound to " + layerKey);
        }
        this.hooks = hooks;
    }

    @JsonIgnore
    public boolean isBound() {
        return hooks != null;
    }

    @Override
    public abstract BoundRegularization clone();

    protected LayerHooks hooks() {
        LayerHooks h = hooks;
        if (h == null) {
            throw new IllegalStateException("ADMM hook of layer '" + layerKey + "' is not bound to its state: "
                    + "restore the network through AdmmSession.restore(...) before training it");
        }
        return h;
    }
}
