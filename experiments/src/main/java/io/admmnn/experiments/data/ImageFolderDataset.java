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
 * <p>Preprocessing of one image ({@link Options}): either scale it (bilinear, aspect ratio kept) so its shorter side
 * is {@code resize} pixels and take the centre {@code height x width} rectangle, or ({@code stretch}) scale it to
 * exactly {@code width x height} pixels, aspect ratio not kept; then write {@code (v_c - mean_c) * scale_c} per
 * channel c, where v_c is the pixel's red, green and blue value (0..255) for 3 channels, or its luminance
 * {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601, also 0..255) for 1 channel.
 */
public final class ImageFolderDataset {

    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");
    /** ImageNet's mean red, green and blue values (0..255), subtracted by Caffe's AlexNet. */
    public static final List<Double> IMAGENET_MEAN = List.of(123.68, 116.78, 103.94);

    /**
     * How images become network input.
     *
     * @param resize         crop mode: shorter side after scaling, in pixels ({@code >= max(height, width)});
     *                       ignored when {@code stretch}
     * @param height         rows of the image fed to the network, in pixels
     * @param width          columns of the image fed to the network, in pixels
     * @param channels       1 (luminance, for a grey network) or 3 (red, green, blue in that order)
     * @param stretch        scale to exactly {@code width x height} (aspect ratio not kept) instead of scale and crop
     * @param mean           per channel, subtracted from the 0..255 value ({@code channels} entries)
     * @param scale          per channel, multiplies the value after the subtraction (1 = Caffe's 0..255 range,
     *                       1/255 = 0..1)
     * @param channelsFirst  NCHW {@code [n, channels, height, width]} (DL4J's default for convolutions) or NHWC
     *                       {@code [n, height, width, channels]}
     * @param threads        decoding threads per batch (1 = decode on the batch's own thread)
     * @param skipUnreadable leave out images that cannot be read or decoded (counted, see
     *                       {@link ImageFolderBatches#unreadableFiles()}) instead of failing
     * @param rows           features as rows {@code [n, channels * height * width]} of the NCHW values, for a
     *                       network of dense layers or one built with {@code InputType.convolutionalFlat}
     */
    public record Options(int resize, int height, int width, int channels, boolean stretch, List<Double> mean,
                          List<Double> scale, boolean channelsFirst, int threads, boolean skipUnreadable,
                          boolean rows) {
        public Options {
            if (height < 1 || width < 1 || (!stretch && resize < Math.max(height, width))) {
                throw new IllegalArgumentException("need 1 <= height, width <= resize, was " + height + "x" + width
                        + ", resize " + resize);
            }
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("images have 1 (grey) or 3 (RGB) channels, not " + channels);
            }
            if (mean.size() != channels || scale.size() != channels || scale.stream().anyMatch(v -> !(v > 0))) {
                throw new IllegalArgumentException("need one mean and one scale > 0 per channel, was " + mean + ", "
                        + scale + " for " + channels + " channel(s)");
            }
            if (threads < 1 || (rows && !channelsFirst)) {
                throw new IllegalArgumentException("threads must be >= 1; rows are NCHW values");
            }
            mean = List.copyOf(mean);
            scale = List.copyOf(scale);
        }

        /** Square RGB crops of side {@code crop}, the same mean subtracted and scale applied to all channels. */
        public Options(int resize, int crop, double meanRed, double meanGreen, double meanBlue, double scale,
                       boolean channelsFirst, int threads) {
            this(resize, crop, crop, 3, false, List.of(meanRed, meanGreen, meanBlue), List.of(scale, scale, scale),
                    channelsFirst, threads, false, false);
        }

        /**
         * Caffe's BVLC AlexNet input: 227x227 crops (the 224 of the paper does not give integral conv1 outputs
         * with stride 4; Caffe's 227 gives 55x55) from images whose shorter side is 256, ImageNet mean per
         * channel (123.68, 116.78, 103.94) subtracted, 0..255 range, NCHW, two decoding threads. Caffe itself
         * warps every image to 256x256 (ignoring its aspect ratio), subtracts a per-pixel mean image, takes random
         * crops and mirrors for training and uses BGR order; here there is no augmentation and no warping.
         */
        public static Options caffeAlexNet() {
            return new Options(256, 227, 227, 3, false, IMAGENET_MEAN, List.of(1.0, 1.0, 1.0), true, 2, false, false);
        }

        /** The same with another input layout. */
        public Options withChannelsFirst(boolean nchw) {
            return new Options(resize, height, width, channels, stretch, mean, scale, nchw, threads, skipUnreadable,
                    rows);
        }

        /** The same, leaving out unreadable images ({@code true}) or failing on the first one. */
        public Options withSkipUnreadable(boolean skip) {
            return new Options(resize, height, width, channels, stretch, mean, scale, channelsFirst, threads, skip,
                    rows);
        }

        /** Values per image: {@code channels * height * width}. */
        public int valuesPerImage() {
            return channels * height * width;
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
     * Decodes {@code file}, resizes and crops (or stretches) it and writes its {@link Options#valuesPerImage()}
     * values into {@code out} as batch row {@code row} (in the layout of {@code options}); rows are disjoint, so
     * threads may share out.
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
        int h = options.height();
        int w = options.width();
        BufferedImage fitted = options.stretch() ? scaled(image, w, h) : scaleShorterSide(image, options.resize(), w, h);
        int x0 = (fitted.getWidth() - w) / 2;
        int y0 = (fitted.getHeight() - h) / 2;
        int[] argb = fitted.getRGB(x0, y0, w, h, null, 0, w);
        int channels = options.channels();
        double[] mean = options.mean().stream().mapToDouble(Double::doubleValue).toArray();
        double[] scale = options.scale().stream().mapToDouble(Double::doubleValue).toArray();
        int plane = h * w;
        int base = row * options.valuesPerImage();
        for (int p = 0; p < plane; p++) {
            int pixel = argb[p];
            for (int c = 0; c < channels; c++) {
                double v = channels == 1 ? luminance(pixel) : (pixel >>> (16 - 8 * c)) & 0xff; // c = 0 red, 1 green, 2 blue
                float value = (float) ((v - mean[c]) * scale[c]);
                out[options.channelsFirst() ? base + c * plane + p : base + p * channels + c] = value;
            }
        }
    }

    /** ITU-R BT.601 luma of an RGB pixel, 0..255; exactly the grey value when R = G = B. */
    static double luminance(int rgb) {
        return 0.299 * ((rgb >>> 16) & 0xff) + 0.587 * ((rgb >>> 8) & 0xff) + 0.114 * (rgb & 0xff);
    }

    /**
     * The image scaled (bilinear) so its shorter side is {@code shorter}, each side at least {@code minWidth} and
     * {@code minHeight}; as is if it already is.
     */
    static BufferedImage scaleShorterSide(BufferedImage image, int shorter, int minWidth, int minHeight) {
        int w = image.getWidth();
        int h = image.getHeight();
        double factor = (double) shorter / Math.min(w, h);
        return scaled(image, Math.max(minWidth, (int) Math.round(w * factor)),
                Math.max(minHeight, (int) Math.round(h * factor)));
    }

    /** The image scaled (bilinear) to {@code nw x nh} pixels; as is if it already has that size. */
    private static BufferedImage scaled(BufferedImage image, int nw, int nh) {
        if (nw == image.getWidth() && nh == image.getHeight()) {
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
