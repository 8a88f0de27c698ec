package io.admmnn.experiments.cli;

import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.data.ImageFolderDataset;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code admm-nn export-images}: an in-memory data set written as an image folder in ImageNet's layout. */
@Command(name = "export-images", mixinStandardHelpOptions = true,
        description = "Write MNIST or Fashion-MNIST images as PNG files in ImageNet's layout (OUT/train/<class>/*.png, "
                + "OUT/val/<class>/*.png), to try the image-folder data set and AlexNet without ImageNet.")
final class ExportImagesCommand implements Callable<Integer> {

    @Option(names = "--dataset", description = "mnist or fashion-mnist (default: ${DEFAULT-VALUE})", defaultValue = "mnist")
    String dataset;

    @Option(names = "--out", required = true, description = "folder to write train/ and val/ into")
    Path out;

    @Option(names = "--train", description = "training images, spread evenly over the set (default: ${DEFAULT-VALUE})",
            defaultValue = "1000")
    int train;

    @Option(names = "--val", description = "validation images, from the test split (default: ${DEFAULT-VALUE})",
            defaultValue = "200")
    int val;

    @Option(names = "--data-dir", description = "folder of the data set's files (default: its default folder)")
    Path dataDir;

    @Override
    public Integer call() {
        DatasetId set = DatasetId.byId(dataset);
        if (!set.inMemory()) {
            throw new IllegalArgumentException("--dataset must be an in-memory set (mnist, fashion-mnist), was " + dataset);
        }
        if (train < 1 || val < 1) {
            throw new IllegalArgumentException("--train and --val must be >= 1");
        }
        Path dir = set.ensureAvailable(dataDir != null ? dataDir : set.defaultDirectory(), System.err::println);
        int a = ImageFolderDataset.export(set.train(dir), train, out.resolve("train"));
        int b = ImageFolderDataset.export(set.test(dir), val, out.resolve("val"));
        System.out.printf("wrote %d training and %d validation images of %s to %s%n", a, b, set.displayName(), out);
        return 0;
    }
}
