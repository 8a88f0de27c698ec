package io.admmnn.dl4j.format;

import java.io.ByteArrayOutputStream;

/** Packs unsigned integers of 1 to 32 bits into bytes, least significant bit first, and back. */
final class BitPacking {

    private BitPacking() {
    }

    /** Appends fixed-width fields to a growing byte array. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long buffer;
        private int filled;
        private long bits;

        void write(long value, int width) {
            if (width < 1 || width > 32 || (width < 32 && (value >>> width) != 0) || value < 0) {
                throw new IllegalArgumentException("value " + value + " does not fit in " + width + " bits");
            }
            buffer |= value << filled;
            filled += width;
            bits += width;
            while (filled >= 8) {
                out.write((int) (buffer & 0xff));
                buffer >>>= 8;
                filled -= 8;
            }
        }

        /** Number of bits written so far. */
        long bits() {
            return bits;
        }

        /** The packed bytes, the last one padded with zero bits. */
        byte[] toByteArray() {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            if (filled > 0) {
                copy.write((int) (buffer & 0xff));
            }
            return copy.toByteArray();
        }
    }

    /** Reads fixed-width fields written by {@link Writer}. */
    static final class Reader {
        private final byte[] data;
        private long position;

        Reader(byte[] data) {
            this.data = data;
        }

        long read(int width) {
            long value = 0;
            for (int i = 0; i < width; i++, position++) {
                int index = (int) (position >>> 3);
                if (index >= data.length) {
                    throw new IllegalStateException("packed data ends early");
                }
                value |= (long) ((data[index] >>> (position & 7)) & 1) << i;
            }
            return value;
        }
    }

    /** Bytes needed for {@code bits} bits. */
    static long bytes(long bits) {
        return (bits + 7) / 8;
    }
}
