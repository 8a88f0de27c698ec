package io.admmnn.experiments.data;

import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A labelled image set held in memory (MNIST-sized sets; ImageNet-sized ones stream from disk instead, see
 * {@link ImageFolderDataset}).
 *
 * @param name     e.g. {@code "mnist/train"}
 * @param features {@code [n, height*width]} floats in [0, 1] (pixel / 255), row-major pixels
 * @param labels   {@code [n, classes]} one-hot
 * @param height   image height in pixels
 * @param width    image width in pixels
 */
public record ImageDataset(String name, INDArray features, INDArray labels, int height, int width) {

    /**
     * Reads an IDX image file ({@code [n, height, width]} bytes) and its IDX label file ({@code [n]} bytes,
     * each in [0, classes)) into memory: features = pixel / 255, labels one-hot.
     *
     * @param name e.g. {@code "fashion-mnist/train"}
     */
    public static ImageDataset fromIdx(String name, Path images, Path labels, int classes) {
        IdxFile x = IdxFile.read(images);
        IdxFile y = IdxFile.read(labels);
        if (x.dimensions().length != 3 || y.dimensions().length != 1 || x.count() != y.count()) {
            throw new DataException(name + " files disagree: images " + Arrays.toString(x.dimensions())
                    + ", labels " + Arrays.toString(y.dimensions()));
        }
        int n = x.count();
        int size = x.itemSize();
        float[] pixels = new float[n * size];
        byte[] raw = x.data();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (raw[i] & 0xff) / 255f;
        }
        float[] oneHot = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int label = y.value(i, 0);
            if (label >= classes) {
                throw new DataException(labels + ": label " + label + " at item " + i + " is not in [0, " + classes + ")");
            }
            oneHot[i * classes + label] = 1f;
        }
        INDArray features = Nd4j.create(pixels, new long[]{n, size}, 'c');
        INDArray target = Nd4j.create(oneHot, new long[]{n, classes}, 'c');
        return new ImageDataset(name, features.castTo(DataType.FLOAT), target, x.dimensions()[1], x.dimensions()[2]);
    }

    /** Number of images. */
    public int size() {
        return (int) features.size(0);
    }

    /** Number of classes (width of the one-hot labels). */
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
