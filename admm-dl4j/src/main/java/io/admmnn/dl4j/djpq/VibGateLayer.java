package io.admmnn.dl4j.djpq;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Configuration of a VIB channel gate: multiplies each output channel (conv) or unit (dense) of the layer before it
 * by {@code z = mu + eps * sigma} in training ({@code eps ~ N(0, 1)} per example and channel,
 * {@code sigma = exp(logD / 2)}) and by the deterministic {@code mask * mu} at test time, {@code mask = mu^2/sigma^2 >
 * threshold}. It adds {@code klWeight * H * W * 1/2 sum_c log(1 + mu_c^2 / sigma_c^2)} to the network's score and
 * gradient ({@code H * W} as in VIBNet's reference code). Parameters {@code mu} and {@code logD}, one per channel,
 * initialised to {@code initialMu} and {@code initialLogD} (VIBNet: about 1 and -9).
 */
public class VibGateLayer extends DjpqLayer {

    private static final long serialVersionUID = 1L;

    public static final String MU = "mu";
    public static final String LOG_D = "logD";

    private double klWeight;
    private double threshold = 1.0;
    private double initialMu = 1.0;
    private double initialLogD = -9.0;
    /** Fine-tuning: the deterministic gate {@code mask * mu} in training too, no KL, parameters not learned. */
    private boolean frozen;

    /** For JSON. */
    public VibGateLayer() {
    }

    private VibGateLayer(Builder b) {
        super(b);
        this.klWeight = b.klWeight;
        this.threshold = b.threshold;
        this.initialMu = b.initialMu;
        this.initialLogD = b.initialLogD;
    }

    @Override
    public List<String> parameterKeys() {
        return List.of(MU, LOG_D);
    }

    @Override
    public long parameterLength(String key) {
        return nOut;
    }

    @Override
    public void initialize(String key, INDArray view) {
        view.assign(MU.equals(key) ? initialMu : initialLogD);
    }

    @Override
    protected org.deeplearning4j.nn.layers.BaseLayer<?> create(NeuralNetConfiguration conf, DataType dataType) {
        return new VibGate(conf, dataType);
    }

    public double getKlWeight() {
        return klWeight;
    }

    public void setKlWeight(double klWeight) {
        this.klWeight = klWeight;
    }

    public boolean isFrozen() {
        return frozen;
    }

    public void setFrozen(boolean frozen) {
        this.frozen = frozen;
    }

    public double getThreshold() {
        return threshold;
    }

    public void setThreshold(double threshold) {
        this.threshold = threshold;
    }

    public double getInitialMu() {
        return initialMu;
    }

    public void setInitialMu(double initialMu) {
        this.initialMu = initialMu;
    }

    public double getInitialLogD() {
        return initialLogD;
    }

    public void setInitialLogD(double initialLogD) {
        this.initialLogD = initialLogD;
    }

    /** Builder; {@code nOut} (channels) may be left to the input type. */
    public static class Builder extends org.deeplearning4j.nn.conf.layers.FeedForwardLayer.Builder<Builder> {
        private double klWeight;
        private double threshold = 1.0;
        private double initialMu = 1.0;
        private double initialLogD = -9.0;

        /** Weight gamma of the KL term in the loss. */
        public Builder klWeight(double gamma) {
            this.klWeight = gamma;
            return this;
        }

        /** A channel is pruned when {@code mu^2 / sigma^2 <= threshold} (VIBNet: 1). */
        public Builder threshold(double t) {
            if (!(t > 0)) {
                throw new IllegalArgumentException("gate threshold must be > 0, got " + t);
            }
            this.threshold = t;
            return this;
        }

        public Builder initialMu(double mu) {
            this.initialMu = mu;
            return this;
        }

        public Builder initialLogD(double logD) {
            this.initialLogD = logD;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public VibGateLayer build() {
            return new VibGateLayer(this);
        }
    }
}
