package io.admmnn.experiments.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** A tiny ImageNet-style folder drawn with java.awt: 3 classes, 7 images, PNG and JPEG. */
class ImageFolderDatasetTest {

    @TempDir
    Path root;

    /** No resampling (shorter side already 8), crop 4, no mean, values 0..255, one thread. */
    private static final ImageFolderDataset.Options EXACT = new ImageFolderDataset.Options(8, 4, 0, 0, 0, 1, true, 1);

    /** Pixel (x, y) of the "pattern" image: red = 10 x, green = 10 y, blue = label * 50. */
    private static BufferedImage pattern(int width, int height, int blue) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, (10 * x) << 16 | (10 * y) << 8 | blue);
            }
        }
        return img;
    }

    private void png(String cls, String name, BufferedImage img) throws IOException {
        Files.createDirectories(root.resolve(cls));
        assertThat(ImageIO.write(img, "png", root.resolve(cls).resolve(name).toFile())).isTrue();
    }

    private void build() throws IOException {
        // Classes are created out of order on purpose: labels follow the sorted folder names.
        png("zebra", "b.png", pattern(12, 8, 100));
        png("zebra", "a.png", pattern(8, 8, 100));
        png("cat", "1.png", pattern(8, 10, 0));
        png("cat", "2.png", pattern(8, 8, 0));
        png("cat", "3.png", pattern(8, 8, 0));
        png("dog", "x.png", pattern(8, 8, 50));
        BufferedImage grey = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grey.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, 16, 16);
        g.dispose();
        Files.createDirectories(root.resolve("dog"));
        assertThat(ImageIO.write(grey, "jpg", root.resolve("dog/y.JPG").toFile())).isTrue();
        Files.writeString(root.resolve("dog/notes.txt"), "not an image: ignored");
    }

    @Test
    void classesAreSortedFolderNamesAndImagesSortedFileNames() throws IOException {
        build();
        ImageFolderDataset set = ImageFolderDataset.scan(root);
        assertThat(set.classes()).containsExactly("cat", "dog", "zebra");
        assertThat(set.size()).isEqualTo(7);
        List<String> files = new ArrayList<>();
        for (int i = 0; i < set.size(); i++) {
            files.add(set.image(i).label() + ":" + root.relativize(set.image(i).file()));
        }
        assertThat(files).containsExactly("0:cat/1.png", "0:cat/2.png", "0:cat/3.png", "1:dog/x.png", "1:dog/y.JPG",
                "2:zebra/a.png", "2:zebra/b.png");
    }

    @Test
    void centreCropOfAKnownPatternInBothLayouts() throws IOException {
        build();
        ImageFolderDataset set = ImageFolderDataset.scan(root);
        try (ImageFolderBatches nchw = set.batches(EXACT, 7, 0, false);
             ImageFolderBatches nhwc = set.batches(EXACT.withChannelsFirst(false), 7, 0, false)) {
            DataSet a = nchw.next();
            DataSet b = nhwc.next();
            INDArray x = a.getFeatures();
            assertThat(x.shape()).containsExactly(7, 3, 4, 4);
            assertThat(b.getFeatures().shape()).containsExactly(7, 4, 4, 3);
            assertThat(a.getLabels().shape()).containsExactly(7, 3);
            assertThat(a.getLabels().argMax(1).toIntVector()).containsExactly(0, 0, 0, 1, 1, 2, 2);
            // cat/1.png is 8 wide, 10 high: no scaling, crop starts at x0 = 2, y0 = 3.
            for (int y = 0; y < 4; y++) {
                for (int xx = 0; xx < 4; xx++) {
                    assertThat(x.getDouble(0, 0, y, xx)).isEqualTo(10.0 * (xx + 2));
                    assertThat(x.getDouble(0, 1, y, xx)).isEqualTo(10.0 * (y + 3));
                    assertThat(x.getDouble(0, 2, y, xx)).isEqualTo(0.0);
                    for (int c = 0; c < 3; c++) {
                        assertThat(b.getFeatures().getDouble(0, y, xx, c)).isEqualTo(x.getDouble(0, c, y, xx));
                    }
                }
            }
            // zebra/b.png is 12 x 8: crop starts at x0 = 4, y0 = 2; blue carries its colour 100.
            assertThat(x.getDouble(6, 0, 0, 0)).isEqualTo(40.0);
            assertThat(x.getDouble(6, 1, 0, 0)).isEqualTo(20.0);
            assertThat(x.getDouble(6, 2, 3, 3)).isEqualTo(100.0);
            // dog/y.JPG is 16 x 16 grey 128, scaled to 8 x 8: still ~128 (JPEG is lossy).
            assertThat(x.getDouble(4, 0, 1, 1)).isCloseTo(128.0, org.assertj.core.data.Offset.offset(3.0));
            assertThat(nchw.hasNext()).isFalse();
        }
    }

    @Test
    void meanIsSubtractedPerChannelAndScaled() throws IOException {
        build();
        var opts = new ImageFolderDataset.Options(8, 4, 20, 30, 40, 0.5, true, 1);
        try (ImageFolderBatches it = ImageFolderDataset.scan(root).batches(opts, 1, 0, false)) {
            INDArray x = it.next().getFeatures(); // cat/1.png, crop at (2, 3)
            assertThat(x.getDouble(0, 0, 0, 0)).isEqualTo((20 - 20) * 0.5);
            assertThat(x.getDouble(0, 1, 0, 0)).isEqualTo((30 - 30) * 0.5);
            assertThat(x.getDouble(0, 2, 0, 0)).isEqualTo((0 - 40) * 0.5);
            assertThat(x.getDouble(0, 0, 0, 3)).isEqualTo((50 - 20) * 0.5);
        }
    }

    @Test
    void shuffledOrderDependsOnlyOnSeedAndEpochAndThreadsDoNotChangeValues() throws IOException {
        build();
        ImageFolderDataset set = ImageFolderDataset.scan(root);
        var threaded = new ImageFolderDataset.Options(8, 4, 0, 0, 0, 1, true, 3);
        try (ImageFolderBatches a = set.batches(EXACT, 3, 42, true);
             ImageFolderBatches b = set.batches(threaded, 3, 42, true)) {
            a.setEpoch(1);
            b.setEpoch(1);
            int[] expected = ShuffledBatches.permutation(7, 42, 1);
            assertThat(a.upcoming(7)).containsExactly(expected);
            int batches = 0;
            while (a.hasNext()) {
                DataSet x = a.next();
                DataSet y = b.next();
                assertThat(x.getFeatures()).isEqualTo(y.getFeatures());
                assertThat(x.getLabels()).isEqualTo(y.getLabels());
                batches++;
            }
            assertThat(batches).isEqualTo(3).isEqualTo(a.batchesPerEpoch());
            a.setEpoch(2);
            assertThat(a.upcoming(7)).isNotEqualTo(expected).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
            a.setEpoch(1);
            assertThat(a.upcoming(7)).containsExactly(expected);
        }
    }

    @Test
    void resizingScalesTheShorterSideThenCropsTheCentre() throws IOException {
        // 40 x 20: left half black, right half white. Shorter side 20 -> 10 gives 20 x 10; centre crop 10 x 10
        // spans x 5..14 of the scaled image: its left half black, right half white.
        BufferedImage img = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(20, 0, 20, 20);
        g.dispose();
        png("only", "halves.png", img);
        var opts = new ImageFolderDataset.Options(10, 10, 0, 0, 0, 1, true, 1);
        try (ImageFolderBatches it = ImageFolderDataset.scan(root).batches(opts, 1, 0, false)) {
            INDArray x = it.next().getFeatures();
            assertThat(x.shape()).containsExactly(1, 3, 10, 10);
            assertThat(x.getDouble(0, 0, 5, 1)).isEqualTo(0.0);
            assertThat(x.getDouble(0, 1, 5, 8)).isEqualTo(255.0);
        }
    }

    @Test
    void badFoldersAndFilesGiveOneLineErrorsNamingThePath() throws IOException {
        assertThatThrownBy(() -> ImageFolderDataset.scan(root.resolve("imagenet")))
                .isInstanceOf(DataException.class).hasMessageContaining(root.resolve("imagenet") + " does not exist");
        assertThatThrownBy(() -> ImageFolderDataset.scan(root))
                .isInstanceOf(DataException.class).hasMessageContaining("has no class folders");
        png("cat", "1.png", pattern(8, 8, 0));
        Files.createDirectories(root.resolve("dog"));
        Files.writeString(root.resolve("dog/readme.txt"), "no images here");
        assertThatThrownBy(() -> ImageFolderDataset.scan(root))
                .isInstanceOf(DataException.class)
                .hasMessage("class folder " + root.resolve("dog") + " holds no .jpg, .jpeg or .png images");
        Files.writeString(root.resolve("dog/broken.jpg"), "this is not a JPEG");
        try (ImageFolderBatches it = ImageFolderDataset.scan(root).batches(EXACT.withChannelsFirst(true), 2, 0, false);
             ImageFolderBatches threaded = ImageFolderDataset.scan(root).batches(
                     new ImageFolderDataset.Options(8, 4, 0, 0, 0, 1, true, 2), 2, 0, false)) {
            assertThatThrownBy(it::next).isInstanceOf(DataException.class)
                    .hasMessageStartingWith("cannot decode image " + root.resolve("dog/broken.jpg"));
            assertThatThrownBy(threaded::next).isInstanceOf(DataException.class)
                    .hasMessageStartingWith("cannot decode image " + root.resolve("dog/broken.jpg"));
        }
    }

    @Test
    void asARunsDataSetAFolderStreamsEvenlySpreadSubsetsWithLabelsAsWideAsTheNetwork() throws IOException {
        Path imagenet = root.resolve("imagenet");
        for (String split : new String[] {"train", "val"}) {
            for (int c = 0; c < 2; c++) {
                Path dir = Files.createDirectories(imagenet.resolve(split).resolve("n0" + c));
                for (int i = 0; i < 3; i++) {
                    assertThat(ImageIO.write(pattern(8, 8, 100 * c), "png", dir.resolve(i + ".png").toFile())).isTrue();
                }
            }
        }
        DatasetId set = DatasetId.IMAGE_FOLDER;
        assertThat(set.ensureAvailable(imagenet, s -> { })).isEqualTo(imagenet);
        assertThat(set.inMemory()).isFalse();

        EpochOrderedBatches train = set.trainBatches(imagenet, 2, 2, 7, 1000);
        assertThat(train.size()).isEqualTo(2);
        var batch = train.next();
        assertThat(batch.getFeatures().shape()).containsExactly(2, 3, 227, 227);
        assertThat(batch.getLabels().shape()).containsExactly(2, 1000);
        // Two of six class-sorted images, spread evenly: one of each class (labels 0 and 1, in shuffled order).
        assertThat(batch.getLabels().sum(0).getDouble(0)).isEqualTo(1.0);
        assertThat(batch.getLabels().sum(0).getDouble(1)).isEqualTo(1.0);
        assertThat(set.testBatches(imagenet, 0, 4, 1000).size()).isEqualTo(6);
        assertThatThrownBy(() -> set.trainBatches(imagenet, 0, 2, 7, 1)).isInstanceOf(DataException.class)
                .hasMessageContaining("2 classes, more than the network's 1 outputs");
        assertThatThrownBy(() -> set.train(imagenet)).isInstanceOf(DataException.class).hasMessageContaining("streams");

        Files.walk(imagenet.resolve("val")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertThatThrownBy(() -> set.ensureAvailable(imagenet, s -> { })).isInstanceOf(DataException.class)
                .hasMessageContaining("val not found").hasMessageContaining("--data-dir");
    }

    @Test
    void anExportedInMemorySetReadsBackWithItsLabelsAndPixels() {
        // Three 2x2 images: labels 1, 0, 1; pixel values k/255 for known k.
        var features = org.nd4j.linalg.factory.Nd4j.create(new float[][] {
                {0, 1 / 255f, 2 / 255f, 3 / 255f}, {1, 1, 1, 1}, {10 / 255f, 20 / 255f, 30 / 255f, 40 / 255f}});
        var labels = org.nd4j.linalg.factory.Nd4j.create(new float[][] {{0, 1}, {1, 0}, {0, 1}});
        ImageDataset data = new ImageDataset("tiny", features, labels, 2, 2);
        assertThat(ImageFolderDataset.export(data, 3, root.resolve("out"))).isEqualTo(3);

        ImageFolderDataset back = ImageFolderDataset.scan(root.resolve("out"));
        assertThat(back.classes()).containsExactly("0", "1");
        assertThat(back.size()).isEqualTo(3);
        try (ImageFolderBatches b = back.batches(new ImageFolderDataset.Options(2, 2, 0, 0, 0, 1, true, 1), 3, 0, false)) {
            DataSet all = b.next();
            assertThat(all.getLabels().argMax(1).toIntVector()).containsExactly(0, 1, 1);
            // Image 1 of class 1 is the third one; grey pixels give R = G = B.
            assertThat(all.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.point(2),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(1)).ravel().toFloatVector()).containsExactly(10, 20, 30, 40);
        }
    }
}
