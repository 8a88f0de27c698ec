package org.nd4j.nativeblas;

/**
 * Compatibility class for DL4J 1.0.0-M2.1's oneDNN layer helpers.
 *
 * <p>{@code BaseMKLDNNHelper.mklDnnEnabled()} looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment#isUseMKLDNN}
 * by reflection: the class and method names from before M2. M2.1 ships
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment#isUseONEDNN}, so the lookup fails silently
 * and convolution/pooling always fall back to DL4J's slow im2col path. This class answers the old lookup
 * with the new method. It exists only for that reflective call.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /**
     * Answers {@code isUseMKLDNN()} with M2.1's {@code isUseONEDNN()}, found by reflection so that this module
     * needs the CPU backend only at run time.
     */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            try {
                Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
                Object instance = env.getMethod("getInstance").invoke(null);
                return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return false;
            }
        }
    }
}
