package io.admmnn.format;

/**
 * What one layer's weight tensor costs in a compressed model file.
 *
 * @param layer          layer name
 * @param weights        number of weight positions
 * @param nonZeros       number of non-zero weights
 * @param entries        stored value entries (non-zeros plus fillers; all positions for a dense layer)
 * @param fillers        filler entries inserted for gaps a relative index cannot express
 * @param valueBits      bits per stored value (a codebook index, or 32 for raw floats)
 * @param codebookSize   distinct non-zero values in the codebook (0 when values are stored raw)
 * @param index          the index format, or null when the layer is stored dense
 * @param valuePayloadBits total bits of stored values ({@code entries * valueBits})
 * @param indexPayloadBits total bits of stored positions (relative indices or the bitmask)
 * @param codebookBytes  bytes of the codebook (4 per level)
 * @param payloadBytes   bytes on disk of the packed values and indices ({@code ceil((value + index bits) / 8)})
 */
public record LayerStorage(String layer, long weights, long nonZeros, long entries, long fillers, int valueBits,
                           int codebookSize, SparseIndexFormat index, long valuePayloadBits, long indexPayloadBits,
                           long codebookBytes, long payloadBytes) {

    /** Bytes this layer's data occupies in the file (payload + codebook). */
    public long dataBytes() {
        return payloadBytes + codebookBytes;
    }

    /** 32-bit dense size over the kept weights' own value bits (+ codebook): no index, no filler entries. */
    public double reductionKeptValues() {
        return 32.0 * weights / (nonZeros * (double) valueBits + 8.0 * codebookBytes);
    }

    /** 32-bit dense size over stored value bits, filler entries included (+ codebook), without index bits. */
    public double reductionWithoutIndex() {
        return 32.0 * weights / (valuePayloadBits + 8.0 * codebookBytes);
    }

    /** 32-bit dense size over all stored bits (values, indices, fillers, codebook). */
    public double reductionWithIndex() {
        return 32.0 * weights / (valuePayloadBits + indexPayloadBits + 8.0 * codebookBytes);
    }
}
