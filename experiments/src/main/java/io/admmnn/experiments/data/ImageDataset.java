package io.admmnn.experiments.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A labelled image set held in memory.
 *
 * @param name     e.g. {@code "mnist/train"}
 * @param features {@code [n, height*width]} floats in [0, 1] (pixel / 255), row-major pixels
 * @param labels   {@code [n, classes]} one-hot
 * @param height   image height in pixels
 * @param width    image width in pixels
 */
public record ImageDataset(String name, INDArray features, INDArray labels, int height, int width) {

    public int size() {
        return (int) features.size(0);
    }

    public int classes() {
        return (int) labels.size(1);
    }

    /** The first {@code n} examples (a view), or this set if it has at most n. */
    public ImageDataset first(int n) {
        if (n >= size()) {
            return this;
        }
        var rows = org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n);
        var all = org.nd4j.linalg.indexing.NDArrayIndex.all();
        return new ImageDataset(name + "[0:" + n + "]", features.get(rows, all), labels.get(rows, all), height, width);
    }
}
