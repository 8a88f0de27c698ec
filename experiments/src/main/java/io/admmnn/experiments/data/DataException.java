package io.admmnn.experiments.data;

/** A data set that is missing, corrupt or cannot be fetched; the message says what to do. */
public class DataException extends RuntimeException {

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
