package io.admmnn.format;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One weight tensor as a model file stores it: its values as codebook indices packed at their bit width (or raw
 * 32-bit floats where a codebook would not pay), and, when stored sparse, the positions of the non-zeros.
 *
 * <p>Positions are flat indices into the tensor in its own {@link #ordering()} ('c': row-major, 'f': column-major)
 * over {@link #shape()}; a dense layer {@code [nIn, nOut]} is 'f', a convolution {@code [nOut, nIn, kH, kW]} 'c'.
 * Record layout (big-endian): name (UTF), rank, shape (longs), ordering (char), encoding, index bits, entries,
 * value bits, codebook size and levels (floats), payload length and packed payload.
 *
 * @param name      the layer's name
 * @param shape     the tensor's shape
 * @param ordering  'c' or 'f': how flat positions map to {@code shape}
 * @param encoding  how the payload is laid out
 * @param indexBits bits per relative index (meaningful for {@link Encoding#RELATIVE} only)
 * @param entries   stored value entries (all positions when dense; non-zeros plus fillers when relative)
 * @param valueBits bits per stored value: a codebook index, or 32 for raw float bits
 * @param levels    the codebook (empty when values are stored raw)
 * @param packed    the packed payload
 */
public record WeightRecord(String name, long[] shape, char ordering, Encoding encoding, int indexBits, long entries,
                           int valueBits, float[] levels, byte[] packed) {

    private static final int MAX_CODEBOOK = 1 << 16;

    /** Payload layouts; {@link #code()} is the byte stored in the file. */
    public enum Encoding {
        /** Every position's value, in order. */
        DENSE(0),
        /** (zeros skipped since the previous entry, value) pairs, with filler entries for long gaps. */
        RELATIVE(1),
        /** One bit per position, then the values of the set positions. */
        BITMASK(2);

        private final int code;

        Encoding(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static Encoding of(int code) throws IOException {
            for (Encoding e : values()) {
                if (e.code == code) {
                    return e;
                }
            }
            throw new IOException("unknown encoding " + code);
        }
    }

    /** Receives one stored non-zero weight: its flat position and its value. */
    @FunctionalInterface
    public interface EntryConsumer {
        void accept(int position, float value);
    }

    /**
     * A tensor encoded for the file and what it costs.
     *
     * @param record  what is written
     * @param storage its sizes
     */
    public record Encoded(WeightRecord record, LayerStorage storage) {
    }

    /** Number of weight positions (product of the shape). */
    public int size() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return Math.toIntExact(n);
    }

    /** Whether the positions are stored (relative indices or a bitmask), i.e. the layer is stored sparse. */
    public boolean isSparse() {
        return encoding != Encoding.DENSE;
    }

    /**
     * Encodes {@code values} (in {@code ordering} over {@code shape}): sparse in {@code format} or dense, whichever
     * is smaller, values coded by a codebook when that is smaller than raw floats.
     */
    public static Encoded encode(String name, long[] shape, char ordering, float[] values, SparseIndexFormat format) {
        long nonZeros = 0;
        for (float v : values) {
            if (v != 0f) {
                nonZeros++;
            }
        }
        boolean relative = format.kind().equals("relative");
        // Entries: the stored (gap, position) pairs, fillers (position -1) included, for the sparse form.
        List<int[]> sparse = relative ? relativeEntries(values, format.maxGap()) : null;
        long sparseEntries = sparse != null ? sparse.size() : nonZeros;
        long sparseIndexBits = sparse != null ? sparseEntries * format.indexBits() : values.length;
        Codebook sparseBook = Codebook.of(values, true, sparseEntries);
        Codebook denseBook = Codebook.of(values, false, values.length);
        boolean useSparse = sparseEntries * sparseBook.valueBits + sparseIndexBits + 32L * sparseBook.size()
                < (long) values.length * denseBook.valueBits + 32L * denseBook.size();
        Codebook book = useSparse ? sparseBook : denseBook;

        BitPacking.Writer payload = new BitPacking.Writer();
        long fillers = 0;
        long entries;
        long indexBits;
        if (!useSparse) {
            for (float v : values) {
                payload.write(book.code(v), book.valueBits);
            }
            entries = values.length;
            indexBits = 0;
        } else if (sparse != null) {
            for (int[] e : sparse) {
                payload.write(e[0], format.indexBits());
                boolean filler = e[1] < 0;
                payload.write(filler ? 0 : book.code(values[e[1]]), book.valueBits);
                fillers += filler ? 1 : 0;
            }
            entries = sparse.size();
            indexBits = entries * format.indexBits();
        } else {
            for (float v : values) {
                payload.write(v != 0f ? 1 : 0, 1);
            }
            for (float v : values) {
                if (v != 0f) {
                    payload.write(book.code(v), book.valueBits);
                }
            }
            entries = nonZeros;
            indexBits = values.length;
        }
        byte[] packed = payload.toByteArray();
        Encoding encoding = !useSparse ? Encoding.DENSE : relative ? Encoding.RELATIVE : Encoding.BITMASK;
        WeightRecord record = new WeightRecord(name, shape.clone(), ordering, encoding, format.indexBits(), entries,
                book.valueBits, book.levels, packed);
        LayerStorage storage = new LayerStorage(name, values.length, nonZeros, entries, fillers, book.valueBits,
                book.size(), useSparse ? format : null, entries * book.valueBits, indexBits, 4L * book.size(),
                packed.length);
        return new Encoded(record, storage);
    }

    /** Writes this record in the file's layout. */
    public void write(DataOutputStream out) throws IOException {
        out.writeUTF(name);
        out.writeByte(shape.length);
        for (long s : shape) {
            out.writeLong(s);
        }
        out.writeChar(ordering);
        out.writeByte(encoding.code());
        out.writeByte(indexBits);
        out.writeLong(entries);
        out.writeByte(valueBits);
        out.writeInt(levels.length);
        for (float level : levels) {
            out.writeFloat(level);
        }
        out.writeInt(packed.length);
        out.write(packed);
    }

    /** Reads a record written by {@link #write}. */
    public static WeightRecord read(DataInputStream in) throws IOException {
        String name = in.readUTF();
        int rank = in.readByte();
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readLong();
        }
        char ordering = in.readChar();
        int code = in.readByte();
        Encoding encoding;
        try {
            encoding = Encoding.of(code);
        } catch (IOException e) {
            throw new IOException("layer " + name + ": " + e.getMessage());
        }
        int indexBits = in.readByte();
        long entries = in.readLong();
        int valueBits = in.readByte();
        float[] levels = new float[in.readInt()];
        for (int i = 0; i < levels.length; i++) {
            levels[i] = in.readFloat();
        }
        byte[] packed = new byte[in.readInt()];
        in.readFully(packed);
        return new WeightRecord(name, shape, ordering, encoding, indexBits, entries, valueBits, levels, packed);
    }

    /**
     * All values in the record's ordering, zeros included (a dense copy: for readers that need the whole tensor).
     *
     * @throws IOException naming the layer if the payload is corrupt
     */
    public float[] decode() throws IOException {
        float[] values = new float[size()];
        if (encoding == Encoding.DENSE) {
            try {
                BitPacking.Reader bits = new BitPacking.Reader(packed);
                for (int i = 0; i < values.length; i++) {
                    values[i] = value(bits.read(valueBits));
                }
            } catch (IllegalStateException e) {
                throw corrupt(e);
            }
            return values;
        }
        forEachNonZero((position, value) -> values[position] = value);
        return values;
    }

    /**
     * Streams the non-zero weights in increasing position order, each value decoded from the codebook once, without
     * making a dense copy of the tensor.
     *
     * @throws IOException naming the layer if the payload is corrupt
     */
    public void forEachNonZero(EntryConsumer consumer) throws IOException {
        int size = size();
        BitPacking.Reader bits = new BitPacking.Reader(packed);
        try {
            switch (encoding) {
                case DENSE -> {
                    for (int i = 0; i < size; i++) {
                        float v = value(bits.read(valueBits));
                        if (v != 0f) {
                            consumer.accept(i, v);
                        }
                    }
                }
                case RELATIVE -> {
                    int maxGap = (1 << indexBits) - 1;
                    long position = -1;
                    for (long e = 0; e < entries; e++) {
                        long gap = bits.read(indexBits);
                        long code = bits.read(valueBits);
                        if (gap == maxGap) {
                            position += maxGap; // filler: skips positions, stores no weight
                            continue;
                        }
                        position += gap + 1;
                        if (position >= size) {
                            throw new IllegalStateException("position " + position + " outside " + size + " weights");
                        }
                        consumer.accept((int) position, value(code));
                    }
                }
                case BITMASK -> {
                    BitPacking.Reader mask = new BitPacking.Reader(packed);
                    for (int i = 0; i < size; i++) {
                        bits.read(1); // moves the value reader past the mask
                    }
                    for (int i = 0; i < size; i++) {
                        if (mask.read(1) == 1) {
                            consumer.accept(i, value(bits.read(valueBits)));
                        }
                    }
                }
                default -> throw new IllegalStateException("encoding " + encoding);
            }
        } catch (IllegalStateException e) {
            throw corrupt(e);
        }
    }

    private IOException corrupt(RuntimeException e) {
        return new IOException("layer " + name + ": corrupt payload (" + e.getMessage() + ")", e);
    }

    private float value(long code) {
        if (levels.length == 0) {
            return Float.intBitsToFloat((int) code);
        }
        if (code >= levels.length) {
            throw new IllegalStateException("value code " + code + " outside a codebook of " + levels.length);
        }
        return levels[(int) code];
    }

    /**
     * Relative-index entries of the non-zeros: {gap, position} with gap = zeros skipped since the previous entry;
     * a gap of maxGap or more first emits fillers {maxGap, -1}, each standing for maxGap skipped positions.
     */
    private static List<int[]> relativeEntries(float[] values, int maxGap) {
        List<int[]> entries = new ArrayList<>();
        long previous = -1;
        for (int i = 0; i < values.length; i++) {
            if (values[i] == 0f) {
                continue;
            }
            long gap = i - previous - 1;
            while (gap >= maxGap) {
                entries.add(new int[]{maxGap, -1});
                gap -= maxGap;
            }
            entries.add(new int[]{(int) gap, i});
            previous = i;
        }
        return entries;
    }

    /** The distinct stored values, when coding them by index is smaller than raw 32-bit floats. */
    private static final class Codebook {
        final float[] levels;
        final int valueBits;
        private final Map<Integer, Integer> codes = new HashMap<>();

        private Codebook(float[] levels, int valueBits) {
            this.levels = levels;
            this.valueBits = valueBits;
            for (int i = 0; i < levels.length; i++) {
                codes.put(Float.floatToRawIntBits(levels[i]), i);
            }
        }

        static Codebook of(float[] values, boolean nonZeroOnly, long entries) {
            TreeSet<Float> distinct = new TreeSet<>();
            for (float v : values) {
                if (!nonZeroOnly || v != 0f) {
                    distinct.add(v);
                    if (distinct.size() > MAX_CODEBOOK) {
                        return new Codebook(new float[0], 32);
                    }
                }
            }
            int size = Math.max(1, distinct.size());
            int bits = Math.max(1, 32 - Integer.numberOfLeadingZeros(size - 1));
            if (32L * distinct.size() + entries * bits >= entries * 32) {
                return new Codebook(new float[0], 32);
            }
            float[] levels = new float[distinct.size()];
            int i = 0;
            for (float f : distinct) {
                levels[i++] = f;
            }
            return new Codebook(levels, bits);
        }

        int size() {
            return levels.length;
        }

        long code(float v) {
            if (levels.length == 0) {
                return Float.floatToRawIntBits(v) & 0xffffffffL;
            }
            return codes.get(Float.floatToRawIntBits(v));
        }
    }
}
