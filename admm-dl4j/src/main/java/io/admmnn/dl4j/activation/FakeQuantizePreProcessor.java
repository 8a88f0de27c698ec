package io.admmnn.dl4j.activation;

import io.admmnn.core.tensor.FlatValues;
import io.admmnn.format.ActivationQuantization;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Fake quantization of a layer's input activations in a DL4J {@code MultiLayerNetwork}: an input preprocessor that
 * replaces each input value x by its level {@link ActivationQuantization#quantize(float)} in the forward pass and
 * passes the gradient straight through where {@code lo <= x <= qMax} (zero where x was clipped) in the backward
 * pass. It wraps the layer's own preprocessor, if any ({@code inner}): quantize first, then reshape; backward in
 * the opposite order. Quantization is elementwise, so the order against a reshape does not change the values.
 *
 * <p>Why a preprocessor: DL4J calls it on the layer's input in every forward pass (training, output, evaluation)
 * and its {@code backprop} in the backward pass, and it is part of the configuration JSON, so the quantizer (four
 * scalars) is saved and restored with every checkpoint; no layer indices change. The values are computed by the
 * same Java code as the runtime's, so the levels agree bit for bit with identical inputs.
 *
 * <p>The backward pass needs the forward input to know where it was clipped; the last forward input is kept in a
 * transient field (DL4J runs a layer's backward pass right after its forward pass, while the input's workspace is
 * still open).
 */
public final class FakeQuantizePreProcessor implements InputPreProcessor {

    private static final long serialVersionUID = 1L;

    @JsonProperty("bits")
    private final int bits;
    @JsonProperty("signed")
    private final boolean signed;
    @JsonProperty("step")
    private final double step;
    @JsonProperty("maxCode")
    private final int maxCode;
    @JsonProperty("inner")
    private final InputPreProcessor inner;
    @JsonIgnore
    private transient ActivationQuantization quantization;
    @JsonIgnore
    private transient INDArray lastInput;

    /** Quantizes with {@code quantization}, then applies {@code inner} (null: none). */
    public FakeQuantizePreProcessor(ActivationQuantization quantization, InputPreProcessor inner) {
        this(quantization.bits(), quantization.signed(), quantization.step(), quantization.maxCode(), inner);
    }

    @JsonCreator
    public FakeQuantizePreProcessor(@JsonProperty("bits") int bits, @JsonProperty("signed") boolean signed,
                                    @JsonProperty("step") double step, @JsonProperty("maxCode") int maxCode,
                                    @JsonProperty("inner") InputPreProcessor inner) {
        this.bits = bits;
        this.signed = signed;
        this.step = step;
        this.maxCode = maxCode;
        this.inner = inner;
        this.quantization = new ActivationQuantization(bits, signed, step, maxCode);
    }

    /** The quantizer. */
    public ActivationQuantization quantization() {
        if (quantization == null) { // after Java deserialization, which skips the constructor
            quantization = new ActivationQuantization(bits, signed, step, maxCode);
        }
        return quantization;
    }

    /** The layer's own preprocessor this one wraps, or null. */
    public InputPreProcessor inner() {
        return inner;
    }

    @Override
    public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        requireFloat(input);
        lastInput = input;
        float[] values = FlatValues.readFloats(input);
        quantization().quantizeInPlace(values, 0, values.length);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, input.shape(),
                input.ordering());
        FlatValues.write(out, values); // both in the input's ordering
        return inner == null ? out : inner.preProcess(out, miniBatchSize, workspaceMgr);
    }

    @Override
    public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
        INDArray epsilon = inner == null ? output : inner.backprop(output, miniBatchSize, workspaceMgr);
        INDArray input = lastInput;
        if (input == null || !java.util.Arrays.equals(input.shape(), epsilon.shape())) {
            throw new IllegalStateException("activation quantizer: backward pass without its forward pass");
        }
        requireFloat(epsilon);
        char order = input.ordering();
        float[] x = FlatValues.readFloats(input);
        float[] g = FlatValues.readFloats(epsilon.ordering() == order ? epsilon : epsilon.dup(order));
        ActivationQuantization q = quantization();
        for (int i = 0; i < g.length; i++) {
            if (!q.passesGradient(x[i])) {
                g[i] = 0f; // clipped: the straight-through estimator passes no gradient
            }
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, epsilon.shape(),
                order);
        FlatValues.write(out, g);
        return out;
    }

    private static void requireFloat(INDArray array) {
        if (array.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("activation quantization needs FLOAT activations, was "
                    + array.dataType());
        }
    }

    @Override
    public FakeQuantizePreProcessor clone() {
        return new FakeQuantizePreProcessor(bits, signed, step, maxCode, inner == null ? null : inner.clone());
    }

    @Override
    public InputType getOutputType(InputType inputType) {
        return inner == null ? inputType : inner.getOutputType(inputType);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        return inner == null ? new Pair<>(maskArray, currentMaskState)
                : inner.feedForwardMaskArray(maskArray, currentMaskState, minibatchSize);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FakeQuantizePreProcessor p && p.bits == bits && p.signed == signed && p.step == step
                && p.maxCode == maxCode && java.util.Objects.equals(p.inner, inner);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(bits, signed, step, maxCode, inner);
    }

    @Override
    public String toString() {
        return "FakeQuantizePreProcessor(" + quantization().describe() + (inner == null ? "" : ", then " + inner) + ")";
    }
}
