package io.admmnn.experiments.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * An image classification set laid out as ImageNet's training folder: {@code root/<class>/<image>.{jpg,jpeg,png}}.
 * Classes are the sub-folders sorted by name (label i = the i-th name, so ImageNet's {@code n01440764} .. gives
 * the usual 0..999); images within a class sorted by file name. Only the file list is held in memory: pixels are
 * decoded per minibatch by {@link ImageFolderBatches}, so ImageNet (1.28 M images, ~140 GB) streams from disk.
 *
 * <p>Preprocessing of one image ({@link Options}): scale so the shorter side is {@code resize} pixels (bilinear,
 * aspect ratio kept), take the centre {@code crop x crop} square, and write {@code (pixel - mean_c) * scale} per
 * channel c in R, G, B order (pixels in 0..255).
 */
public final class ImageFolderDataset {

    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");

    /**
     * How images become network input.
     *
     * @param resize        shorter side after scaling, in pixels (>= crop)
     * @param crop          side of the centre square fed to the network, in pixels
     * @param meanRed       subtracted from red values (0..255 scale)
     * @param meanGreen     subtracted from green values
     * @param meanBlue      subtracted from blue values
     * @param scale         factor applied after the mean subtraction (1 = Caffe's 0..255 range, 1/255 = 0..1)
     * @param channelsFirst NCHW {@code [n, 3, crop, crop]} (DL4J's default for convolutions) or NHWC
     *                      {@code [n, crop, crop, 3]}
     * @param threads       decoding threads per batch (1 = decode on the caller's thread)
     */
    public record Options(int resize, int crop, double meanRed, double meanGreen, double meanBlue, double scale,
                          boolean channelsFirst, int threads) {
        public Options {
            if (crop < 1 || resize < crop) {
                throw new IllegalArgumentException("need 1 <= crop <= resize, was crop " + crop + ", resize " + resize);
            }
            if (threads < 1 || !(scale > 0)) {
                throw new IllegalArgumentException("threads must be >= 1 and scale > 0");
            }
        }

        /**
         * Caffe's BVLC AlexNet input: 227x227 crops (the 224 of the paper does not give integral conv1 outputs
         * with stride 4; Caffe's 227 gives 55x55) from images whose shorter side is 256, ImageNet mean per
         * channel (123.68, 116.78, 103.94) subtracted, 0..255 range, NCHW, two decoding threads. Caffe itself
         * warps every image to 256x256 (ignoring its aspect ratio), subtracts a per-pixel mean image, takes random
         * crops and mirrors for training and uses BGR order; here there is no augmentation and no warping.
         */
        public static Options caffeAlexNet() {
            return new Options(256, 227, 123.68, 116.78, 103.94, 1.0, true, 2);
        }

        /** The same with another input layout. */
        public Options withChannelsFirst(boolean nchw) {
            return new Options(resize, crop, meanRed, meanGreen, meanBlue, scale, nchw, threads);
        }

        /** Values per image: {@code 3 * crop * crop}. */
        public int valuesPerImage() {
            return 3 * crop * crop;
        }
    }

    /** One image file and its class index. */
    public record Image(Path file, int label) {
    }

    private final Path root;
    private final List<String> classes;
    private final List<Image> images;

