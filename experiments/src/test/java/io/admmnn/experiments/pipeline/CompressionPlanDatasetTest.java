package io.admmnn.experiments.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.admmnn.experiments.zoo.ZooModel;
import org.junit.jupiter.api.Test;

class CompressionPlanDatasetTest {

    @Test
    void datasetTravelsThroughTheRunRecordAndOldRecordsMeanMnist() {
        CompressionPlan plan = CompressionPlan.preset("quick", ZooModel.LENET_5).withDataset("Fashion_MNIST");
        assertThat(plan.dataset()).isEqualTo("fashion-mnist");
        RunRecord rec = new RunRecord();
        rec.plan = plan;
        String json = rec.toJson();
        assertThat(json).contains("\"dataset\" : \"fashion-mnist\"");
        RunRecord back = RunRecord.fromJson(json);
        assertThat(back.plan).isEqualTo(plan);
        // A report.json / checkpoint written before --dataset existed has no "dataset": it ran on MNIST.
        RunRecord old = RunRecord.fromJson(json.replace("\"dataset\" : \"fashion-mnist\",", ""));
        assertThat(old.plan.dataset()).isEqualTo("mnist");
        assertThat(CompressionPlan.preset("quick", ZooModel.LENET_5).dataset()).isEqualTo("mnist");
        assertThatThrownBy(() -> plan.withDataset("imagenet")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown data set 'imagenet'");
    }
}
