package io.admmnn.experiments.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * One resumable unit of a run: an epoch, an ADMM round, a hard projection, a progressive snap, or a DJPQ epoch
 * (joint training, or fine-tuning with the pruned channels removed).
 *
 * @param kind  what the step does
 * @param stage pruning stage (progressive pruning), or freeze step index for snaps and quantized retraining
 * @param index position within its phase (epoch or round number, 0-based)
 * @param of    length of its phase
 */
record Step(Kind kind, int stage, int index, int of) {

    enum Kind { PRETRAIN, PRUNE_ROUND, HARD_PRUNE, RETRAIN, QUANT_ROUND, SNAP, QUANT_RETRAIN, DJPQ_TRAIN, DJPQ_FINETUNE }

    /** The steps of a plan, in order. */
    static List<Step> of(CompressionPlan plan) {
        List<Step> steps = new ArrayList<>();
        add(steps, Kind.PRETRAIN, 0, plan.pretrain().epochs());
        if (plan.usesDjpq()) {
            add(steps, Kind.DJPQ_TRAIN, 0, plan.djpq().epochs());
            add(steps, Kind.DJPQ_FINETUNE, 0, plan.djpq().finetune().epochs());
            return steps;
        }
        CompressionPlan.Admm admm = plan.admm();
        for (int s = 0; s < admm.stages(); s++) {
            add(steps, Kind.PRUNE_ROUND, s, admm.rounds());
            steps.add(new Step(Kind.HARD_PRUNE, s, 0, 1));
            add(steps, Kind.RETRAIN, s, s == admm.stages() - 1 ? plan.retrain().epochs() : admm.stageRetrainEpochs());
        }
        CompressionPlan.Quantize q = plan.quantize();
        if (q != null) {
            add(steps, Kind.QUANT_ROUND, 0, q.rounds());
            for (int f = 0; f < q.freezeFractions().size(); f++) {
                steps.add(new Step(Kind.SNAP, f, 0, 1));
                if (f < q.freezeFractions().size() - 1) {
                    add(steps, Kind.QUANT_RETRAIN, f, q.epochsPerFreeze());
                }
            }
        }
        return steps;
    }

    private static void add(List<Step> steps, Kind kind, int stage, int count) {
        for (int i = 0; i < count; i++) {
            steps.add(new Step(kind, stage, i, count));
        }
    }

    boolean isLastOfPhase() {
        return index == of - 1;
    }
}
