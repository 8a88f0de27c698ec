package io.admmnn.hardware.layer;

/** A fully connected layer {@code in -> out}: {@code in * out} weights and as many MACs per image. */
public record FcLayer(String name, int in, int out) implements LayerShape {

    @Override
    public long weights() {
        return (long) in * out;
    }

    @Override
    public long macs() {
        return weights();
    }

    @Override
    public boolean isConvolution() {
        return false;
    }
}
