package io.admmnn.dl4j.djpq;

import io.admmnn.core.djpq.VibGates;
import io.admmnn.core.tensor.FlatValues;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The runtime VIB gate of {@link VibGateLayer}. Forward {@code y[b,c,...] = x[b,c,...] * z[b,c]}; backward
 * {@code dx = dy * z}, {@code dmu_c = sum dy*x}, {@code dlogD_c = sum dy*x*eps*sigma/2}, plus the KL term's gradient
 * times the minibatch size (DL4J divides the whole gradient by it afterwards, and the KL term is not a per-example
 * loss).
 */
public class VibGate extends BaseLayer<VibGateLayer> {

    private static final long serialVersionUID = 1L;

    /** The {@code [B, C]} noise of the last training forward pass, outside any workspace. */
    private transient INDArray noise;

    public VibGate(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
        // no weight noise: the gate noise is drawn per forward pass
    }

    /** The mean {@code mu}, one per channel (a view of the parameters). */
    public INDArray mu() {
        return params.get(VibGateLayer.MU);
    }

    /** {@code logD = log sigma^2}, one per channel (a view of the parameters). */
    public INDArray logD() {
        return params.get(VibGateLayer.LOG_D);
    }

    /** Whether each channel is kept: {@code mu^2 / sigma^2 > threshold}. */
    public boolean[] keptChannels() {
        double[] m = FlatValues.readDoubles(mu());
        double[] l = FlatValues.readDoubles(logD());
        boolean[] kept = new boolean[m.length];
        for (int c = 0; c < m.length; c++) {
            kept[c] = VibGates.kept(m[c], l[c], layerConf().getThreshold());
        }
        return kept;
    }

    /** The deterministic test-time gate {@code mask * mu}. */
    public double[] testGate() {
        double[] m = FlatValues.readDoubles(mu());
        boolean[] kept = keptChannels();
        for (int c = 0; c < m.length; c++) {
            m[c] = kept[c] ? m[c] : 0.0;
        }
        return m;
    }

    /** Adds to the parameter gradients (outside backpropagation, e.g. the BOPs term); values per channel. */
    void addToGradient(double[] byMu, double[] byLogD) {
        if (layerConf().isFrozen()) {
            return;
        }
        OffHeap.add(gradientViews.get(VibGateLayer.MU), byMu); // called outside the workspaces: no temporaries left
        OffHeap.add(gradientViews.get(VibGateLayer.LOG_D), byLogD);
    }

    /** Expected-activity surrogates {@code p_c = snr_c / (snr_c + t)} of the channels. */
    public double[] activeProbabilities() {
        double[] m = FlatValues.readDoubles(mu());
        double[] l = FlatValues.readDoubles(logD());
        double[] p = new double[m.length];
        for (int c = 0; c < m.length; c++) {
            p[c] = VibGates.activeProbability(m[c], l[c], layerConf().getThreshold());
        }
        return p;
    }

    private INDArray sigma() {
        return Transforms.exp(logD().mul(0.5), false);
    }

    /**
     * Draws the {@code [B, C]} training noise into {@link #noise}, reusing its buffer while the batch size holds: it
     * must outlive the forward pass's workspace, and a new array per pass would be freed only by the garbage
     * collector (issue 15). The same draws as {@code Nd4j.randn(type, B, C)}, which fills a new array the same way.
     */
    private void drawNoise(long batch, long channels) {
        noise = OffHeap.reuse(noise, mu().dataType(), new long[]{batch, channels}, Nd4j.order());
        Nd4j.randn(noise);
    }

    /** {@code [B, C]} gate values of the current training noise. */
    private INDArray trainingGate() {
        return noise.mulRowVector(sigma()).addiRowVector(mu());
    }

