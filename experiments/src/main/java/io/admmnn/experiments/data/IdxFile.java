package io.admmnn.experiments.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An IDX file of unsigned bytes (the MNIST format, LeCun et al.): a big-endian header
 * {@code 0x00 0x00 0x08 rank, dim_1 .. dim_rank (int32 each)} followed by {@code prod(dims)} bytes.
 *
 * @param dimensions the sizes, e.g. {@code [60000, 28, 28]} for images or {@code [60000]} for labels
 * @param data       the values, row-major, as unsigned bytes stored in a byte[]
 */
public record IdxFile(int[] dimensions, byte[] data) {

    private static final int UNSIGNED_BYTE = 0x08;

    /** Reads and validates an IDX file of unsigned bytes; corrupt or truncated files give a clear error. */
    public static IdxFile read(Path path) {
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new DataException("cannot read " + path + ": " + e.getMessage(), e);
        }
        try (InputStream raw = Files.newInputStream(path);
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            int magic = in.readInt();
            if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != UNSIGNED_BYTE) {
                throw new DataException(path + " is not an IDX file of unsigned bytes (magic number 0x"
                        + Integer.toHexString(magic) + ", expected 0x00000801 or 0x00000803)");
            }
            int rank = magic & 0xff;
            if (rank < 1 || rank > 4) {
                throw new DataException(path + ": unsupported IDX rank " + rank);
            }
            int[] dims = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] <= 0) {
                    throw new DataException(path + ": corrupt IDX header, dimension " + i + " is " + dims[i]);
                }
                count *= dims[i];
            }
            long expected = 4L + 4L * rank + count;
            if (size != expected) {
                throw new DataException(path + " is " + (size < expected ? "truncated" : "too long") + ": header "
                        + Arrays.toString(dims) + " needs " + expected + " bytes, file has " + size);
            }
            byte[] data = new byte[Math.toIntExact(count)];
            in.readFully(data);
            return new IdxFile(dims, data);
        } catch (EOFException e) {
            throw new DataException(path + " is truncated (ends inside the header)", e);
        } catch (IOException e) {
            throw new DataException("cannot read " + path + ": " + e.getMessage(), e);
        }
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
