package io.admmnn.experiments.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.projection.ChannelSparsity;
import io.admmnn.core.projection.ColumnSparsity;
import io.admmnn.core.projection.FilterSparsity;
import io.admmnn.core.projection.ZeroGroups;
import io.admmnn.core.tensor.NonZeros;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Distiller-style sparsity table of a pruned network: per layer the fraction of zero weights, of all-zero rows and
 * columns of its weight matrix, of all-zero filters and channels (conv), and its MACs dense and after pruning.
 *
 * <p>Matrix views: a dense layer's {@code W} is {@code [nIn, nOut]}, so a row is one input and a column one output
 * unit; a convolution's {@code [nOut, nIn, kH, kW]} is viewed as the im2col matrix {@code [nOut, nIn*kH*kW]}, so a
 * row is a filter and a column a kernel position {@code (c, kh, kw)} across all filters (as in
 * {@link ColumnSparsity}). MACs per image = weights x reuse (how often a weight is used per image: a convolution's
 * output positions, 1 for a dense layer), found by a forward pass of one example, so they hold for any network;
 * pruned MACs = reuse x non-zeros (zero-skipping hardware). Sparsities are fractions in [0, 1].
 */
public final class SparsityTable {

    /** File names in a results folder. */
    public static final String JSON_FILE = "sparsity.json";
    public static final String MARKDOWN_FILE = "sparsity.md";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SparsityTable() {
    }

    /**
     * One layer.
     *
     * @param layer       layer name
     * @param shape       weight shape in DL4J's layout
     * @param weights     weights of the layer
     * @param nonZeros    non-zero weights
     * @param elements    fraction of zero weights
     * @param rows        fraction of all-zero matrix rows (dense: inputs; conv: filters)
     * @param columns     fraction of all-zero matrix columns (dense: outputs; conv: kernel positions)
     * @param filters     conv: fraction of all-zero filters (equals {@code rows}); null for dense layers
     * @param channels    conv: fraction of all-zero input channels; null for dense layers
     * @param macsDense   multiply-accumulates per image dense, or null if the layer's reuse is unknown
     * @param macsPruned  multiply-accumulates per image on non-zero weights, or null likewise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Row(String layer, long[] shape, long weights, long nonZeros, double elements, double rows,
                      double columns, Double filters, Double channels, Long macsDense, Long macsPruned) {
    }

    /**
     * The row of one weight tensor.
     *
     * @param reuse uses of each weight per image (see {@link TrainableNetwork#weightReuse}), or null when unknown
     *              (then MACs are null)
     */
    public static Row row(String layer, INDArray w, Long reuse) {
        boolean conv = w.rank() == 4;
        long nonZeros = NonZeros.count(w);
        double filters = ZeroGroups.count(w, new FilterSparsity(0)).fraction();
        double channels = ZeroGroups.count(w, new ChannelSparsity(0)).fraction();
        double kernelColumns = ZeroGroups.count(w, new ColumnSparsity(0)).fraction();
        Long macs = reuse == null ? null : reuse * w.length();
        Long pruned = reuse == null ? null : reuse * nonZeros;
        return new Row(layer, w.shape(), w.length(), nonZeros, (double) (w.length() - nonZeros) / w.length(),
                conv ? filters : channels, conv ? kernelColumns : filters, conv ? filters : null,
                conv ? channels : null, macs, pruned);
    }

    /** Rows of every layer with weights; {@code example} is one input of the network's shape (values unused). */
    public static List<Row> of(TrainableNetwork net, INDArray example) {
        Map<String, Long> reuse = net.weightReuse(example);
        List<Row> rows = new ArrayList<>();
        for (ConstrainableLayer l : net.constrainableLayers()) {
            rows.add(row(l.name(), l.weights(), reuse.get(l.name())));
        }
        return rows;
    }

    /** Writes {@code sparsity.json} and {@code sparsity.md} into {@code dir}; returns the Markdown section. */
    public static String write(List<Row> rows, Path dir) throws IOException {
        AtomicFile.write(dir.resolve(JSON_FILE), temp -> JSON.writeValue(temp.toFile(), rows));
        String md = markdown(rows);
        AtomicFile.writeString(dir.resolve(MARKDOWN_FILE), md);
        return md;
    }

    /** The Markdown section ("## Sparsity per layer" and its table, totals last). */
    public static String markdown(List<Row> rows) {
        StringBuilder md = new StringBuilder("## Sparsity per layer\n\n")
                .append("Zero fraction of weights, of matrix rows and columns (dense `[nIn, nOut]`: rows = inputs, ")
                .append("columns = outputs; conv as im2col `[nOut, nIn*kH*kW]`: rows = filters, columns = kernel ")
                .append("positions), of conv filters and input channels; MACs per image, dense and on non-zero weights.\n\n")
                .append("| layer | shape | weights | non-zeros | elements | rows | columns | filters | channels | MACs dense | MACs pruned | MAC reduction |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        long weights = 0;
        long nonZeros = 0;
        long macs = 0;
        long pruned = 0;
        boolean allMacs = true;
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    r.layer(), Arrays.toString(r.shape()), r.weights(), r.nonZeros(), pct(r.elements()), pct(r.rows()),
                    pct(r.columns()), pct(r.filters()), pct(r.channels()), count(r.macsDense()), count(r.macsPruned()),
                    r.macsDense() == null ? "-" : reduction(r.macsDense(), r.macsPruned())));
            weights += r.weights();
            nonZeros += r.nonZeros();
            allMacs &= r.macsDense() != null;
            macs += r.macsDense() == null ? 0 : r.macsDense();
            pruned += r.macsPruned() == null ? 0 : r.macsPruned();
        }
        md.append(String.format(Locale.ROOT, "| **total** | | %d | %d | %s | | | | | %s | %s | %s |%n", weights, nonZeros,
                pct((double) (weights - nonZeros) / Math.max(1, weights)), allMacs ? count(macs) : "-",
                allMacs ? count(pruned) : "-", allMacs ? reduction(macs, pruned) : "-"));
        return md.toString();
    }

    private static String pct(Double fraction) {
        return fraction == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    private static String count(Long n) {
        return n == null ? "-" : String.format(Locale.ROOT, "%,d", n);
    }

    private static String reduction(long dense, long pruned) {
        return pruned == 0 ? "inf" : String.format(Locale.ROOT, "%.1fx", (double) dense / pruned);
    }
}
