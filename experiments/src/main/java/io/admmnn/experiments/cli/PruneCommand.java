package io.admmnn.experiments.cli;

import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.pipeline.CompressionPipeline;
import io.admmnn.experiments.pipeline.CompressionPlan;
import io.admmnn.experiments.pipeline.ModelSource;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.experiments.report.PruningReport;
import io.admmnn.experiments.zoo.ZooModel;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code admm-nn prune}: pretrain, ADMM-prune, hard-prune and retrain a built-in model or the user's saved network on
 * MNIST, Fashion-MNIST or an image folder.
 */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune a built-in or your own saved network on MNIST, Fashion-MNIST or an image folder: pretrain -> ADMM rounds -> hard projection -> masked retraining. "
                + "Writes report.md, report.json, charts and the pruned model into the output folder.")
final class PruneCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger("admm-nn");

    @Option(names = "--model", description = "lenet-300-100, lenet-5, vgg-7-quarter, alexnet, or your own saved network (a DL4J "
            + "model zip or .admmnn file; needs --ratio or --plan, and starts from its weights: no pretraining unless "
            + "--pretrain-epochs) (default: ${DEFAULT-VALUE})", defaultValue = "lenet-300-100")
    String model;

    @Option(names = "--dataset", description = "mnist, fashion-mnist, or image-folder (AlexNet: --data-dir holds "
            + "train/<class>/*.jpg and val/<class>/*.jpg) (default: image-folder for alexnet, else mnist)")
    String dataset;

    @Option(names = "--preset", description = "quick (minutes, a first look) or full (the reported run) (default: ${DEFAULT-VALUE})",
            defaultValue = "quick")
    String preset;

    @Option(names = "--out", description = "results folder (default: results/runs/<model>-<preset>-<time>)")
    Path out;

    @Option(names = "--start-from", description = "start from this saved network of the model's architecture instead of "
            + "random weights: a results folder, model.zip or model.admmnn (e.g. quantize a pruned run with "
            + "--pretrain-epochs 0 --admm-rounds 0 --retrain-epochs 0 --quantize ...)")
    Path startFrom;

    @Option(names = "--seed", description = "seed of weight initialisation and data order")
    Long seed;

    @Option(names = "--ratio", description = "pruning ratio of a layer, e.g. --ratio fc1=0.98 (repeatable; replaces the preset's ratios)")
    Map<String, Double> ratios;

    @Option(names = "--plan", description = "take the pruning ratios from a plan.json written by `admm-nn hardware plan`")
    Path planFile;

    @Option(names = "--train-limit", description = "use only the first N training images (0 = all)")
    Integer trainLimit;

    @Option(names = "--test-limit", description = "evaluate on the first N test images (0 = all)")
    Integer testLimit;

    @Option(names = "--pretrain-epochs", description = "override the preset's pretraining epochs")
    Integer pretrainEpochs;

    @Option(names = "--admm-rounds", description = "override the preset's number of ADMM rounds")
    Integer admmRounds;

    @Option(names = "--epochs-per-round", description = "override the preset's epochs per ADMM round")
    Integer epochsPerRound;

    @Option(names = "--retrain-epochs", description = "override the preset's masked retraining epochs")
    Integer retrainEpochs;

    @Option(names = "--rho", description = "override the preset's initial rho")
    Double rho;

    @Option(names = "--rho-growth", description = "override the preset's rho growth per round")
    Double rhoGrowth;

    @Option(names = "--stages", description = "override the preset's number of progressive pruning stages")
    Integer stages;

    @Option(names = "--stage-retrain-epochs", description = "override the preset's retraining epochs after each intermediate stage")
    Integer stageRetrainEpochs;

    @Option(names = "--rho-max", description = "override the preset's cap on rho")
    Double rhoMax;

    @Option(names = "--pretrain-lr", description = "override the preset's pretraining learning rate")
    Double pretrainLr;

    @Option(names = "--admm-lr", description = "override the preset's ADMM learning rate")
    Double admmLr;

    @Option(names = "--retrain-lr", description = "override the preset's retraining learning rate")
    Double retrainLr;

    @Option(names = "--retrain-lr-decay", description = "override the preset's retraining learning-rate factor per epoch")
    Double retrainLrDecay;

    @Option(names = "--quantize", description = "quantize a layer's surviving weights to this many bits after pruning, "
            + "e.g. --quantize conv1=3 (repeatable; adds the quantization stage)")
    Map<String, Integer> quantizeBits;

    @Option(names = "--quant-rounds", description = "ADMM rounds of the quantization stage (0 = round to nearest, no ADMM) (default: ${DEFAULT-VALUE})",
            defaultValue = "" + CompressionPlan.Quantize.DEFAULT_ROUNDS)
    int quantRounds;

    @Option(names = "--quant-epochs-per-round", description = "epochs per quantization ADMM round (default: ${DEFAULT-VALUE})",
            defaultValue = "" + CompressionPlan.Quantize.DEFAULT_EPOCHS_PER_ROUND)
    int quantEpochsPerRound;

    @Option(names = "--quant-lr", description = "learning rate of the quantization stage (default: ${DEFAULT-VALUE})",
            defaultValue = "" + CompressionPlan.Quantize.DEFAULT_LEARNING_RATE)
    double quantLr;

    @Option(names = "--quant-rho", description = "initial rho of the quantization stage, x1.5 per round (default: ${DEFAULT-VALUE})",
            defaultValue = "" + CompressionPlan.Quantize.DEFAULT_RHO)
    double quantRho;

    @Option(names = "--quant-epochs-per-freeze", description = "retraining epochs after each progressive snap (default: ${DEFAULT-VALUE})",
            defaultValue = "" + CompressionPlan.Quantize.DEFAULT_EPOCHS_PER_FREEZE)
    int quantEpochsPerFreeze;

    @Option(names = "--quant-retrain-lr", description = "learning rate of the quantized retraining epochs (default: --quant-lr)")
    Double quantRetrainLr;

    @Option(names = "--activation-bits", description = "with --quantize: fake-quantize a layer's input activations to "
            + "this many bits from the quantization stage on, e.g. --activation-bits ip1=4 (repeatable)")
    Map<String, Integer> activationBits;

    @Option(names = "--activation-percentile", description = "with --activation-bits: the range is this percentile of "
            + "the layer's input magnitudes on the calibration batches (default: ${DEFAULT-VALUE})",
            defaultValue = "" + CompressionPlan.Activations.DEFAULT_PERCENTILE)
    double activationPercentile;

    @Option(names = "--conv-index-bits", description = "relative index bits of conv layers in model.admmnn (default: preset, 8)")
    Integer convIndexBits;

    @Option(names = "--fc-index-bits", description = "relative index bits of fully connected layers in model.admmnn (default: preset, 5)")
    Integer fcIndexBits;

    @Option(names = "--image-size", description = "image folder: HEIGHTxWIDTH your network takes, e.g. 32x32 (default: "
            + "read from the network; AlexNet 227x227)")
    String imageSize;

    @Option(names = "--image-resize", description = "image folder: crop (scale the shorter side to --image-scale-to, "
            + "keep the centre) or stretch (scale to exactly the size, aspect ratio lost) (default: crop)")
    String imageResize;

    @Option(names = "--image-scale-to", description = "image folder, crop: shorter side in pixels before the centre "
            + "crop (default: the larger of height and width; AlexNet 256)")
    Integer imageScaleTo;

    @Option(names = "--image-normalization", description = "image folder: unit (values / 255, in [0, 1]), caffe "
            + "(ImageNet mean subtracted, 0..255) or mean-std (with --image-mean, --image-std) (default: unit for your "
            + "network, caffe for AlexNet)")
    String imageNormalization;

    @Option(names = "--image-mean", split = ",", description = "image folder, mean-std: mean per channel in [0, 1] "
            + "units, e.g. 0.49,0.48,0.45 (one value for grey)")
    java.util.List<Double> imageMean;

    @Option(names = "--image-std", split = ",", description = "image folder, mean-std: standard deviation per channel in "
            + "[0, 1] units, e.g. 0.25,0.24,0.26")
    java.util.List<Double> imageStd;

    @picocli.CommandLine.Mixin
    PipelineOptions pipelineOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelSource source = ModelSource.of(model);
        CompressionPlan plan = plan(source);
        Path folder = out != null ? out : Path.of("results", "runs", source.name() + "-" + preset.toLowerCase(Locale.ROOT)
                + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        String command = CommandLineText.of(spec);
        LOG.info("{} on {} ({} preset) -> {}", source.id(), plan.dataset(), preset, folder);
        CompressionPipeline pipeline = pipelineOptions.pipeline(folder);
        return report(pipeline.run(plan, command), folder);
    }

    /** The pipeline writing into {@code folder}, logging to the console. */

    /** Writes and prints the report of a finished run. */
    static int report(RunRecord rec, Path folder) throws java.io.IOException {
        String md = PruningReport.write(rec, folder);
        System.out.println();
        System.out.println(md);
        LOG.info("report: {}", folder.resolve("report.md"));
        if (!rec.layersOutsideTheirSets().isEmpty()) {
            LOG.warn("the final model is NOT in its constraint sets: {}", String.join(", ", rec.layersOutsideTheirSets()));
        }
        return 0;
    }

    private CompressionPlan plan(ModelSource source) throws java.io.IOException {
        boolean alexnet = source instanceof ModelSource.BuiltIn b && b.model() == ZooModel.ALEXNET;
        String set = dataset != null ? dataset : alexnet ? DatasetId.IMAGE_FOLDER.id() : DatasetId.MNIST.id();
        if (planFile != null && ratios != null && !ratios.isEmpty()) {
            throw new IllegalArgumentException("give either --plan or --ratio, not both");
        }
        Map<String, Double> given = planFile != null ? HardwareCommand.readPlanRatios(planFile)
                : ratios != null && !ratios.isEmpty() ? new LinkedHashMap<>(ratios) : null;
        CompressionPlan p = source instanceof ModelSource.BuiltIn b ? CompressionPlan.preset(preset, b.model())
                : savedModelPlan(source, given);
        p = p.withDataset(DatasetId.byId(set).id());
        if (given != null) {
            p = p.withRatios(given);
        }
        if (startFrom != null) {
            p = p.withStartFrom(startFrom.toString());
        }
        if (seed != null) {
            p = p.withSeed(seed);
        }
        if (trainLimit != null || testLimit != null) {
            p = p.withLimits(trainLimit != null ? trainLimit : p.trainLimit(), testLimit != null ? testLimit : p.testLimit());
        }
        var pre = p.pretrain();
        var admm = p.admm();
        var re = p.retrain();
        pre = new CompressionPlan.Training(or(pretrainEpochs, pre.epochs()), or(pretrainLr, pre.learningRate()),
                pre.learningRateDecay());
        re = new CompressionPlan.Training(or(retrainEpochs, re.epochs()), or(retrainLr, re.learningRate()),
                or(retrainLrDecay, re.learningRateDecay()));
        double r = or(rho, admm.rho());
        admm = new CompressionPlan.Admm(or(admmRounds, admm.rounds()), or(epochsPerRound, admm.epochsPerRound()),
                or(admmLr, admm.learningRate()), r, or(rhoGrowth, admm.rhoGrowth()),
                rhoMax != null ? rhoMax : Math.max(admm.rhoMax(), r), admm.rescaleDual(), or(stages, admm.stages()),
                or(stageRetrainEpochs, admm.stageRetrainEpochs()));
        p = p.withPhases(pre, admm, re);
        if (quantizeBits != null && !quantizeBits.isEmpty()) {
            p = p.withQuantize(new CompressionPlan.Quantize(new LinkedHashMap<>(quantizeBits), quantRounds,
                    quantEpochsPerRound, quantLr, quantRho, CompressionPlan.Quantize.DEFAULT_RHO_GROWTH,
                    CompressionPlan.Quantize.defaultRhoMax(quantRho), CompressionPlan.Quantize.DEFAULT_FREEZE_FRACTIONS,
                    quantEpochsPerFreeze, quantRetrainLr));
            if (activationBits != null && !activationBits.isEmpty()) {
                p = p.withQuantize(p.quantize().withActivations(new CompressionPlan.Activations(
                        new LinkedHashMap<>(activationBits), activationPercentile,
                        CompressionPlan.Activations.DEFAULT_CALIBRATION_BATCHES)));
            }
        } else if (activationBits != null && !activationBits.isEmpty()) {
            throw new IllegalArgumentException("--activation-bits needs the quantization stage: add --quantize");
        }
        if (imageSize != null || imageResize != null || imageScaleTo != null || imageNormalization != null
                || imageMean != null || imageStd != null) {
            p = p.withImages(new CompressionPlan.Images(imageSize, imageResize, imageScaleTo, imageNormalization,
                    imageMean, imageStd));
        }
        if (convIndexBits != null || fcIndexBits != null) {
            p = p.withStorage(new CompressionPlan.Storage(or(convIndexBits, p.storage().convIndexBits()),
                    or(fcIndexBits, p.storage().fcIndexBits())));
        }
        return p;
    }

    /**
     * The quick schedule for the user's own network: its saved weights are the dense model (no pretraining), and
     * the ratios must be given, there being no default for an unknown architecture.
     */
    private CompressionPlan savedModelPlan(ModelSource source, Map<String, Double> given) {
        if (!"quick".equals(preset.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--preset " + preset + " is tuned for the built-in models; for your own "
                    + "network use the quick schedule with the phase options, or an experiment file (admm-nn run)");
        }
        if (given == null) {
            throw new IllegalArgumentException(source.id() + " needs pruning ratios: --ratio <layer>=<ratio> for each "
                    + "layer to prune, or --plan; its layers (weights): " + source.weightCounts());
        }
        CompressionPlan quick = CompressionPlan.quick(source.id(), given);
        return quick.withPhases(new CompressionPlan.Training(0, quick.pretrain().learningRate(),
                quick.pretrain().learningRateDecay()), quick.admm(), quick.retrain());
    }

    private static <T> T or(T override, T preset) {
        return override != null ? override : preset;
    }
}
