package io.admmnn.format;

import java.io.ByteArrayOutputStream;

/** Packs unsigned integers of 1 to 32 bits into bytes, least significant bit first, and back. */
public final class BitPacking {

    private BitPacking() {
    }

    /** Appends fixed-width fields to a growing byte array. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long buffer;
        private int filled;
        private long bits;

        /** Appends the low {@code width} bits of {@code value} (which must fit in them). */
        public void write(long value, int width) {
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
        public long bits() {
            return bits;
        }

        /** The packed bytes, the last one padded with zero bits. */
        public byte[] toByteArray() {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            if (filled > 0) {
                copy.write((int) (buffer & 0xff));
            }
            return copy.toByteArray();
        }
    }

    /** Reads fixed-width fields written by {@link Writer}, in order. */
    public static final class Reader {
        private final byte[] data;
        private long position;

        public Reader(byte[] data) {
            this.data = data;
        }

        /**
         * The next {@code width}-bit field (1 to 32 bits).
         *
         * @throws IllegalStateException if the data ends first
         */
        public long read(int width) {
            long value = 0;
            int got = 0;
            while (got < width) {
                int index = (int) (position >>> 3);
                if (index >= data.length) {
                    throw new IllegalStateException("packed data ends early");
                }
                int offset = (int) (position & 7);
                int take = Math.min(8 - offset, width - got);
                long field = ((data[index] & 0xff) >>> offset) & ((1 << take) - 1);
                value |= field << got;
                got += take;
                position += take;
            }
            return value;
        }
    }

    /** Bytes needed for {@code bits} bits. */
    public static long bytes(long bits) {
        return (bits + 7) / 8;
    }
}
