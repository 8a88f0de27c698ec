package io.admmnn.experiments.data;

/**
 * What a network takes and a data set gives: images of {@code channels x height x width} pixels, {@code classes}
 * labels; e.g. MNIST {@code 1x28x28, 10}, AlexNet {@code 3x227x227, 1000}.
 */
public record ImageShape(int channels, int height, int width, int classes) {

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width + " images of " + classes + " classes";
    }
}
