package io.admmnn.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.dl4j.format.CompressedModelFile;
import io.admmnn.format.LayerStorage;
import io.admmnn.format.SparseIndexFormat;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

class CompressedModelFileTest {

    /** Zeroes all but ~keep of W and snaps the survivors onto levels {+-q, +-2q, ..., +-levels*q}. */
    private static void pruneAndQuantize(INDArray w, double keep, int levels, long seed) {
        Random random = new Random(seed);
        double q = w.amaxNumber().doubleValue() / levels;
        for (long i = 0; i < w.length(); i++) {
            double v = w.getDouble(i);
            if (random.nextDouble() >= keep) {
                w.putScalar(i, 0.0);
            } else {
                long k = Math.max(1, Math.min(levels, Math.round(Math.abs(v) / q)));
                w.putScalar(i, Math.signum(v == 0 ? 1 : v) * k * q);
            }
        }
    }

    @Test
    void roundTripIsBitExactAndTheFileIsExactlyTheReportedSize(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(1e-3), 3);
        pruneAndQuantize(net.getParam("0_W"), 0.3, 4, 1);   // 8 levels -> 3 bits
        pruneAndQuantize(net.getParam("1_W"), 0.5, 2, 2);   // 4 levels -> 2 bits
        Path file = dir.resolve("m.admmnn");
        CompressedModelFile.Summary s = CompressedModelFile.write(TrainableNetwork.of(net), file,
                layer -> SparseIndexFormat.relative(3));

        assertThat(Files.size(file)).isEqualTo(s.fileBytes());
        assertThat(s.fileBytes()).isEqualTo(s.headerBytes() + s.weightDataBytes() + 4 * s.denseParameters());
        assertThat(s.denseParameters()).isEqualTo(5 + 3); // the two bias vectors
        LayerStorage fc1 = s.layers().get(0);
        assertThat(fc1.valueBits()).isLessThanOrEqualTo(3);
        assertThat(fc1.nonZeros()).isEqualTo(net.getParam("0_W").neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64)
                .sumNumber().longValue());
        assertThat(fc1.valuePayloadBits()).isEqualTo(fc1.entries() * fc1.valueBits());

        MultiLayerNetwork back = (MultiLayerNetwork) CompressedModelFile.read(file).model();
        assertThat(back.params().equals(net.params())).isTrue();
        INDArray x = Nd4j.rand(7, 6);
        assertThat(back.output(x).equals(net.output(x))).isTrue();
    }

    @Test
    void fillersMatchABruteForceWalkOverTheMask(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(1e-3), 4);
        INDArray w = net.getParam("0_W"); // 30 weights, 'f' order
        w.assign(0);
        int[] kept = {0, 1, 9, 25, 29}; // flat positions in W's own ordering
        for (int p : kept) {
            w.reshape('f', new long[]{30}).putScalar(p, 0.5);
        }
        for (int bits = 1; bits <= 4; bits++) {
            int maxGap = (1 << bits) - 1;
            long expectedFillers = 0;
            int previous = -1;
            for (int p : kept) {
                expectedFillers += (p - previous - 1) / maxGap;
                previous = p;
            }
            final int b = bits;
            CompressedModelFile.Summary s = CompressedModelFile.write(TrainableNetwork.of(net), dir.resolve("f" + bits),
                    layer -> SparseIndexFormat.relative(b));
            LayerStorage fc1 = s.layers().get(0);
            if (fc1.index() != null) {
                assertThat(fc1.fillers()).as("bits=%d", bits).isEqualTo(expectedFillers);
                assertThat(fc1.entries()).isEqualTo(kept.length + expectedFillers);
            }
            MultiLayerNetwork back = (MultiLayerNetwork) CompressedModelFile.read(dir.resolve("f" + bits)).model();
            assertThat(back.getParam("0_W").equals(w)).isTrue();
        }
    }

    @Test
    void bitmaskAndGraphsRoundTrip(@TempDir Path dir) throws Exception {
        ComputationGraph graph = TestNetworks.convGraph(new Adam(1e-3), 5);
        pruneAndQuantize(graph.getParam("conv_W"), 0.5, 8, 3);
        pruneAndQuantize(graph.getParam("dense_W"), 0.1, 1, 4);
        Path file = dir.resolve("g.admmnn");
        CompressedModelFile.Summary s = CompressedModelFile.write(TrainableNetwork.of(graph), file,
                layer -> SparseIndexFormat.bitmask());
        assertThat(Files.size(file)).isEqualTo(s.fileBytes());
        ComputationGraph back = (ComputationGraph) CompressedModelFile.read(file).model();
        assertThat(back.params().equals(graph.params())).isTrue();
        LayerStorage dense = s.layers().get(1);
        assertThat(dense.index()).isEqualTo(SparseIndexFormat.bitmask());
        assertThat(dense.indexPayloadBits()).isEqualTo(dense.weights());
        assertThat(dense.valueBits()).isEqualTo(1); // two levels: +-q
    }

    @Test
    void corruptOrTruncatedFilesAreErrorsNotWrongModels(@TempDir Path dir) throws Exception {
        MultiLayerNetwork net = TestNetworks.mlp(new Adam(1e-3), 6);
        Path file = dir.resolve("m.admmnn");
        CompressedModelFile.write(TrainableNetwork.of(net), file, layer -> SparseIndexFormat.relative(4));
        byte[] bytes = Files.readAllBytes(file);

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        Files.write(dir.resolve("flipped"), flipped);
        assertThatThrownBy(() -> CompressedModelFile.read(dir.resolve("flipped"))).hasMessageContaining("corrupt");

        Files.write(dir.resolve("short"), java.util.Arrays.copyOf(bytes, bytes.length - 20));
        assertThatThrownBy(() -> CompressedModelFile.read(dir.resolve("short"))).isInstanceOf(java.io.IOException.class);

        Files.writeString(dir.resolve("text"), "hello, not a model");
        assertThatThrownBy(() -> CompressedModelFile.read(dir.resolve("text")))
                .hasMessageContaining("not an admm-nn compressed model file");
    }

    @Test
    void indexFormatsParseAndValidate() {
        assertThat(SparseIndexFormat.parse("relative:5")).isEqualTo(SparseIndexFormat.relative(5));
        assertThat(SparseIndexFormat.parse("bitmask")).isEqualTo(SparseIndexFormat.bitmask());
        assertThatThrownBy(() -> SparseIndexFormat.parse("relative:0")).hasMessageContaining("[1, 16]");
        assertThatThrownBy(() -> SparseIndexFormat.parse("csr")).hasMessageContaining("unknown index format");
    }
}
