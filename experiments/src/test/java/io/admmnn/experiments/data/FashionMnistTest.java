package io.admmnn.experiments.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uses the files of Debian's dataset-fashion-mnist: .ci/run installs the package, so CI runs every test here; on a
 * machine without it the two tests that read the real files are skipped with a message saying how to install it.
 */
class FashionMnistTest {

    private static Path installed() {
        Path dir = FashionMnist.defaultDirectory();
        assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed (" + dir + "): apt-get install dataset-fashion-mnist");
        return dir;
    }

    @Test
    void installedFilesVerifyAndLoad() {
        Path dir = DatasetId.FASHION_MNIST.ensureAvailable(installed(), s -> { });
        ImageDataset train = DatasetId.FASHION_MNIST.train(dir);
        ImageDataset test = DatasetId.FASHION_MNIST.test(dir);
        assertThat(train.size()).isEqualTo(60_000);
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(train.features().shape()).containsExactly(60_000, 784);
        assertThat(train.height()).isEqualTo(28);
        assertThat(train.features().maxNumber().doubleValue()).isEqualTo(1.0);
        assertThat(train.features().minNumber().doubleValue()).isEqualTo(0.0);
        // Labels lie in 0..9 (one-hot over 10 columns, exactly one 1 per row); Fashion-MNIST is balanced:
        // exactly 6,000 training and 1,000 test images per class.
        assertThat(train.classes()).isEqualTo(10);
        assertThat(train.labels().sum(1).minNumber().doubleValue()).isEqualTo(1.0);
        assertThat(train.labels().sum(1).maxNumber().doubleValue()).isEqualTo(1.0);
        assertThat(train.labels().sum(0).toDoubleVector()).containsOnly(6000.0);
        assertThat(test.labels().sum(0).toDoubleVector()).containsOnly(1000.0);
        assertThat(train.name()).isEqualTo("fashion-mnist/train");
    }

    @Test
    void corruptedCopyFailsItsChecksumWithOneLine(@TempDir Path dir) throws Exception {
        Path installed = installed();
        for (String f : FashionMnist.FILES.names()) {
            Files.copy(installed.resolve(f), dir.resolve(f));
        }
        assertThat(FashionMnist.ensureAvailable(dir)).isEqualTo(dir);
        byte[] labels = Files.readAllBytes(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        labels[labels.length / 2] ^= 0x01; // one flipped bit
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), labels);
        assertThatThrownBy(() -> FashionMnist.ensureAvailable(dir)).isInstanceOf(DataException.class)
                .hasMessageContaining("checksum mismatch for " + dir.resolve("t10k-labels-idx1-ubyte.gz"))
                .hasMessageContaining("8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05")
                .hasMessageContaining("apt-get install --reinstall dataset-fashion-mnist")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));
        assertThatThrownBy(() -> FashionMnist.ensureAvailable(dir)).isInstanceOf(DataException.class)
                .hasMessageContaining("train-images-idx3-ubyte.gz is missing");
    }

    @Test
    void missingPackageSaysHowToInstallIt(@TempDir Path dir) {
        assertThatThrownBy(() -> DatasetId.FASHION_MNIST.ensureAvailable(dir.resolve("nowhere"), s -> { }))
                .isInstanceOf(DataException.class)
                .hasMessageStartingWith("Fashion-MNIST not found in " + dir.resolve("nowhere"))
                .hasMessageContaining("sudo apt-get install dataset-fashion-mnist")
                .hasMessageContaining(FashionMnist.ENV);
    }

    @Test
    void registryFindsDataSetsByIdAndListsThemOtherwise() {
        assertThat(DatasetId.byId("fashion-mnist")).isEqualTo(DatasetId.FASHION_MNIST);
        assertThat(DatasetId.byId("Fashion_MNIST")).isEqualTo(DatasetId.FASHION_MNIST);
        assertThat(DatasetId.byId("mnist")).isEqualTo(DatasetId.MNIST);
        assertThatThrownBy(() -> DatasetId.byId("cifar-10")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown data set 'cifar-10'; data sets: mnist, fashion-mnist, image-folder");
    }
}
