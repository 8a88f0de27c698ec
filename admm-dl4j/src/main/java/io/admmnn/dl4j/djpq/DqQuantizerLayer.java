package io.admmnn.dl4j.djpq;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a learned DQ quantizer of the activation that passes through it:
 * {@code y = d * round(clip(x, lo, qMax) / d)}, {@code lo = -qMax} when signed, 0 when not (after a ReLU). Parameters
 * {@code d} (step) and {@code qMax} (range), one scalar each, both learned; the rounding passes gradients straight
 * through. Its bit width is inferred, not a parameter (see {@code io.admmnn.core.djpq.DqBits}).
 */
public class DqQuantizerLayer extends DjpqLayer {

    private static final long serialVersionUID = 1L;

    public static final String STEP = "d";
    public static final String RANGE = "qMax";

    private boolean signed;
    private double initialStep = 1.0 / 255;
    private double initialRange = 1.0;
    /** Fine-tuning: step and range fixed (no gradient, no projection). */
    private boolean frozen;

    /** For JSON. */
    public DqQuantizerLayer() {
    }

    protected DqQuantizerLayer(Builder b) {
        super(b);
        this.signed = b.signed;
        this.initialStep = b.initialStep;
        this.initialRange = b.initialRange;
    }

    @Override
    public List<String> parameterKeys() {
        return List.of(STEP, RANGE);
    }

    @Override
    public long parameterLength(String key) {
        return 1;
    }

    @Override
    public void initialize(String key, INDArray view) {
        view.assign(STEP.equals(key) ? initialStep : initialRange);
    }

    @Override
    protected org.deeplearning4j.nn.layers.BaseLayer<?> create(NeuralNetConfiguration conf, DataType dataType) {
        return new DqQuantizer(conf, dataType);
    }

    public boolean isSigned() {
        return signed;
    }

    public void setSigned(boolean signed) {
        this.signed = signed;
    }

    public boolean isFrozen() {
        return frozen;
    }

    public void setFrozen(boolean frozen) {
        this.frozen = frozen;
    }

    public double getInitialStep() {
        return initialStep;
    }

    public void setInitialStep(double initialStep) {
        this.initialStep = initialStep;
    }

    public double getInitialRange() {
        return initialRange;
    }

    public void setInitialRange(double initialRange) {
        this.initialRange = initialRange;
    }

    /** Builder. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.FeedForwardLayer.Builder<Builder> {
        private boolean signed;
        private double initialStep = 1.0 / 255;
        private double initialRange = 1.0;

        /** Signed ({@code [-qMax, qMax]}) or non-negative ({@code [0, qMax]}, the default) tensor. */
        public Builder signed(boolean s) {
            this.signed = s;
            return this;
        }

        /** Initial step and range, {@code 0 < d <= qMax}. */
        public Builder initial(double step, double range) {
            if (!(step > 0) || !(range >= step)) {
                throw new IllegalArgumentException("need 0 < step <= range, got step=" + step + ", range=" + range);
            }
            this.initialStep = step;
            this.initialRange = range;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public DqQuantizerLayer build() {
            return new DqQuantizerLayer(this);
        }
    }
}
