package io.admmnn.experiments.pipeline;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/**
 * Follows one epoch of training: the mean training loss over its minibatches (the data loss; ADMM's penalty is
 * reported per round as residuals), a progress bar on an
 * interactive terminal, and divergence (a NaN or infinite objective stops the run at once).
 */
final class TrainingMonitor extends BaseTrainingListener {

    private final boolean showBar;
    private ProgressBar bar;
    private double sum;
    private long count;

    TrainingMonitor(boolean showBar) {
        this.showBar = showBar;
    }

    /** Starts counting a new epoch of {@code batches} minibatches. */
    void begin(String label, int batches) {
        sum = 0;
        count = 0;
        if (showBar) {
            bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(batches).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).continuousUpdate().build();
        }
    }

    /** Ends the epoch and returns its mean objective. */
    double end() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        double score = model.score();
        if (!Double.isFinite(score)) {
            if (bar != null) {
                bar.close();
                bar = null;
            }
            throw new DivergenceException("training diverged: objective is " + score + " at iteration " + iteration
                    + "; lower the learning rate or rho");
        }
        sum += score;
        count++;
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(String.format(" loss %.4f", sum / count));
        }
    }
}
