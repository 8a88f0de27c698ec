package io.admmnn.runtime.layer;

/**
 * The shape of one example's activations: {@code [channels, height, width]} for images (NCHW, row-major),
 * {@code [features, 1, 1]} for feature vectors. The layout in memory is the same for both: a flat, row-major row.
 *
 * @param channels channels (or features)
 * @param height   rows (1 for feature vectors)
 * @param width    columns (1 for feature vectors)
 */
public record Shape(int channels, int height, int width) {

    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape " + channels + "x" + height + "x" + width + " is empty");
        }
    }

    /** A feature vector of {@code n} values. */
    public static Shape flat(int n) {
        return new Shape(n, 1, 1);
    }

    /** Elements per example. */
    public int size() {
        return channels * height * width;
    }

    /** Whether this is an image (height or width above 1). */
    public boolean isImage() {
        return height > 1 || width > 1;
    }

    @Override
    public String toString() {
        return isImage() ? channels + "x" + height + "x" + width : Integer.toString(channels);
    }
}
