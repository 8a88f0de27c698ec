package io.admmnn.experiments.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/** Test folders of PNG images and saved networks of a researcher's own, for the image-folder data set. */
final class ImageFolders {

    private ImageFolders() {
    }

    /**
     * Writes {@code root/train/<class>/*.png} and {@code root/val/<class>/*.png}: {@code perClass} training and
     * {@code perClass / 2} (at least 1) validation images of {@code size x size} pixels per class. Class k's images
     * are of one colour (red, green, blue, ... cycling over {@link #COLOURS}) with noise of +-30 per channel, so a
     * small network separates them within an epoch or two.
     */
    static Path colours(Path root, int classes, int perClass, int size) throws IOException {
        Random random = new Random(classes * 31L + perClass);
        for (String split : new String[] {"train", "val"}) {
            int n = split.equals("train") ? perClass : Math.max(1, perClass / 2);
            for (int c = 0; c < classes; c++) {
                Path dir = Files.createDirectories(root.resolve(split).resolve("class" + c));
                int[] rgb = COLOURS[c % COLOURS.length];
                for (int i = 0; i < n; i++) {
                    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            int[] p = Arrays.stream(rgb).map(v -> Math.max(0, Math.min(255, v + random.nextInt(61) - 30)))
                                    .toArray();
                            img.setRGB(x, y, p[0] << 16 | p[1] << 8 | p[2]);
                        }
                    }
                    ImageIO.write(img, "png", dir.resolve(String.format("%s_%04d.png", "img", i)).toFile());
                }
            }
        }
        return root;
    }

    /** Class colours: red, green, blue, grey. */
    static final int[][] COLOURS = {{200, 40, 40}, {40, 200, 40}, {40, 40, 200}, {128, 128, 128}};

    /** Replaces {@code file} with the first 40 bytes of itself: a PNG signature and header, then nothing. */
    static void truncate(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, 40));
    }

    /** Initialises {@code conf} and saves the network with ModelSerializer, as a researcher would. */
    static Path save(MultiLayerConfiguration conf, Path file) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ModelSerializer.writeModel(net, file.toFile(), false);
        return file;
    }
}
