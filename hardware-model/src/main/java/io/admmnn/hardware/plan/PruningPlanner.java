package io.admmnn.hardware.plan;

import io.admmnn.hardware.breakeven.BreakEvenAnalysis;
import io.admmnn.hardware.breakeven.HardwareProfile;
import io.admmnn.hardware.cost.IndexFormat;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses per-layer pruning ratios for a target, respecting break-even ratios.
 *
 * <p>Greedy: repeatedly take the layer with the largest remaining share of the {@link Priority} measure (kept MACs:
 * convolution layers first; or kept weights: the largest layers first) and cut its kept fraction by
 * {@code step} (default 0.8), until the target is met. A dense layer's first cut goes straight past its
 * break-even ratio, so no layer ever ends in the band where it is pruned but still worse than dense. Break-even
 * is the storage one (a sparse layer must not be larger) and, when MACs come first, also the compute one of the
 * hardware profile (it must not be slower). Floors on the kept fraction stand for accuracy risk: they are
 * assumptions (first layer 20 %, other conv 5 %, FC 1 % by default), to be replaced by a sensitivity analysis.
 *
 * @param profile         hardware whose compute break-even is respected
 * @param weightBits      bits per stored weight (for the storage break-even)
 * @param index           index format (for the storage break-even)
 * @param firstLayerFloor smallest kept fraction of the first layer
 * @param convFloor       smallest kept fraction of other convolution layers
 * @param fcFloor         smallest kept fraction of fully connected layers
 * @param step            factor applied to a layer's kept fraction per greedy step, in (0, 1)
 */
public record PruningPlanner(HardwareProfile profile, int weightBits, IndexFormat index, double firstLayerFloor,
                             double convFloor, double fcFloor, double step) {

    public PruningPlanner {
        for (double floor : new double[] {firstLayerFloor, convFloor, fcFloor}) {
            if (!(floor > 0 && floor <= 1)) {
                throw new IllegalArgumentException("kept-fraction floors must be in (0, 1], was " + floor);
            }
        }
        if (!(step > 0 && step < 1) || weightBits < 1) {
            throw new IllegalArgumentException("the step must be in (0, 1) and weight bits >= 1");
        }
    }

    /** What the greedy takes from first. */
    public enum Priority { MACS, WEIGHTS }

    /** Reach at least this reduction of total weights (dense / kept) or of total MACs. */
    public record Target(Priority measure, double reduction) {
        public Target {
            if (!(reduction >= 1)) {
                throw new IllegalArgumentException("a reduction target must be >= 1, was " + reduction);
            }
        }

        /** Parses {@code weights:24.7} or {@code macs:10}. */
        public static Target parse(String text) {
            String[] p = text.toLowerCase(Locale.ROOT).split(":");
            if (p.length != 2 || !(p[0].equals("weights") || p[0].equals("macs"))) {
                throw new IllegalArgumentException("target '" + text + "': expected weights:<x> or macs:<x>");
            }
            try {
                return new Target(p[0].equals("macs") ? Priority.MACS : Priority.WEIGHTS, Double.parseDouble(p[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("target '" + text + "': '" + p[1] + "' is not a number");
            }
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %.3gx", measure == Priority.MACS ? "MACs" : "weights", reduction);
        }
    }

    /** The default floors and step. */
    public static PruningPlanner withDefaults(HardwareProfile profile, int weightBits, IndexFormat index) {
        return new PruningPlanner(profile, weightBits, index, 0.2, 0.05, 0.01, 0.8);
    }

    /** Plans {@code network} to reach {@code target}, taking first from {@code priority}. */
    public PruningPlan plan(NetworkShape network, Target target, Priority priority) {
        List<LayerShape> layers = network.layers();
        int n = layers.size();
        double[] kept = new double[n];
        double[] floor = new double[n];
        double[] breakEvenKept = new double[n];
        double[] breakEven = new double[n];
        boolean[] blocked = new boolean[n];
        for (int i = 0; i < n; i++) {
            LayerShape l = layers.get(i);
            kept[i] = 1;
            floor[i] = i == 0 ? firstLayerFloor : l.isConvolution() ? convFloor : fcFloor;
            BreakEvenAnalysis.LayerBreakEven be = BreakEvenAnalysis.of(l, profile, weightBits, index);
            double r = be.storage();
            if (priority == Priority.MACS) {
                r = Double.isNaN(be.compute()) || Double.isNaN(r) ? Double.NaN : Math.max(r, be.compute());
            }
            breakEven[i] = r;
            breakEvenKept[i] = Double.isNaN(r) ? 0 : 1 / r;
            blocked[i] = Double.isNaN(r) || breakEvenKept[i] < floor[i];
        }
        while (reduction(layers, kept, target.measure()) < target.reduction()) {
            int pick = -1;
            double best = 0;
            for (int i = 0; i < n; i++) {
                if (blocked[i] || kept[i] <= floor[i]) {
                    continue;
                }
                LayerShape l = layers.get(i);
                double share = kept[i] * (priority == Priority.MACS ? l.macs() : l.weights());
                if (share > best) {
                    best = share;
                    pick = i;
                }
            }
            if (pick < 0) {
                break; // every layer is at its floor or cannot beat dense: the target is out of reach
            }
            double next = kept[pick] == 1 ? Math.min(step, breakEvenKept[pick]) : kept[pick] * step;
            kept[pick] = Math.max(next, floor[pick]);
        }
        boolean reached = reduction(layers, kept, target.measure()) >= target.reduction();
        List<PruningPlan.Decision> decisions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            decisions.add(new PruningPlan.Decision(layers.get(i).name(), 1 - kept[i], breakEven[i],
                    reason(layers.get(i), kept[i], floor[i], breakEven[i], blocked[i], priority, reached)));
        }
        String targetText = target + ", " + (priority == Priority.MACS ? "MACs" : "weights") + " first"
                + (reached ? "" : String.format(Locale.ROOT, " (NOT reached: %.3gx at the floors)",
                reduction(layers, kept, target.measure())));
        return new PruningPlan(network.name(), targetText, profile.name(), decisions);
    }

    private static double reduction(List<LayerShape> layers, double[] kept, Priority measure) {
        double dense = 0;
        double pruned = 0;
        for (int i = 0; i < layers.size(); i++) {
            double size = measure == Priority.MACS ? layers.get(i).macs() : layers.get(i).weights();
            dense += size;
            pruned += size * kept[i];
        }
        return dense / pruned;
    }

    private static String reason(LayerShape l, double kept, double floor, double breakEven, boolean blocked,
                                 Priority priority, boolean reached) {
        String measure = priority == Priority.MACS ? "MACs" : "weights";
        if (kept == 1) {
            if (blocked) {
                return Double.isNaN(breakEven) ? "left dense: its sparse form never beats dense on this hardware"
                        : String.format(Locale.ROOT, "left dense: break-even %.2fx needs more than its %.3g%% floor allows",
                        breakEven, 100 * floor);
            }
            return "left dense: the target was met before its share of " + measure + " was the largest";
        }
        String base = String.format(Locale.ROOT, "kept %.2f%% (%.1fx, break-even %.2fx): %s of kept %s when chosen",
                100 * kept, 1 / kept, breakEven, l.isConvolution() ? "conv layer with the largest share" : "the largest share", measure);
        return kept <= floor + 1e-12 ? base + String.format(Locale.ROOT, "; stopped at its %.3g%% floor", 100 * floor) : base;
    }
}
