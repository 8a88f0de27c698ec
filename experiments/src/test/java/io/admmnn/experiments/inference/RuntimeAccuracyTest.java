package io.admmnn.experiments.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.runtime.kernel.KernelKind;
import io.admmnn.runtime.layer.Layer;
import io.admmnn.runtime.model.CompressedModel;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * admm-runtime's MNIST test accuracy on committed runs' model.admmnn equals the accuracy DL4J measured on the
 * file read back ({@code accuracy.fromCompressedFile} in report.json), over the same test images.
 */
class RuntimeAccuracyTest {

    @ParameterizedTest
    @ValueSource(strings = {"lenet-5-low-rho-40-rounds-176x", "lenet-5-quantize-4-4-3-4"})
    void runtimeAccuracyEqualsTheRunsReadBackAccuracy(String run) throws Exception {
        Path folder = Path.of("..", "results", run);
        RunRecord rec = RunRecord.read(folder);
        CompressedModel model = CompressedModel.load(folder.resolve(CompressionPipeline.COMPRESSED_MODEL));
        DatasetId mnist = DatasetId.byId(rec.plan.dataset());
        Path dir = mnist.ensureAvailable(mnist.defaultDirectory(), line -> { });

        RuntimeAccuracy result = RuntimeAccuracy.of(model, mnist.testBatches(dir, rec.plan.testLimit(), 500, 10));

        assertThat(result.total()).isEqualTo(rec.testImages);
        assertThat(result.accuracy()).isEqualTo(rec.accuracy.get(RunRecord.FROM_COMPRESSED_FILE));
        // These runs keep few weights: the provisional policy runs ip1, the largest layer, sparse.
        assertThat(model.layers().stream().filter(l -> l.name().equals("ip1")).findFirst().flatMap(Layer::kernel))
                .contains(KernelKind.SPARSE);
    }
}
