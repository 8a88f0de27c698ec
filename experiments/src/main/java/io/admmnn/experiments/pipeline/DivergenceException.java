package io.admmnn.experiments.pipeline;

/** Training produced a NaN or infinite objective; the run stops and keeps its last good checkpoint. */
public class DivergenceException extends RuntimeException {

    public DivergenceException(String message) {
        super(message);
    }

    public DivergenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
