package io.admmnn.hardware.cost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Energy per operation in picojoules, by name. The built-in table is Horowitz, "Computing's energy problem",
 * ISSCC 2014, 45 nm: the published figures. A user replaces it with their own CSV ({@code name,picojoules}).
 *
 * <p>Names used by {@link CostModel}: {@code fp32.mult}, {@code fp32.add}, {@code int32.mult}, {@code int32.add},
 * {@code int8.mult}, {@code int8.add}, {@code dram.read32} (one 32-bit word from DRAM).
 */
public record EnergyTable(String name, Map<String, Double> picojoules) {

    private static final List<String> REQUIRED = List.of("fp32.mult", "fp32.add", "int32.mult", "int32.add",
            "int8.mult", "int8.add", "dram.read32");

    public EnergyTable {
        picojoules = Map.copyOf(picojoules);
        for (String key : REQUIRED) {
            if (!picojoules.containsKey(key)) {
                throw new IllegalArgumentException("energy table '" + name + "' lacks '" + key + "'");
            }
        }
    }

    /** Horowitz, ISSCC 2014, 45 nm (picojoules per operation). */
    public static EnergyTable horowitz45nm() {
        Map<String, Double> pj = new LinkedHashMap<>();
        pj.put("fp32.mult", 3.7);
        pj.put("fp32.add", 0.9);
        pj.put("int32.mult", 3.1);
        pj.put("int32.add", 0.1);
        pj.put("int8.mult", 0.2);
        pj.put("int8.add", 0.03);
        pj.put("sram.read32", 5.0);
        pj.put("dram.read32", 640.0);
        return new EnergyTable("Horowitz ISSCC 2014, 45 nm", pj);
    }

    /** Reads {@code name,picojoules} lines ('#' starts a comment). */
    public static EnergyTable load(Path csv) throws IOException {
        Map<String, Double> pj = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(csv)) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] parts = t.split(",");
            try {
                pj.put(parts[0].strip(), Double.parseDouble(parts[1].strip()));
            } catch (RuntimeException e) {
                throw new IOException(csv + ":" + lineNo + ": expected 'name,picojoules', got '" + t + "'");
            }
        }
        return new EnergyTable(csv.getFileName().toString(), pj);
    }

    public double pj(String op) {
        return picojoules.get(op);
    }
}
