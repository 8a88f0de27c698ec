package io.admmnn.dl4j.session;

import io.admmnn.core.admm.AdmmSolver;
import io.admmnn.core.admm.AdmmVariable;
import io.admmnn.core.admm.Residuals;
import io.admmnn.core.admm.RhoSchedule;
import io.admmnn.core.projection.Projection;
import io.admmnn.core.tensor.NonZeros;
import io.admmnn.dl4j.hook.AdmmPenalty;
import io.admmnn.dl4j.hook.LayerHooks;
import io.admmnn.dl4j.hook.PrunedWeightMask;
import io.admmnn.dl4j.network.ConstrainableLayer;
import io.admmnn.dl4j.network.TrainableNetwork;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * ADMM compression of a DL4J network: constraint sets on named layers, the ADMM rounds, the hard projection
 * and the masked retraining that follows, with the whole state saved inside the model zip.
 *
 * <p>Life cycle: {@link #start} (Z = Proj(W), U = 0, penalty hooks on), any number of {@link #runRound}
 * (W-step supplied by the caller, typically epochs of {@code fit}; then Z/U update), {@link #hardProject}
 * (W = Proj(W); zeros frozen by a mask; penalty off), then ordinary training is masked retraining. A later
 * {@link #beginAdmm} starts a second ADMM stage (e.g. quantization) with the earlier zeros still frozen.
 *
 * <p>The hooks are two DL4J regularizations per constrained layer ({@link AdmmPenalty} before the
 * updater, {@link PrunedWeightMask} after it), appended to the layer's configuration, which DL4J reads on
 * every update, and a {@link PrunedWeightMask} on the bias, which freezes the biases of output units that a set
 * {@link Projection#prunesOutputUnits removing whole units} removed at zero; their JSON holds only the layer key,
 * rho and whether the mask is b's.
 */
public final class AdmmSession {

    /** Object name of the session state inside the model zip. */
    public static final String STATE_ENTRY = "admm-session";

    private final TrainableNetwork network;
    private final Map<String, ConstrainableLayer> layers;
    private final Map<String, LayerHooks> hooks;
    private String stage;
    private AdmmSolver solver;
    private Map<String, Projection> projections;
    private RhoSchedule schedule;
    private boolean rescaleDual;
    private int round;

    private AdmmSession(TrainableNetwork network, Map<String, ConstrainableLayer> layers) {
        this.network = network;
        this.layers = Collections.unmodifiableMap(layers);
        this.hooks = new LinkedHashMap<>();
        layers.forEach((name, layer) -> hooks.put(name, installHooks(layer)));
    }

    /**
     * Starts ADMM on the layers named in {@code constraints}.
     *
     * @param stage       a label for reports and checkpoints, e.g. "prune"
     * @param constraints constraint set per layer name; a name that is not a layer with weights is an error
     * @param schedule    rho per round
     * @param rescaleDual whether U is rescaled when rho changes
     */
    public static AdmmSession start(TrainableNetwork network, String stage, Map<String, Projection> constraints,
                                    RhoSchedule schedule, boolean rescaleDual) {
        AdmmSession session = new AdmmSession(network, resolve(network, constraints.keySet()));
        session.beginAdmm(stage, constraints, schedule, rescaleDual);
        return session;
    }

    /**
     * Begins a new ADMM stage on a subset of this session's layers (each keeps its current mask, so
     * weights frozen at zero by an earlier stage stay frozen).
     */
    public void beginAdmm(String stage, Map<String, Projection> constraints, RhoSchedule schedule,
                          boolean rescaleDual) {
        requireNoAdmm();
        constraints.keySet().forEach(this::sessionLayer);
        this.stage = stage;
        this.projections = new LinkedHashMap<>();
        layers.keySet().stream().filter(constraints::containsKey).forEach(n -> projections.put(n, constraints.get(n)));
        this.schedule = schedule;
        this.rescaleDual = rescaleDual;
        this.round = 0;
        this.solver = AdmmSolver.start(weightsOf(projections.keySet()), projections, schedule, rescaleDual);
        bindSolver();
    }

    /**
     * One ADMM round: rho from the schedule, the caller's W-step, weights and updater state below
     * 1e-30 set to zero ({@link TrainableNetwork#flushSubnormals}), then Z/U updates; returns residuals.
     */
    public List<Residuals> runRound(AdmmSolver.WStep wStep) {
        requireAdmm();
        List<Residuals> residuals = solver.runRound(r -> {
            solver.variables().forEach((name, v) -> penaltyOf(name).setRho(v.rho()));
            wStep.minimise(r);
            network.flushSubnormals();
        });
        round = solver.round();
        return residuals;
    }

    /**
     * Ends the ADMM stage: W = Proj(W) for each constrained layer (the reference prunes W, not Z), freezes
     * every weight that is then zero (and keeps earlier frozen ones frozen), and removes the penalty. Where the set
     * {@link Projection#prunesOutputUnits removes whole output units}, the removed units' biases are set to 0 and
     * frozen too: a pruned filter goes with its bias.
     *
     * @return the non-zero counts per layer after projection
     */
    public Map<String, LayerSparsity> hardProject() {
        requireAdmm();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (Map.Entry<String, Projection> e : projections.entrySet()) {
                INDArray w = layers.get(e.getKey()).weights();
                e.getValue().projectInPlace(w);
                LayerHooks h = hooks.get(e.getKey());
                INDArray mask = zerosFrozen(w, h.mask());
                if (h.mask() != null) {
                    w.muli(mask);
                }
                h.setMask(mask);
                h.setAdmm(null);
                if (e.getValue().prunesOutputUnits()) {
                    freezeRemovedBiases(layers.get(e.getKey()), h);
                }
            }
        }
        solver = null;
        return sparsity();
    }

    /**
     * Puts layers that training moved back into their constraint sets: {@code W = Proj_S(W)} for every set that
     * constrains values, not only zeros (masked retraining keeps a {@link Projection#isSparsityPattern sparsity
     * pattern} by itself, so those are skipped). Weights the projection sets to zero are frozen with the others.
     *
     * @param sets constraint set per layer of this session
     * @return the layers that were projected
     */
    public List<String> projectOntoSets(Map<String, Projection> sets) {
        requireNoAdmm();
        List<String> projected = new ArrayList<>();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (Map.Entry<String, Projection> e : sets.entrySet()) {
                if (e.getValue().isSparsityPattern()) {
                    continue;
                }
                INDArray w = sessionLayer(e.getKey()).weights();
                e.getValue().projectInPlace(w);
                LayerHooks h = hooks.get(e.getKey());
                h.setMask(zerosFrozen(w, h.mask()));
                projected.add(e.getKey());
            }
        }
        return projected;
    }

    /**
     * Ends the ADMM stage without projecting W: penalties off, masks unchanged (used before progressive
     * quantization, which projects a share of the weights at a time with {@link #snapAndFreeze}).
     */
    public void endAdmm() {
        requireAdmm();
        hooks.values().forEach(h -> h.setAdmm(null));
        solver = null;
    }

    /**
     * One step of progressive projection (the reference code's quantized retraining): in each layer, among the
     * weights that are non-zero and not yet frozen, the {@code fraction} (rounded up) closest to their projection
     * are set to it and frozen; the rest keep training. {@code fraction = 1} snaps and freezes all of them.
     * The projections must act elementwise (as quantizers do), so that projecting a subset is meaningful.
     *
     * @return per layer, how many weights were snapped in this step
     */
    public Map<String, Long> snapAndFreeze(Map<String, Projection> elementwise, double fraction) {
        if (solver != null) {
            throw new IllegalStateException("end the ADMM stage first");
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
        }
        Map<String, Long> snapped = new LinkedHashMap<>();
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            for (Map.Entry<String, Projection> e : elementwise.entrySet()) {
                INDArray w = sessionLayer(e.getKey()).weights();
                LayerHooks h = hooks.get(e.getKey());
                double[] values = io.admmnn.core.tensor.FlatValues.readDoubles(w);
                double[] target = io.admmnn.core.tensor.FlatValues.readDoubles(e.getValue().project(w));
                double[] frozen = h.mask() == null ? null : io.admmnn.core.tensor.FlatValues.readDoubles(h.mask());
                java.util.List<Integer> candidates = new ArrayList<>();
                for (int i = 0; i < values.length; i++) {
                    if (values[i] != 0 && (frozen == null || frozen[i] != 0)) {
                        candidates.add(i);
                    }
                }
                int count = (int) Math.ceil(fraction * candidates.size());
                candidates.sort(java.util.Comparator.comparingDouble((Integer i) -> Math.abs(values[i] - target[i]))
                        .thenComparingInt(i -> i));
                double[] mask = frozen != null ? frozen : filled(values.length, 1.0);
                for (int c = 0; c < count; c++) {
                    int i = candidates.get(c);
                    values[i] = target[i];
                    mask[i] = 0;
                }
                for (int i = 0; i < values.length; i++) {
                    if (values[i] == 0) {
                        mask[i] = 0; // zeros stay frozen
                    }
                }
                io.admmnn.core.tensor.FlatValues.write(w, values);
                INDArray m = io.admmnn.core.tensor.FlatValues.detachedZerosLike(w);
                io.admmnn.core.tensor.FlatValues.write(m, mask);
                h.setMask(m);
                snapped.put(e.getKey(), (long) count);
            }
        }
        return snapped;
    }

    /**
     * Removes the biases of the output units whose weights are all zero (a filter {@code W[j, :, :, :]}, a dense
     * column {@code W[:, j]}): {@code b_j = 0}, frozen there by the bias mask with those frozen earlier. A removed
     * filter then outputs act(0) (0 for ReLU) instead of the constant act(b_j), so the next layer can drop that input
     * even where it pads ({@code DeadChannels}).
     */
    private static void freezeRemovedBiases(ConstrainableLayer layer, LayerHooks h) {
        INDArray b = layer.bias();
        if (b == null) {
            return;
        }
        INDArray mask = layer.keptUnits().castTo(b.dataType()).reshape(b.shape());
        if (h.biasMask() != null) {
            mask.muli(h.biasMask());
        }
        b.muli(mask);
        h.setBiasMask(mask);
    }

    /** The mask that freezes the zeros of {@code w} and the weights {@code earlier} froze (null: none). */
    private static INDArray zerosFrozen(INDArray w, INDArray earlier) {
        INDArray mask = w.neq(0.0).castTo(w.dataType());
        return earlier == null ? mask : mask.muli(earlier);
    }

    /** The session's layer of that name; an error naming the network's layers, or saying it is not in the session. */
    private ConstrainableLayer sessionLayer(String name) {
        ConstrainableLayer layer = layers.get(name);
        if (layer == null) {
            network.layer(name); // throws with the list of layers if the name is unknown
            throw new IllegalArgumentException("layer '" + name + "' is not part of this session");
        }
        return layer;
    }

    private static double[] filled(int n, double value) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, value);
        return a;
    }

    /** Non-zero counts of every layer in the session. */
    public Map<String, LayerSparsity> sparsity() {
        Map<String, LayerSparsity> result = new LinkedHashMap<>();
        layers.forEach((name, layer) -> {
            INDArray w = layer.weights();
            long kept = NonZeros.count(w);
            result.put(name, new LayerSparsity(name, w.length(), kept));
        });
        return result;
    }

    /** Whether an ADMM stage is running (penalties active). */
    public boolean isAdmmActive() {
        return solver != null;
    }

    public String stage() {
        return stage;
    }

    /** Rounds completed in the current (or last) ADMM stage. */
    public int round() {
        return round;
    }

    public TrainableNetwork network() {
        return network;
    }

    /** The constrained layers' names. */
    public List<String> layerNames() {
        return new ArrayList<>(layers.keySet());
    }

    /** The current ADMM variables (empty when no stage is running). */
    public Map<String, AdmmVariable> variables() {
        return solver == null ? Map.of() : solver.variables();
    }

    /** The 0/1 mask of frozen weights of a layer (shape of W), or null when nothing is frozen. */
    public INDArray mask(String layer) {
        return hooks.get(layer).mask();
    }

    /** The 0/1 mask of frozen biases of a layer (shape of b), or null when none is frozen. */
    public INDArray biasMask(String layer) {
        return hooks.get(layer).biasMask();
    }

    /**
     * Writes the network (with updater state) and this session's state into one zip, atomically (see
     * {@link TrainableNetwork#saveCheckpoint}), together with any {@code extras} of the caller.
     */
    public void save(File file, Map<String, ? extends java.io.Serializable> extras) throws IOException {
        Map<String, java.io.Serializable> objects = new LinkedHashMap<>(extras);
        objects.put(STATE_ENTRY, snapshot());
        network.saveCheckpoint(file, objects);
    }

    /** {@link #save(File, Map)} without extras. */
    public void save(File file) throws IOException {
        save(file, Map.of());
    }

    /**
     * Restores a network and its session from a zip written by {@link #save}.
     *
     * @param constraints the constraint set of each layer of the stage that was running (needed only if
     *                    ADMM was active when saved; the projections themselves are not serialized)
     */
    public static AdmmSession restore(File file, Map<String, Projection> constraints, RhoSchedule schedule,
                                      boolean rescaleDual) throws IOException {
        TrainableNetwork network = TrainableNetwork.load(file, true);
        SessionSnapshot snap = TrainableNetwork.readCheckpointObject(file, STATE_ENTRY);
        if (snap == null) {
            throw new IOException(file + " holds a network but no ADMM session state");
        }
        if (snap.formatVersion() != SessionSnapshot.FORMAT_VERSION) {
            throw new IOException(file + ": unsupported ADMM state version " + snap.formatVersion());
        }
        List<String> names = snap.layers().stream().map(SessionSnapshot.LayerSnapshot::name).toList();
        AdmmSession session = new AdmmSession(network, resolve(network, names));
        session.stage = snap.stage();
        session.round = snap.round();
        for (SessionSnapshot.LayerSnapshot l : snap.layers()) {
            if (l.mask() != null) {
                session.hooks.get(l.name()).setMask(l.mask().toArray());
            }
            if (l.biasMask() != null) {
                session.hooks.get(l.name()).setBiasMask(l.biasMask().toArray());
            }
        }
        if (snap.admmActive()) {
            Map<String, AdmmVariable> variables = new LinkedHashMap<>();
            for (SessionSnapshot.LayerSnapshot l : snap.layers()) {
                if (l.z() == null) {
                    continue;
                }
                Projection p = constraints.get(l.name());
                if (p == null) {
                    throw new IllegalArgumentException("checkpoint has ADMM state for layer '" + l.name()
                            + "' but no constraint was given for it");
                }
                variables.put(l.name(), AdmmVariable.restore(l.name(), p, l.z().toArray(), l.u().toArray(), l.rho()));
            }
            session.projections = new LinkedHashMap<>(constraints);
            session.schedule = schedule;
            session.rescaleDual = rescaleDual;
            session.solver = AdmmSolver.resume(session.weightsOf(variables.keySet()), variables, schedule,
                    rescaleDual, snap.round());
            session.bindSolver();
        }
        return session;
    }

    private SessionSnapshot snapshot() {
        List<SessionSnapshot.LayerSnapshot> entries = new ArrayList<>();
        for (String name : layers.keySet()) {
            AdmmVariable v = solver == null ? null : solver.variables().get(name);
            entries.add(new SessionSnapshot.LayerSnapshot(name,
                    v == null ? null : v.projection().describe(), v == null ? 0 : v.rho(),
                    v == null ? null : ArrayData.of(v.z()), v == null ? null : ArrayData.of(v.u()),
                    ArrayData.of(mask(name)), ArrayData.of(biasMask(name))));
        }
        return new SessionSnapshot(SessionSnapshot.FORMAT_VERSION, stage, solver != null, round, entries);
    }

    private void bindSolver() {
        hooks.values().forEach(h -> h.setAdmm(null));
        solver.variables().forEach((name, v) -> {
            hooks.get(name).setAdmm(v);
            penaltyOf(name).setRho(v.rho());
        });
    }

    private void requireNoAdmm() {
        if (solver != null) {
            throw new IllegalStateException("ADMM stage '" + stage + "' is still running; hardProject() first");
        }
    }

    private void requireAdmm() {
        if (solver == null) {
            throw new IllegalStateException("no ADMM stage is running");
        }
    }

    private Map<String, INDArray> weightsOf(Iterable<String> names) {
        Map<String, INDArray> w = new LinkedHashMap<>();
        names.forEach(n -> w.put(n, layers.get(n).weights()));
        return w;
    }

    private AdmmPenalty penaltyOf(String name) {
        return layers.get(name).config().getRegularization().stream()
                .filter(AdmmPenalty.class::isInstance).map(AdmmPenalty.class::cast).findFirst().orElseThrow();
    }

    private static Map<String, ConstrainableLayer> resolve(TrainableNetwork network, Iterable<String> names) {
        java.util.Set<String> wanted = new java.util.HashSet<>();
        names.forEach(n -> wanted.add(network.layer(n).name())); // throws, naming the layers, if unknown
        Map<String, ConstrainableLayer> result = new LinkedHashMap<>(); // in network order
        network.constrainableLayers().stream().filter(l -> wanted.contains(l.name()))
                .forEach(l -> result.put(l.name(), l));
        if (result.isEmpty()) {
            throw new IllegalArgumentException("no layers to constrain");
        }
        return result;
    }

    /**
     * Ensures the layer's configuration carries one {@link AdmmPenalty} (first, before the updater) and one
     * {@link PrunedWeightMask} (last, after the updater and after any weight decay) on W, one
     * {@link PrunedWeightMask} on b (where the layer has a bias), and binds them to a fresh {@link LayerHooks}.
     * Hooks already present (a restored model) are rebound, not duplicated.
     */
    private static LayerHooks installHooks(ConstrainableLayer layer) {
        BaseLayer conf = layer.config();
        LayerHooks h = new LayerHooks(layer.name());
        List<Regularization> regs = new ArrayList<>(conf.getRegularization() == null ? List.of()
                : conf.getRegularization());
        if (regs.stream().noneMatch(AdmmPenalty.class::isInstance)) {
            regs.add(0, new AdmmPenalty(layer.name(), 0.0));
        }
        conf.setRegularization(bound(regs, h, false));
        if (layer.bias() != null) {
            conf.setRegularizationBias(bound(conf.getRegularizationBias(), h, true));
        }
        return h;
    }

    /** {@code regs} (null: none) with its hooks bound to {@code h} and a {@link PrunedWeightMask} of W or b last. */
    private static List<Regularization> bound(List<Regularization> regs, LayerHooks h, boolean bias) {
        List<Regularization> result = new ArrayList<>(regs == null ? List.of() : regs);
        if (result.stream().noneMatch(PrunedWeightMask.class::isInstance)) {
            result.add(new PrunedWeightMask(h.layerKey(), bias));
        }
        for (Regularization r : result) {
            if (r instanceof AdmmPenalty p) {
                p.bind(h);
            } else if (r instanceof PrunedWeightMask m) {
                m.bind(h);
            }
        }
        return result;
    }
}
