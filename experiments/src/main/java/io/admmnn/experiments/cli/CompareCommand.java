package io.admmnn.experiments.cli;

import io.admmnn.core.io.AtomicFile;
import io.admmnn.core.tensor.FlatValues;
import io.admmnn.dl4j.format.CompressedModelFile;
import io.admmnn.dl4j.network.TrainableNetwork;
import io.admmnn.experiments.bench.BackendInfo;
import io.admmnn.experiments.data.DatasetId;
import io.admmnn.experiments.inference.ComparisonReport;
import io.admmnn.experiments.inference.InferenceComparison;
import io.admmnn.experiments.inference.MeasuredKernelPolicy;
import io.admmnn.experiments.inference.ProjectScripts;
import io.admmnn.experiments.inference.RuntimeAccuracy;
import io.admmnn.experiments.inference.TorchNetworkSpec;
import io.admmnn.experiments.pipeline.Provenance;
import io.admmnn.experiments.pipeline.RunRecord;
import io.admmnn.runtime.model.CompressedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code admm-nn compare DIR}: batch-1 latency and batch-64 throughput of the dense DL4J network, admm-runtime on
 * model.admmnn and PyTorch's dense equivalent, in one run; writes compare.md, latency.png and throughput.png.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Inference speed of a results folder's network three ways, in one run: the dense DL4J network "
                + "(read back from model.admmnn), admm-runtime on model.admmnn, and PyTorch's dense equivalent with the "
                + "same weights (scripts/infer_torch.py, Debian's python3-torch): batch-1 latency and batch-N "
                + "throughput, one thread each by default; writes compare.md, latency.png and throughput.png.")
final class CompareCommand implements Callable<Integer> {

    @Mixin
    RunModelOptions run = new RunModelOptions(64);


    @Option(names = "--samples", description = "timed samples per measurement, the median is kept (default "
            + "${DEFAULT-VALUE})")
    int samples = 31;

    @Option(names = "--threads", description = "PyTorch's threads: torch.set_num_threads, OMP_NUM_THREADS, "
            + "OPENBLAS_NUM_THREADS, MKL_NUM_THREADS (default ${DEFAULT-VALUE}; ours: OMP_NUM_THREADS, which "
            + "scripts/admm-nn sets to 1)")
    int threads = 1;

    @Option(names = "--skip-torch", description = "time DL4J and admm-runtime only")
    boolean skipTorch;

    @Option(names = "--python", description = "the Python with PyTorch (default ${DEFAULT-VALUE})")
    String python = ProjectScripts.DEFAULT_PYTHON;

    @Option(names = "--out", description = "report folder (default: results/compare/<the folder's name>)")
    Path out;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (run.batch < 1 || samples < 1 || threads < 1) {
            throw new IllegalArgumentException("--batch, --samples and --threads must be >= 1");
        }
        if (!skipTorch) {
            requireTorch(python);
        }
        String command = CommandLineText.of(spec);
        RunRecord rec = run.record();
        Path folder = run.folder;
        Path file = run.modelFile();
        TrainableNetwork network = CompressedModelFile.read(file);
        if (!(network.model() instanceof MultiLayerNetwork net)) {
            throw new IllegalArgumentException(file + " holds a ComputationGraph; compare runs MultiLayerNetworks");
        }
        MeasuredKernelPolicy one = run.policy(1);
        MeasuredKernelPolicy many = run.policy(run.batch);
        CompressedModel single = CompressedModel.load(file, one.policy());
        CompressedModel batched = CompressedModel.load(file, many.policy());

        DatasetId dataset = run.dataset();
        DataSetIterator first = run.testBatches(run.batch);
        first.reset();
        DataSet ds = first.next();
        int n = (int) ds.getFeatures().size(0);
        float[] inputs = FlatValues.readFloats(ds.getFeatures().dup('c'));
        System.out.println("timing " + n + " test images at batch 1 and batch " + n + ", " + samples
                + " samples each ...");

        InferenceComparison.Side dl4j = InferenceComparison.dl4j(net, inputs, n, samples);
        InferenceComparison.Side runtime = InferenceComparison.runtime(single, batched, inputs, n, samples);
        List<InferenceComparison.Side> sides = new ArrayList<>(List.of(dl4j, runtime));
        int[] dl4jClasses = InferenceComparison.argMax(FlatValues.readFloats(net.output(
                ds.getFeatures(), false).dup('c')), n);
        int[] runtimeClasses = batched.classify(inputs, n);
        List<String> checks = new ArrayList<>();
        checks.add(agreement("admm-runtime", runtimeClasses, dl4jClasses));
        InferenceComparison.TorchResult torch = null;
        if (!skipTorch) {
            Path specDir = Files.createTempDirectory("admm-nn-compare-");
            try {
                TorchNetworkSpec.write(net, inputs, n, specDir);
                torch = InferenceComparison.torch(python, specDir, threads, samples);
            } finally {
                deleteTree(specDir);
            }
            sides.add(torch.side());
            checks.add(agreement("PyTorch (same weights)", torch.classes(), dl4jClasses));
        }
        List<InferenceComparison.LayerTime> profile = InferenceComparison.runtimeProfile(single, batched, inputs, n,
                samples);

