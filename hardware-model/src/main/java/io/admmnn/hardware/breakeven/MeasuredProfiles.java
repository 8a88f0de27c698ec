package io.admmnn.hardware.breakeven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A measured kernel profile file ({@code profile.csv}, written by {@code admm-nn hardware measure}): one
 * {@link MeasuredProfile} per batch size. The file is CSV with a comment line naming the machine:
 *
 * <pre>
 * # machine: AMD EPYC ..., 2 cores, ...
 * layer,batch,kept_fraction,dense_ms,sparse_ms,sparse_over_dense,runtime_dense_ms
 * conv1,1,0.007813,0.0955,0.0016,0.0164,0.0800
 * </pre>
 *
 * Columns are found by name; {@code dense_ms} is the library's dense kernel, {@code runtime_dense_ms}
 * admm-runtime's own (may be absent or empty), {@code sparse_over_dense} is over the faster of the two (written
 * for reading by eye; the times are what is read back). Files of the older format
 * ({@code layer,kept_fraction,dense_ms,sparse_ms,...}, no batch column) read as batch {@value #BATCH_NOT_RECORDED}.
 *
 * @param machine  where it was measured
 * @param byBatch  per batch size, the profile at that batch
 */
public record MeasuredProfiles(String machine, Map<Integer, MeasuredProfile> byBatch) {

    /** The batch key of a file written before batches were recorded. */
    public static final int BATCH_NOT_RECORDED = 0;

    static final String HEADER = "layer,batch,kept_fraction,dense_ms,sparse_ms,sparse_over_dense,runtime_dense_ms";

    public MeasuredProfiles {
        byBatch = new TreeMap<>(byBatch);
    }

    /** The batch sizes measured, ascending. */
    public List<Integer> batches() {
        return List.copyOf(byBatch.keySet());
    }

    /**
     * The profile measured at {@code batch}; a file without batches answers every batch with its one profile.
     *
     * @throws IllegalArgumentException if that batch was not measured, listing those that were
     */
    public MeasuredProfile at(int batch) {
        if (byBatch.size() == 1 && byBatch.containsKey(BATCH_NOT_RECORDED)) {
            return byBatch.get(BATCH_NOT_RECORDED);
        }
        MeasuredProfile p = byBatch.get(batch);
        if (p == null) {
            throw new IllegalArgumentException("no measurement at batch " + batch + "; measured batches: " + batches());
        }
        return p;
    }

    /** The measured batch nearest to {@code batch} (in log scale; the smaller on a tie). */
    public int nearestBatch(int batch) {
        return byBatch.keySet().stream().min((a, b) -> Double.compare(distance(a, batch), distance(b, batch)))
                .orElseThrow();
    }

    private static double distance(int measured, int batch) {
        return measured == BATCH_NOT_RECORDED ? 0 : Math.abs(Math.log(measured) - Math.log(batch));
    }

    /** The file's text. */
    public String csv() {
        StringBuilder out = new StringBuilder("# machine: ").append(machine.replace('\n', ' ')).append('\n')
                .append(HEADER).append('\n');
        byBatch.forEach((batch, profile) -> profile.measurements().forEach((layer, points) -> points.forEach(p ->
                out.append(String.format(Locale.ROOT, "%s,%d,%.6g,%.6g,%.6g,%.6g,%s%n", layer, batch,
                        p.keptFraction(), p.denseMillis(), p.sparseMillis(), p.ratio(),
                        Double.isNaN(p.runtimeDenseMillis()) ? ""
                                : String.format(Locale.ROOT, "%.6g", p.runtimeDenseMillis()))))));
        return out.toString();
    }

    /** Writes {@link #csv()} to {@code file}. */
    public void write(Path file) throws IOException {
        Files.writeString(file, csv());
    }

    /**
     * Reads a profile file (this format or the older one without batches).
     *
     * @throws IOException naming the file and line of anything it cannot read
     */
    public static MeasuredProfiles read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String machine = file.toString();
        Map<String, Integer> column = null;
        Map<Integer, Map<String, List<MeasuredProfile.Point>>> points = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                if (line.startsWith("# machine:")) {
                    machine = line.substring("# machine:".length()).strip();
                }
                continue;
            }
            String[] f = line.split(",", -1);
            if (column == null) {
                column = new LinkedHashMap<>();
                for (int c = 0; c < f.length; c++) {
                    column.put(f[c].strip(), c);
                }
                for (String needed : List.of("layer", "kept_fraction", "dense_ms", "sparse_ms")) {
                    if (!column.containsKey(needed)) {
                        throw new IOException(file + ":" + (i + 1) + ": not a kernel profile (no column '" + needed
                                + "'; expected " + HEADER + ")");
                    }
                }
                continue;
            }
            try {
                int batch = column.containsKey("batch") ? Integer.parseInt(f[column.get("batch")].strip())
                        : BATCH_NOT_RECORDED;
                Integer rt = column.get("runtime_dense_ms");
                double runtimeDense = rt == null || rt >= f.length || f[rt].isBlank() ? Double.NaN
                        : Double.parseDouble(f[rt]);
                points.computeIfAbsent(batch, b -> new LinkedHashMap<>())
                        .computeIfAbsent(f[column.get("layer")].strip(), l -> new ArrayList<>())
                        .add(new MeasuredProfile.Point(Double.parseDouble(f[column.get("kept_fraction")]),
                                Double.parseDouble(f[column.get("dense_ms")]),
                                Double.parseDouble(f[column.get("sparse_ms")]), runtimeDense));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IOException(file + ":" + (i + 1) + ": cannot read '" + line + "' (" + e.getMessage() + ")");
            }
        }
        if (points.isEmpty()) {
            throw new IOException(file + ": no measurements");
        }
        Map<Integer, MeasuredProfile> byBatch = new TreeMap<>();
        String m = machine;
        points.forEach((batch, layers) -> {
            layers.values().forEach(l -> l.sort((a, b) -> Double.compare(a.keptFraction(), b.keptFraction())));
            byBatch.put(batch, new MeasuredProfile(m, layers));
        });
        return new MeasuredProfiles(machine, byBatch);
    }

    @Override
    public String toString() {
        return "MeasuredProfiles[" + machine + ", batches " + Arrays.toString(byBatch.keySet().toArray()) + "]";
    }
}
