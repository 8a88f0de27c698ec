package io.admmnn.dl4j.djpq;

import java.util.Map;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The DQ quantizer's forward and straight-through backward on ND4J arrays, shared by the activation and the weight
 * quantizer. Forward {@code y = d * n}, {@code n = round(u)}, {@code u = c / d}, {@code c = clip(x, lo, qMax)},
 * {@code lo = -qMax} (signed) or 0. Backward ({@code dn/du = 1}): {@code dy/dx = 1} inside {@code (lo, qMax)},
 * else 0; {@code dy/dd = n - u}; {@code dy/dqMax = +1} where {@code x >= qMax}, {@code -1} where {@code x <= -qMax}.
 */
final class SteQuantization {

    /** Gradients of {@code sum(upstream * y)}: by the input (same shape) and by the step and the range. */
    record Gradients(INDArray input, double step, double range) {
    }

    private SteQuantization() {
    }

    private static INDArray clipped(INDArray x, double step, double range, boolean signed) {
        return Transforms.min(Transforms.max(x, signed ? -range : 0.0, true), range, false);
    }

    /** {@code d * round(clip(x) / d)}, a new array. */
    static INDArray forward(INDArray x, double step, double range, boolean signed, UnaryOperator<INDArray> round) {
        return round.apply(clipped(x, step, range, signed).divi(step)).muli(step);
    }

    /**
     * {@link #forward} written into {@code target} (same shape, type and order as {@code x}), which is returned;
     * nothing else is left allocated: a rounding that returns a new array has it copied in and released.
     */
    static INDArray forwardInto(INDArray x, INDArray target, double step, double range, boolean signed,
                                UnaryOperator<INDArray> round) {
        Transforms.min(Transforms.max(target.assign(x), signed ? -range : 0.0, false), range, false).divi(step);
        INDArray n = round.apply(target);
        if (n != target) {
            target.assign(n);
            OffHeap.release(n);
        }
        return target.muli(step);
    }

    /** The straight-through gradients for the upstream gradient {@code dy}. */
    static Gradients backward(INDArray x, INDArray dy, double step, double range, boolean signed,
                              UnaryOperator<INDArray> round) {
        DataType dt = x.dataType();
        INDArray u = clipped(x, step, range, signed).divi(step);
        INDArray n = round.apply(u);
        INDArray inside = x.gt(signed ? -range : 0.0).castTo(dt).muli(x.lt(range).castTo(dt));
        double dStep = dy.mul(n.subi(u)).sumNumber().doubleValue();
        double dRange = dy.mul(x.gte(range).castTo(dt)).sumNumber().doubleValue();
        if (signed) {
            dRange -= dy.mul(x.lte(-range).castTo(dt)).sumNumber().doubleValue();
        }
        return new Gradients(dy.mul(inside), dStep, dRange);
    }

    /**
     * The step and range gradients written into a quantizer layer's gradient views ({@link DqQuantizerLayer#STEP},
     * {@link DqQuantizerLayer#RANGE}), zero when the layer is frozen, as the layer's parameter {@link Gradient}.
     */
    static Gradient parameterGradient(Map<String, INDArray> views, Gradients g, boolean learn) {
        INDArray gStep = views.get(DqQuantizerLayer.STEP);
        INDArray gRange = views.get(DqQuantizerLayer.RANGE);
        gStep.assign(learn ? g.step() : 0.0);
        gRange.assign(learn ? g.range() : 0.0);
        Gradient gradient = new DefaultGradient();
        gradient.gradientForVariable().put(DqQuantizerLayer.STEP, gStep);
        gradient.gradientForVariable().put(DqQuantizerLayer.RANGE, gRange);
        return gradient;
    }

    /**
     * Keeps {@code qMax > 0} and {@code d} in {@code [qMax / (2^15 - 1), qMax]} (signed) or
     * {@code [qMax / (2^16 - 1), qMax]} (unsigned), i.e. at most 16 bits, so that freezing to
     * {@link io.admmnn.format.ActivationQuantization#MAX_BITS} changes no level: returns {d, qMax} after the
     * projection. A step an update pushed to or below 0 goes to the finest step, not to {@code |d|}: reflecting it
     * would put it at an unrelated width (the step that was about to vanish wanted the finest grid).
     */
    static double[] project(double step, double range, boolean signed) {
        double q = Math.abs(range);
        return new double[]{Math.min(q, Math.max(step, q / (signed ? 32767 : 65535))), q};
    }
}
