package io.admmnn.dl4j.speed;

import io.admmnn.dl4j.network.TrainableNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.api.Layer;

/**
 * Chooses the fastest CPU training path DL4J 1.0.0-M2.1 offers on this machine, and says which one is active.
 *
 * <p>On a CPU with AVX-512 (and the {@code linux-x86_64-onednn-avx512} build of nd4j-native on the class path)
 * it selects that build and enables DL4J's oneDNN layer helpers (off by default in M2.1; see also
 * {@code org.nd4j.nativeblas.Nd4jCpu}). Elsewhere it leaves the portable build, whose convolutions use DL4J's
 * single-threaded im2col fallback, and {@link #describe} warns about it. Must run before ND4J loads.
 */
public final class NativeBackend {

    /** System property JavaCPP reads to pick a native build ("" = portable). */
    static final String EXTENSION_PROPERTY = "org.bytedeco.javacpp.platform.extension";
    /** System property that DL4J M2.1 reads ("true" by default) to disable its oneDNN/cuDNN helpers. */
    static final String HELPERS_DISABLED_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";
    static final String FAST_EXTENSION = "-onednn-avx512";

    private NativeBackend() {
    }

    /**
     * Selects the native build and enables the layer helpers, unless the user set either property already.
     *
     * @return the extension chosen ("" for the portable build)
     */
    public static String configure() {
        String chosen = System.getProperty(EXTENSION_PROPERTY);
        if (chosen == null) {
            boolean fastAvailable = NativeBackend.class.getClassLoader().getResource(
                    "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64" + FAST_EXTENSION + "/") != null;
            chosen = fastAvailable && cpuHasAvx512() ? FAST_EXTENSION : "";
            System.setProperty(EXTENSION_PROPERTY, chosen);
        }
        if (System.getProperty(HELPERS_DISABLED_PROPERTY) == null) {
            System.setProperty(HELPERS_DISABLED_PROPERTY, "false");
        }
        return chosen;
    }

    /** Whether /proc/cpuinfo lists avx512f and avx512bw (what the AVX-512 build of libnd4j needs). */
    static boolean cpuHasAvx512() {
        try {
            String flags = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                    .findFirst().orElse("");
            return flags.contains(" avx512f") && flags.contains(" avx512bw");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * One line naming the active path for {@code network}'s convolution and pooling layers, starting with
     * "WARNING" when they run on the slow fallback, and the training step {@link TrainableNetwork#fitEpoch} takes
     * (the lean dense or convolutional step of {@link LeanDenseTrainer}, or DL4J's fit and why).
     */
    public static String describe(TrainableNetwork network) {
        String build = "libnd4j " + (System.getProperty(EXTENSION_PROPERTY, "").isEmpty() ? "portable"
                : "linux-x86_64" + System.getProperty(EXTENSION_PROPERTY)) + " build";
        List<String> fast = new ArrayList<>();
        List<String> slow = new ArrayList<>();
        for (Layer layer : layers(network)) {
            String type = layer.getClass().getSimpleName();
            if (!type.contains("Convolution") && !type.contains("Subsampling")) {
                continue;
            }
            String name = layer.conf().getLayer().getLayerName();
            (helperOf(layer) != null ? fast : slow).add(name);
        }
        String step = "; training step: " + network.trainingStep();
        if (fast.isEmpty() && slow.isEmpty()) {
            return "training path: " + build + " (no convolution layers)" + step;
        }
        if (slow.isEmpty()) {
            return "training path: " + build + ", oneDNN helpers active on " + String.join(", ", fast) + step;
        }
        return String.format(Locale.ROOT, "WARNING training path: %s, slow im2col fallback on %s (%s)%s", build,
                String.join(", ", slow), slowReason(), step);
    }

    private static String slowReason() {
        if (System.getProperty(EXTENSION_PROPERTY, "").isEmpty()) {
            return "this CPU lacks AVX-512 or the oneDNN build is not on the class path";
        }
        if (!"false".equals(System.getProperty(HELPERS_DISABLED_PROPERTY))) {
            return "layer helpers disabled by -D" + HELPERS_DISABLED_PROPERTY;
        }
        return "NativeBackend.configure() ran after the network was built?";
    }

    private static Layer[] layers(TrainableNetwork network) {
        var model = network.model();
        if (model instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork mln) {
            return mln.getLayers();
        }
        return ((org.deeplearning4j.nn.graph.ComputationGraph) model).getLayers();
    }

    private static Object helperOf(Layer layer) {
        for (Class<?> c = layer.getClass(); c != null; c = c.getSuperclass()) {
            try {
                var field = c.getDeclaredField("helper");
                field.setAccessible(true);
                return field.get(layer);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
