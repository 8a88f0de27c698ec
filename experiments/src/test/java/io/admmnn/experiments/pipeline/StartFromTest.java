package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.projection.TopKSparsity;
import io.admmnn.dl4j.hook.AdmmPenalty;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.dl4j.session.AdmmSession;
import io.admmnn.experiments.zoo.ZooModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.ViewIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code startFrom}: a run that starts from the network an ADMM run saved takes its weights and trains without the
 * saved ADMM hooks, which are not bound to any session in the new run and would otherwise throw at the first step.
 */
class StartFromTest {

    @TempDir
    Path dir;

    @Test
    void aSavedAdmmRunsWeightsTrainWithoutItsHooks() throws Exception {
        MultiLayerNetwork mln = ZooModel.LENET_300_100.build(42, 1e-3);
        TrainableNetwork saved = TrainableNetwork.of(mln);
        Map<String, Projection> constraints = new LinkedHashMap<>();
        constraints.put("fc1", new TopKSparsity(0.5));
        AdmmSession.start(saved, "prune", constraints, RhoSchedule.fixed(1e-3), true);
        Path file = dir.resolve("model.zip");
        saved.save(file.toFile(), false);
        assertThat(SavedModels.load(file).layer("fc1").config().getRegularization())
                .as("the saved file keeps the session's hooks").anyMatch(AdmmPenalty.class::isInstance);

        TrainableNetwork started = ModelSource.of("lenet-300-100").loadSameArchitecture(file);

        assertThat(started.layer("fc1").config().getRegularization()).noneMatch(AdmmPenalty.class::isInstance);
        assertThat(((MultiLayerNetwork) started.model()).params()).isEqualTo(mln.params());
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 784);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 10);
        for (int i = 0; i < 64; i++) {
            y.putScalar(i, i % 10, 1f);
        }
        started.fitEpoch(new ViewIterator(new DataSet(x, y), 64));
        assertThat(((MultiLayerNetwork) started.model()).params()).as("trained a step").isNotEqualTo(mln.params());
    }
}
