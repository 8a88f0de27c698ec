package io.admmnn.experiments.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fashion-MNIST (Xiao et al. 2017: 60,000 training and 10,000 test 28x28 grey images of 10 kinds of clothing,
 * labels 0 T-shirt/top .. 9 ankle boot), a drop-in harder replacement for MNIST. Read from Debian's package
 * {@code dataset-fashion-mnist}, which installs the four gzip-compressed IDX files into
 * {@value #DEBIAN_DIRECTORY}; each is checked against its pinned SHA-256 before use. Another folder holding
 * the same four {@code .gz} files can be given with {@code --data-dir} or {@code $}{@value #ENV}.
 */
public final class FashionMnist {

    /** Where {@code apt-get install dataset-fashion-mnist} puts the files. */
    public static final String DEBIAN_DIRECTORY = "/usr/share/datasets/fashion-mnist";
    /** Environment variable naming another folder with the four files. */
    public static final String ENV = "ADMM_NN_FASHION_MNIST";

    /** SHA-256 of each file of {@code dataset-fashion-mnist 0.0~git20200523.55506a9-1} (Debian 12/13). */
    static final ChecksummedFiles FILES = ChecksummedFiles.of("Fashion-MNIST",
            "train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
            "train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
            "t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
            "t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");

    private FashionMnist() {
    }

    /** {@code $ADMM_NN_FASHION_MNIST} if set, else the Debian package's folder. */
    public static Path defaultDirectory() {
        String own = System.getenv(ENV);
        return own != null && !own.isBlank() ? Path.of(own) : Path.of(DEBIAN_DIRECTORY);
    }

    /**
     * Checks that the four files are in {@code directory} with their pinned sums.
     *
     * @throws DataException one line: how to install the package, or which file is corrupt
     */
    public static Path ensureAvailable(Path directory) {
        if (!Files.isDirectory(directory) || FILES.missing(directory).size() == FILES.sha256().size()) {
            throw new DataException("Fashion-MNIST not found in " + directory + ": install it with `sudo apt-get "
                    + "install dataset-fashion-mnist` (or set " + ENV + " or --data-dir to a folder with "
                    + String.join(", ", FILES.names()) + ")");
        }
        FILES.verify(directory, "reinstall it with `sudo apt-get install --reinstall dataset-fashion-mnist`");
        return directory;
    }

    /** Training set (60,000). */
    public static ImageDataset train(Path directory) {
        return ImageDataset.fromIdx("fashion-mnist/train", directory.resolve("train-images-idx3-ubyte.gz"),
                directory.resolve("train-labels-idx1-ubyte.gz"), 10);
    }

    /** Test set (10,000). */
    public static ImageDataset test(Path directory) {
        return ImageDataset.fromIdx("fashion-mnist/test", directory.resolve("t10k-images-idx3-ubyte.gz"),
                directory.resolve("t10k-labels-idx1-ubyte.gz"), 10);
    }
}
