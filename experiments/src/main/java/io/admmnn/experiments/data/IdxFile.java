package io.admmnn.experiments.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * An IDX file of unsigned bytes (the MNIST format, LeCun et al.): a big-endian header
 * {@code 0x00 0x00 0x08 rank, dim_1 .. dim_rank (int32 each)} followed by {@code prod(dims)} bytes.
 *
 * @param dimensions the sizes, e.g. {@code [60000, 28, 28]} for images or {@code [60000]} for labels
 * @param data       the values, row-major, as unsigned bytes stored in a byte[]
 */
public record IdxFile(int[] dimensions, byte[] data) {

    private static final int UNSIGNED_BYTE = 0x08;

    /**
     * Reads and validates an IDX file of unsigned bytes, gzip-compressed if its name ends in {@code .gz} (as
     * Debian's dataset packages ship them); corrupt or truncated files give a clear one-line error.
     */
    public static IdxFile read(Path path) {
        boolean gzip = path.getFileName().toString().endsWith(".gz");
        byte[] bytes;
        try (InputStream raw = Files.newInputStream(path);
             InputStream in = gzip ? new GZIPInputStream(new BufferedInputStream(raw)) : raw) {
            bytes = in.readAllBytes();
        } catch (EOFException e) {
            throw new DataException(path + " is truncated (the gzip stream ends early)", e);
        } catch (IOException e) {
            throw new DataException("cannot read " + path + ": " + e.getMessage(), e);
        }
        return parse(path + (gzip ? " (uncompressed)" : ""), bytes);
    }

    private static IdxFile parse(String source, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes); // big-endian, as IDX
        if (bytes.length < 4) {
            throw new DataException(source + " is truncated (ends inside the header)");
        }
        int magic = in.getInt();
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
            throw new DataException(source + " is not an IDX file of unsigned bytes (magic number 0x"
                    + Integer.toHexString(magic) + ", expected 0x00000801 or 0x00000803)");
        }
        int rank = magic & 0xff;
        if (rank < 1 || rank > 4) {
            throw new DataException(source + ": unsupported IDX rank " + rank);
        }
        if (bytes.length < 4 + 4 * rank) {
            throw new DataException(source + " is truncated (ends inside the header)");
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = in.getInt();
            if (dims[i] <= 0) {
                throw new DataException(source + ": corrupt IDX header, dimension " + i + " is " + dims[i]);
            }
            count *= dims[i];
        }
        long expected = 4L + 4L * rank + count;
        if (bytes.length != expected) {
            throw new DataException(source + " is " + (bytes.length < expected ? "truncated" : "too long")
                    + ": header " + Arrays.toString(dims) + " needs " + expected + " bytes, file has " + bytes.length);
        }
        return new IdxFile(dims, Arrays.copyOfRange(bytes, in.position(), bytes.length));
    }

    /** Number of items (the first dimension). */
    public int count() {
        return dimensions[0];
    }

    /** Values per item (product of the remaining dimensions). */
    public int itemSize() {
        int s = 1;
        for (int i = 1; i < dimensions.length; i++) {
            s *= dimensions[i];
        }
        return s;
    }

    /** Value {@code j} of item {@code i} as an int in [0, 255]. */
    public int value(int i, int j) {
        return data[i * itemSize() + j] & 0xff;
    }
}