    private ImageFolderDataset(Path root, List<String> classes, List<Image> images) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.images = List.copyOf(images);
    }

    /**
     * Lists {@code root}'s class folders and their images (nothing is decoded yet).
     *
     * @throws DataException one line if the folder is missing, has no class folders, or a class has no images
     */
    public static ImageFolderDataset scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DataException("image folder " + root + (Files.exists(root) ? " is not a folder" : " does not exist")
                    + " (expected " + root + "/<class>/<image>.jpg)");
        }
        List<Path> classDirs = list(root).filter(Files::isDirectory).toList();
        if (classDirs.isEmpty()) {
            throw new DataException("image folder " + root + " has no class folders (expected " + root
                    + "/<class>/<image>.jpg)");
        }
        List<String> classes = new ArrayList<>();
        List<Image> images = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> files = list(dir).filter(p -> Files.isRegularFile(p) && isImage(p)).toList();
            if (files.isEmpty()) {
                throw new DataException("class folder " + dir + " holds no .jpg, .jpeg or .png images");
            }
            int label = classes.size();
            classes.add(dir.getFileName().toString());
            files.forEach(f -> images.add(new Image(f, label)));
        }
        return new ImageFolderDataset(root, classes, images);
    }

    /** Entries of a folder sorted by name, hidden ones (".xyz") left out. */
    private static Stream<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(java.util.Comparator.comparing(p -> p.getFileName().toString())).toList().stream();
        } catch (IOException e) {
            throw new DataException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** The folder this set was read from. */
    public Path root() {
        return root;
    }

    /** Class names (folder names), index = label. */
    public List<String> classes() {
        return classes;
    }

    /** Number of images. */
    public int size() {
        return images.size();
    }

    /** Image {@code i} in file order (class, then file name). */
    public Image image(int i) {
        return images.get(i);
    }

    /** Minibatches over this set; see {@link ImageFolderBatches}. Close them to stop their decoding threads. */
    public ImageFolderBatches batches(Options options, int batchSize, long seed, boolean shuffle) {
        return batches(options, batchSize, seed, shuffle, classes.size());
    }

    /**
     * The same with one-hot labels {@code labelColumns} wide (at least the number of classes), for a network with
     * more outputs than this set has classes (AlexNet's 1000 on a few classes).
     */
    public ImageFolderBatches batches(Options options, int batchSize, long seed, boolean shuffle, int labelColumns) {
        if (labelColumns < classes.size()) {
            throw new DataException(root + " has " + classes.size() + " classes, more than the network's "
                    + labelColumns + " outputs");
        }
        return new ImageFolderBatches(this, options, batchSize, seed, shuffle, labelColumns);
    }

    /**
     * {@code n} images spread evenly over the file order (image {@code floor(i * size / n)} for i = 0..n-1), so a
     * subset of a class-sorted folder still holds every class in proportion; the whole set if n >= size.
     */
    public ImageFolderDataset subset(int n) {
        if (n >= images.size()) {
            return this;
        }
        List<Image> picked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            picked.add(images.get((int) ((long) i * images.size() / n)));
        }
        return new ImageFolderDataset(root, classes, picked);
    }

    /**
     * Decodes {@code file}, resizes and crops it and writes its {@code 3 * crop * crop} values into {@code out}
     * as batch row {@code row} (in the layout of {@code options}); rows are disjoint, so threads may share out.
     *
     * @throws DataException naming the file if it cannot be read or decoded
     */
    static void decodeInto(Path file, Options options, float[] out, int row) {
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataException("cannot decode image " + file + ": " + e.getMessage(), e);
        }
        if (image == null) {
            throw new DataException("cannot decode image " + file + ": not a JPEG or PNG image");
        }
        int crop = options.crop();
        BufferedImage scaled = scaleShorterSide(image, options.resize(), crop);
        int x0 = (scaled.getWidth() - crop) / 2;
        int y0 = (scaled.getHeight() - crop) / 2;
        int[] argb = scaled.getRGB(x0, y0, crop, crop, null, 0, crop);
        double[] mean = {options.meanRed(), options.meanGreen(), options.meanBlue()};
        int plane = crop * crop;
        int base = row * options.valuesPerImage();
        for (int p = 0; p < plane; p++) {
            int pixel = argb[p];
            for (int c = 0; c < 3; c++) {
                int v = (pixel >>> (16 - 8 * c)) & 0xff; // c = 0 red, 1 green, 2 blue
                float value = (float) ((v - mean[c]) * options.scale());
                out[options.channelsFirst() ? base + c * plane + p : base + p * 3 + c] = value;
            }
        }
    }

    /** The image scaled (bilinear) so its shorter side is {@code shorter} (never below {@code min}); as is if it already is. */
    static BufferedImage scaleShorterSide(BufferedImage image, int shorter, int min) {
        int w = image.getWidth();
        int h = image.getHeight();
        double factor = (double) shorter / Math.min(w, h);
        int nw = Math.max(min, (int) Math.round(w * factor));
        int nh = Math.max(min, (int) Math.round(h * factor));
        if (nw == w && nh == h) {
            return image; // no resampling: pixel values reach the network exactly
        }
        BufferedImage out = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, 0, 0, nw, nh, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    /**
     * Writes {@code n} images of an in-memory set (spread evenly over it, as {@link #subset}) as PNG files (R = G = B)
     * {@code root/<class>/<index>.png}, class folders named by zero-padded label so that their sorted order is the
     * label order: an image folder to try the streaming path (and AlexNet) without ImageNet.
     *
     * @return the number of images written
     */
    public static int export(ImageDataset data, int n, Path root) {
        int count = Math.min(n, data.size());
        int digits = Integer.toString(data.classes() - 1).length();
        float[] pixels = new float[data.height() * data.width()];
        for (int i = 0; i < count; i++) {
            int row = (int) ((long) i * data.size() / count);
            int label = data.labels().getRow(row).argMax().getInt(0);
            // RGB with R = G = B: Java's TYPE_BYTE_GRAY is linear grey, which getRGB() would gamma-map when read back.
            BufferedImage img = new BufferedImage(data.width(), data.height(), BufferedImage.TYPE_INT_RGB);
            float[] values = data.features().getRow(row).toFloatVector();
            System.arraycopy(values, 0, pixels, 0, pixels.length);
            for (int y = 0; y < data.height(); y++) {
                for (int x = 0; x < data.width(); x++) {
                    int v = Math.round(255 * pixels[y * data.width() + x]);
                    img.setRGB(x, y, v << 16 | v << 8 | v);
                }
            }
            Path dir = root.resolve(String.format(Locale.ROOT, "%0" + digits + "d", label));
            try {
                Files.createDirectories(dir);
                ImageIO.write(img, "png", dir.resolve(String.format(Locale.ROOT, "%06d.png", row)).toFile());
            } catch (IOException e) {
                throw new DataException("cannot write " + dir + ": " + e.getMessage(), e);
            }
        }
        return count;
    }
}