        checks.add("admm-runtime's " + run.accuracyLine(RuntimeAccuracy.of(batched, run.testBatches(100))));

        Map<String, String> backend = BackendInfo.summary();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("model", "`" + file + "` (" + rec.plan.model() + ", " + single.layers().stream()
                .filter(l -> l.kernel().isPresent()).mapToLong(l -> l.nonZeros()).sum() + " non-zero weights)");
        facts.put("inputs", "the first " + n + " " + dataset.id() + " test images");
        facts.put("admm-runtime kernels", one.description().replace("kernel policy: ", "batch 1: ")
                + (run.kernelProfile == null ? "" : "; batch " + run.batch + ": " + many.description()
                .replace("kernel policy: ", "")));
        facts.put("DL4J", "MultiLayerNetwork.output(x, false), network read back from model.admmnn; "
                + io.admmnn.dl4j.speed.NativeBackend.describe(network).replace("training path: ", ""));
        facts.put("threads", "ours: ND4J OpenMP threads " + backend.get("omp-threads") + ", BLAS threads "
                + backend.get("blas-threads") + ", admm-runtime single-threaded; PyTorch: " + (skipTorch ? "not run"
                : threads + " (torch.set_num_threads, OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS); "
                + "torch reports " + torch.info().getOrDefault("torch-threads", "?") + " threads, BLAS threads "
                + torch.info().getOrDefault("blas-threads", "?")));
        facts.put("BLAS (ours)", backend.get("blas-vendor") + ", " + ProjectScripts.openBlasCores(
                BackendInfo.mappedBlas(), python) + "; environment " + (backend.get("env").isEmpty() ? "none set"
                : "`" + backend.get("env") + "`"));
        if (torch != null) {
            facts.put("PyTorch", "torch " + torch.info().getOrDefault("torch-version", "?") + ", MKL "
                    + torch.info().getOrDefault("torch-mkl", "?") + ", oneDNN " + torch.info().getOrDefault(
                    "torch-mkldnn", "?") + "; eval mode, torch.inference_mode(); same weights as DL4J");
            facts.put("BLAS (PyTorch)", torch.info().getOrDefault("blas-kind", "?") + ", "
                    + torch.info().getOrDefault("blas-path", "?") + ", core " + torch.info().getOrDefault("blas-core",
                    "?"));
        }
        facts.put("timing", "batch-1 latency: median of " + samples + " samples of single-image calls cycling over "
                + "the inputs, after warm-up until the time per call is steady (a sample: as many calls in a row as last "
                + "about 2 ms); batch-" + n
                + " throughput: " + n + " / median time of one call on all inputs; the same method on both sides");
        if (!skipTorch && !Integer.toString(threads).equals(backend.get("omp-threads"))) {
            facts.put("WARNING", "PyTorch ran at " + threads + " threads, ND4J at " + backend.get("omp-threads")
                    + " OpenMP threads (set OMP_NUM_THREADS for ours)");
        }
        ComparisonReport.Contents contents = new ComparisonReport.Contents(
                "Inference speed: DL4J dense vs admm-runtime vs PyTorch dense, " + folder.getFileName(),
                Provenance.collect(command, 0), facts, sides, runtime, torch == null ? null : torch.side(),
                ComparisonReport.Target.of(rec.plan.model()), checks, profile);
        String md = ComparisonReport.markdown(contents);
        Path outDir = out != null ? out : Path.of("results", "compare", folder.toAbsolutePath().normalize()
                .getFileName().toString());
        Files.createDirectories(outDir);
        AtomicFile.writeString(outDir.resolve("compare.md"), md);
        AtomicFile.writeBytes(outDir.resolve("latency.png"), ComparisonReport.chartPng("Batch-1 latency (median)",
                "milliseconds", sides, InferenceComparison.Side::batch1Millis));
        AtomicFile.writeBytes(outDir.resolve("throughput.png"), ComparisonReport.chartPng("Batch-" + n
                + " throughput", "images per second", sides, InferenceComparison.Side::throughput));
        System.out.println(md);
        System.out.println("report: " + outDir.resolve("compare.md"));
        return 0;
    }

    /** Fails in one line when {@code python} cannot import torch. */
    static void requireTorch(String python) throws IOException {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() == 0) {
                return;
            }
        } catch (IOException e) {
            // not found: the same answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalArgumentException("PyTorch not found for " + python + "; install it with: apt-get install "
                + "python3-torch libopenblas0-pthread (or run with --skip-torch)");
    }

    private static String agreement(String who, int[] classes, int[] reference) {
        int same = 0;
        for (int i = 0; i < Math.min(classes.length, reference.length); i++) {
            same += classes[i] == reference[i] ? 1 : 0;
        }
        return String.format(Locale.ROOT, "%s: predicted classes agree with DL4J's on %d/%d timed images", who, same,
                reference.length);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
