package io.admmnn.experiments.bench;

import io.admmnn.dl4j.speed.NativeBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What this process trains on, for scripts/bench's reference check: the ND4J backend and libnd4j build, the BLAS
 * vendor ND4J reports, the BLAS library files actually mapped into the process (read from /proc/self/maps after a
 * matrix product), ND4J's BLAS and OpenMP thread counts, the OPENBLAS_CORETYPE in effect (bin/blas-env, which the
 * launcher sources, sets it on AVX-512 CPUs; unset, OpenBLAS picks a core from the CPU) and the OPENBLAS_* / OMP_* /
 * MKL_* environment. Prints {@code ours <key> <value>} lines. The bundled OpenBLAS's runtime core is not reachable
 * from Java (the JavaCPP preset of 1.5.7 binds no {@code openblas_get_corename}); scripts/bench asks the mapped
 * file itself.
 */
public final class BackendInfo {

    private BackendInfo() {
    }

    /** Prints the lines; call after {@link NativeBackend#configure()}. */
    static void print(PrintStream out) {
        summary().forEach((key, value) -> {
            for (String v : key.equals("blas-path") || key.equals("env") ? value.split("; ") : new String[]{value}) {
                if (!v.isEmpty()) {
                    out.println("ours " + key + " " + v);
                }
            }
        });
    }

    /**
     * The same facts as {@link #print}'s lines, keyed by name (nd4j-backend, libnd4j-build, blas-vendor,
     * blas-threads, omp-threads, cores, openblas-coretype, blas-path and env, the last two "; "-separated); runs a
     * small matrix product first so that the BLAS library is loaded.
     */
    public static Map<String, String> summary() {
        Nd4j.rand(DataType.FLOAT, 64, 800).mmul(Nd4j.rand(DataType.FLOAT, 800, 500));   // BLAS loaded and used
        Properties info = Nd4j.getExecutioner().getEnvironmentInformation();
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension", "");
        Map<String, String> result = new LinkedHashMap<>();
        result.put("nd4j-backend", Nd4j.getBackend().getClass().getName() + " (" + info.get("backend") + ")");
        result.put("libnd4j-build", "linux-x86_64" + extension);
        result.put("blas-vendor", String.valueOf(info.get("blas.vendor")));
        result.put("blas-threads", String.valueOf(info.get("blas.threads")));
        result.put("omp-threads", String.valueOf(info.get("omp.threads")));
        result.put("cores", String.valueOf(info.get("cores")));
        String coretype = System.getenv("OPENBLAS_CORETYPE");
        result.put("openblas-coretype", coretype == null || coretype.isEmpty()
                ? "unset (OpenBLAS picks the core from the CPU)" : coretype);
        result.put("blas-path", String.join("; ", mappedBlas()));
        List<String> env = new java.util.ArrayList<>();
        new TreeMap<>(System.getenv()).forEach((k, v) -> {
            if (k.startsWith("OPENBLAS_") || k.startsWith("OMP_") || k.startsWith("MKL_") || k.startsWith("GOTO_")) {
                env.add(k + "=" + v);
            }
        });
        result.put("env", String.join("; ", env));
        return result;
    }

    /** The BLAS libraries (OpenBLAS, MKL, any libblas) mapped into this process. */
    public static List<String> mappedBlas() {
        try {
            return Files.readAllLines(Path.of("/proc/self/maps")).stream().map(l -> l.trim().split("\\s+"))
                    .filter(f -> f.length >= 6).map(f -> f[f.length - 1])
                    .filter(p -> {
                        String name = Path.of(p).getFileName().toString().toLowerCase(Locale.ROOT);
                        return !name.startsWith("libjni") && (name.contains("blas") || name.contains("mkl_"));
                    }).distinct().sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of("unknown (" + e + ")");
        }
    }
}
