package io.admmnn.experiments.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

class ShuffledBatchesTest {

    private static ImageDataset indexed(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return new ImageDataset("idx", Nd4j.create(x, new long[]{n, 1}), Nd4j.zeros(n, 2), 1, 1);
    }

    private static List<Integer> order(ShuffledBatches it) {
        List<Integer> seen = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            for (float f : ds.getFeatures().toFloatVector()) {
                seen.add((int) f);
            }
        }
        return seen;
    }

    @Test
    void pullRowsCopiesTheRowsNd4jWouldPull() {
        org.nd4j.linalg.api.ndarray.INDArray all = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 50, 7);
        int[] rows = {3, 0, 41, 17, 17, 29};
        for (org.nd4j.linalg.api.ndarray.INDArray source : List.of(all,
                all.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 45), org.nd4j.linalg.indexing.NDArrayIndex.all()),
                all.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE), all.dup('f'))) {
            assertThat(ShuffledBatches.pullRows(source, rows)).isEqualTo(Nd4j.pullRows(source, 1, rows));
        }
    }

    @Test
    void reusedBatchArraysHoldTheSameBatchesTakingTurns() {
        ImageDataset data = new ImageDataset("rand", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 23, 5),
                Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 23, 3), 1, 5);
        ShuffledBatches fresh = ShuffledBatches.training(data, 4, 9);
        ShuffledBatches reused = ShuffledBatches.training(data, 4, 9).reusingBatchArrays();
        List<DataSet> seen = new ArrayList<>();
        for (int epoch = 0; epoch < 2; epoch++) {
            fresh.setEpoch(epoch);
            reused.setEpoch(epoch);
            while (fresh.hasNext()) {
                DataSet expected = fresh.next();
                DataSet actual = reused.next();
                assertThat(actual.getFeatures()).isEqualTo(expected.getFeatures());
                assertThat(actual.getLabels()).isEqualTo(expected.getLabels());
                seen.add(actual);
            }
            assertThat(reused.hasNext()).isFalse();
        }
        assertThat(seen).hasSize(12); // 5 full batches and one of 3, twice
        // the previous batch keeps its values while the next is built; the one before that gives its arrays up
        assertThat(seen.get(1).getFeatures()).isNotSameAs(seen.get(0).getFeatures());
        assertThat(seen.get(2).getFeatures()).isSameAs(seen.get(0).getFeatures());
        assertThat(seen.get(2).getLabels()).isSameAs(seen.get(0).getLabels());
    }

    @Test
    void orderDependsOnlyOnSeedAndEpochAndCoversEveryExample() {
        ShuffledBatches a = ShuffledBatches.training(indexed(103), 10, 7);
        ShuffledBatches b = ShuffledBatches.training(indexed(103), 10, 7);
        a.setEpoch(3);
        b.setEpoch(3);
        List<Integer> first = order(a);
        assertThat(first).hasSize(103).doesNotHaveDuplicates();
        assertThat(order(b)).isEqualTo(first);
        a.reset();
        assertThat(order(a)).as("reset replays the epoch").isEqualTo(first);
        a.setEpoch(4);
        assertThat(order(a)).isNotEqualTo(first).containsExactlyInAnyOrderElementsOf(first);
        assertThat(a.batchesPerEpoch()).isEqualTo(11);
    }

    @Test
    void evaluationOrderIsFileOrder() {
        assertThat(order(ShuffledBatches.inOrder(indexed(25), 10))).isEqualTo(
                java.util.stream.IntStream.range(0, 25).boxed().toList());
    }
}
