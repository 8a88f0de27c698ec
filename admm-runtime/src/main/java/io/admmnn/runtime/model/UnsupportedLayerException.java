package io.admmnn.runtime.model;

import java.io.IOException;

/** A network the runtime cannot run: the message is one line naming the layer and its type (or the feature). */
public final class UnsupportedLayerException extends IOException {

    public UnsupportedLayerException(String message) {
        super(message);
    }
}