    /** Multiplies {@code x [B, C, ...]} by {@code g} ({@code [B, C]} or {@code [C]}) broadcast over the rest. */
    private static INDArray gateMultiply(INDArray x, INDArray g, INDArray out) {
        int[] dims = g.rank() == 1 ? new int[]{1} : new int[]{0, 1};
        Nd4j.getExecutioner().exec(new BroadcastMulOp(x, g.castTo(x.dataType()), out, dims));
        return out;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray x = input;
        INDArray g;
        if (training && !layerConf().isFrozen()) {
            drawNoise(x.size(0), x.size(1));
            g = trainingGate();
        } else {
            g = Nd4j.createFromArray(testGate()).castTo(x.dataType());
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        return gateMultiply(x, g, out);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (layerConf().isFrozen()) {
            return frozenBackprop(epsilon, workspaceMgr);
        }
        if (noise == null) {
            throw new IllegalStateException("VIB gate: backpropagation needs a training forward pass first");
        }
        INDArray x = input;
        INDArray z = trainingGate();
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, x.dataType(), x.shape(), 'c');
        gateMultiply(epsilon, z, dx);

        INDArray s = epsilon.mul(x); // dL/dz summed over the spatial positions:
        if (s.rank() > 2) {
            int[] spatial = new int[s.rank() - 2];
            for (int i = 0; i < spatial.length; i++) {
                spatial[i] = i + 2;
            }
            s = s.sum(spatial);
        }
        s = s.castTo(mu().dataType());
        INDArray dMu = s.sum(0);
        INDArray dLogD = s.mul(noise).sum(0).muli(sigma()).muli(0.5);

        long batch = x.size(0);
        double klScale = layerConf().getKlWeight() * layerConf().getSpatialSize() * batch; // frozen: handled above
        if (klScale != 0) {
            double[] m = FlatValues.readDoubles(mu());
            double[] l = FlatValues.readDoubles(logD());
            double[] km = new double[m.length];
            double[] kl = new double[m.length];
            for (int c = 0; c < m.length; c++) {
                km[c] = klScale * VibGates.klByMu(m[c], l[c]);
                kl[c] = klScale * VibGates.klByLogD(m[c], l[c]);
            }
            dMu.addi(Nd4j.createFromArray(km).castTo(dMu.dataType()));
            dLogD.addi(Nd4j.createFromArray(kl).castTo(dLogD.dataType()));
        }
        INDArray gMu = gradientViews.get(VibGateLayer.MU);
        INDArray gLogD = gradientViews.get(VibGateLayer.LOG_D);
        gMu.assign(dMu);
        gLogD.assign(dLogD);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(VibGateLayer.MU, gMu);
        gradient.gradientForVariable().put(VibGateLayer.LOG_D, gLogD);
        return new Pair<>(gradient, dx);
    }

    /** Fine-tuning: {@code dx = dy * mask * mu}, no parameter gradient. */
    private Pair<Gradient, INDArray> frozenBackprop(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(), 'c');
        gateMultiply(epsilon, Nd4j.createFromArray(testGate()).castTo(input.dataType()), dx);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(VibGateLayer.MU, gradientViews.get(VibGateLayer.MU).assign(0));
        gradient.gradientForVariable().put(VibGateLayer.LOG_D, gradientViews.get(VibGateLayer.LOG_D).assign(0));
        return new Pair<>(gradient, dx);
    }

    /** The KL term {@code klWeight * H * W * sum_c 1/2 log(1 + mu_c^2 / sigma_c^2)}, added to the network score. */
    @Override
    public double calcRegularizationScore(boolean backpropParamsOnly) {
        double w = layerConf().getKlWeight() * layerConf().getSpatialSize();
        if (w == 0 || layerConf().isFrozen()) {
            return 0;
        }
        double[] m = FlatValues.readDoubles(mu());
        double[] l = FlatValues.readDoubles(logD());
        double kl = 0;
        for (int c = 0; c < m.length; c++) {
            kl += VibGates.kl(m[c], l[c]);
        }
        return w * kl;
    }
}
