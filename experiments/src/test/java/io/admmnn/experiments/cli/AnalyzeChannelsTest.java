package io.admmnn.experiments.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.experiments.config.ExperimentFile;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.ProjectionSpec;
import io.admmnn.hardware.layer.NetworkShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code analyze channels}: the printed sections, pasted into an experiment file, load with the planned channels. */
class AnalyzeChannelsTest {

    @RegisterExtension
    final ConsoleCapture console = new ConsoleCapture();

    private static final Pattern ROW = Pattern.compile("\\| (\\w+) \\| (\\d+) / (\\d+) \\| (\\d+) \\| (\\d+) \\|");

    /** The experiment file of LeNet-5 at ~230x with its layers: and quantize: replaced by {@code sections}. */
    private static CompressionPlan load(String model, String sections) throws Exception {
        String file = Files.readString(Path.of("configs", "lenet-5-bops-admm.yaml"));
        String head = file.substring(0, file.indexOf("\nquantize:") + 1).replace("model: lenet-5", "model: " + model);
        return ExperimentFile.parse(head + sections, model + "-channels.yaml");
    }

    /** Layer -> {kept, total, b_w, b_a} from the printed table. */
    private static Map<String, int[]> rows(String out) {
        Map<String, int[]> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(out);
        while (m.find()) {
            rows.put(m.group(1), new int[]{Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5))});
        }
        return rows;
    }

    @Test
    void lenet5At230xPrintsChannelsThatTheExperimentFileKeeps() throws Exception {
        assertThat(AdmmNnCli.execute("analyze", "channels", "--model", "lenet-5", "--bops-reduction", "230",
                "--weight-bits", "4", "--activation-bits", "4")).isZero();
        String out = console.out();
        assertThat(out).contains("| conv1 | 10 / 20 | 4 | 4 | 144,000 | 2,304,000 |")
                .contains("| ip1 | 279 / 500 | 4 | 4 | 107,136 | 1,714,176 |")
                .contains("Total: 637,926 MACs, 10,206,816 BOPs: 230.0x fewer");
        String sections = out.substring(out.indexOf("layers:"));
        CompressionPlan plan = load("lenet-5", sections);
        assertThat(plan.pruningRatios()).containsExactly(Map.entry("conv1", 0.5), Map.entry("conv2", 0.52),
                Map.entry("ip1", 0.442), Map.entry("ip2", 0.0));
        assertThat(plan.projections().get("conv2")).isEqualTo(ProjectionSpec.of("filter"));
        assertThat(plan.quantize().bits()).containsOnlyKeys("conv1", "conv2", "ip1", "ip2").containsValue(4)
                .doesNotContainValue(8);
        assertThat(plan.quantize().activations().bits()).containsEntry("conv1", 4).containsEntry("ip2", 4);
    }

    @Test
    void vgg7QuarterWith8BitInputPixelsLoadsWithEveryLayersChannelsAndBits() throws Exception {
        assertThat(AdmmNnCli.execute("analyze", "channels", "--model", "vgg-7-quarter", "--bops-reduction", "200",
                "--first-layer-activation-bits", "8")).isZero();
        String out = console.out();
        Map<String, int[]> rows = rows(out);
        assertThat(rows.keySet()).containsExactlyElementsOf(NetworkShape.vgg7Quarter().layers().stream()
                .map(l -> l.name()).toList());
        CompressionPlan plan = load("vgg-7-quarter", out.substring(out.indexOf("layers:")));
        rows.forEach((layer, r) -> {
            double ratio = plan.pruningRatios().get(layer);
            assertThat(Math.round((1 - ratio) * r[1])).as(layer + ": filter pruning keeps the planned channels")
                    .isEqualTo(r[0]);
            assertThat(plan.quantize().bits().get(layer)).as(layer).isEqualTo(r[2]);
            assertThat(plan.quantize().activations().bits().get(layer)).as(layer).isEqualTo(r[3]);
        });
        assertThat(rows.get("conv1")[3]).isEqualTo(8);
        assertThat(rows.get("fc8")[0]).isEqualTo(10);
    }

    @Test
    void printedRatiosKeepThePlannedChannels() {
        assertThat(AnalyzeCommand.Channels.ratioText(18, 32)).isEqualTo("0.4375");
        assertThat(AnalyzeCommand.Channels.ratioText(279, 500)).isEqualTo("0.442");
        assertThat(AnalyzeCommand.Channels.ratioText(73, 128)).isEqualTo("0.43"); // 0.4296875 in full
        for (int total = 2; total <= 600; total++) {
            for (int kept = 1; kept < total; kept++) {
                double ratio = Double.parseDouble(AnalyzeCommand.Channels.ratioText(kept, total));
                assertThat(Math.round((1 - ratio) * total)).as(kept + " of " + total).isEqualTo(kept);
            }
        }
    }

    @Test
    void unreachableTargetsAndGroupedConvolutionsAreOneLineUserErrors() {
        assertThat(AdmmNnCli.execute("analyze", "channels", "--model", "lenet-5", "--bops-reduction", "5000")).isEqualTo(2);
        assertThat(console.err()).contains("error: lenet-5: a BOPs reduction of 5000x is out of reach")
                .contains("the most is 2977x").doesNotContain("\tat ");
        assertThat(AdmmNnCli.execute("analyze", "channels", "--model", "alexnet", "--bops-reduction", "10")).isEqualTo(2);
        assertThat(console.err()).contains("conv2: grouped convolutions are not modelled");
        assertThat(AdmmNnCli.execute("analyze", "channels", "--model", "lenet-5", "--bops-reduction", "10",
                "--weight-bits", "17")).isEqualTo(2);
        assertThat(console.err()).contains("bits must be in [1, 16], was 17");
    }
}
