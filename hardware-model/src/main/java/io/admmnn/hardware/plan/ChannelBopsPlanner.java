package io.admmnn.hardware.plan;

import io.admmnn.hardware.cost.LayerBops;
import io.admmnn.hardware.layer.ConvLayer;
import io.admmnn.hardware.layer.FcLayer;
import io.admmnn.hardware.layer.LayerShape;
import io.admmnn.hardware.layer.NetworkShape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Output channels to keep per layer of a sequential network so that it runs a BOPs target below the unpruned
 * network at 32 x 32 bits, at given bits per layer (DJPQ's count).
 *
 * <p>Count: removing output channels of layer {@code l} also removes the input channels of layer {@code l + 1}, so
 * {@code MACs_l = f_l x in_l x out_l} with {@code in_l} the kept outputs of layer {@code l - 1} (the network's input
 * channels for the first layer), {@code out_l} the kept outputs of layer {@code l} and {@code f_l} the MACs per
 * (input channel, output channel) pair: output positions x kernel area for a convolution, the inputs per channel of
 * the layer before (e.g. 4 x 4 after a flatten) for a fully connected layer. {@code BOPs = sum_l MACs_l x b_w,l x
 * b_a,l}; reference {@code sum_l denseMACs_l x 32 x 32}; a plan meets {@code reduction} when
 * {@code BOPs <= reference / reduction}.
 *
 * <p>What it optimises, exactly: (1) the smallest kept fraction {@code min_l kept_l / total_l} over the prunable
 * layers, over all integer channel counts between the floors ({@code ceil(minKeep x total)}, at least 1) and the
 * totals that meet the target. Exact: the cheapest counts whose fractions are all {@code >= t} are
 * {@code max(floor_l, ceil(t x total_l))}, their BOPs never fall as {@code t} grows, and the optimum is one of the
 * fractions {@code c / total_l}, so a bisection over those finds it. (2) With {@code fill}, the BOPs left under the
 * budget go back greedily: one more channel to the prunable layer with the smallest kept fraction (ties: the
 * earlier layer) whose extra channel still fits, until none fits. Greedy, not optimal for any sum; the result keeps
 * the optimum of (1) and is maximal (no layer can keep one more channel). Bits are fixed per layer: choose widths
 * with {@code analyze bits --bops-reduction} on the trained network where they should be free. Grouped
 * convolutions are not modelled.
 *
 * @param minKeep smallest fraction of a prunable layer's output channels kept, in (0, 1]
 * @param fill    give the BOPs left under the budget back, channel by channel (step 2)
 */
public record ChannelBopsPlanner(double minKeep, boolean fill) {

    public ChannelBopsPlanner {
        if (!(minKeep > 0 && minKeep <= 1)) {
            throw new IllegalArgumentException("the minimum keep fraction must be in (0, 1], was " + minKeep);
        }
    }

    /** Bits of one layer: {@code b_w} of its weights and {@code b_a} of its input, each in [1, 32]. */
    public record LayerBits(int weightBits, int activationBits) {
        public LayerBits {
            if (weightBits < 1 || weightBits > LayerBops.FLOAT_BITS || activationBits < 1
                    || activationBits > LayerBops.FLOAT_BITS) {
                throw new IllegalArgumentException("bits must be in [1, 32], were b_w = " + weightBits + ", b_a = "
                        + activationBits);
            }
        }

        /** {@code b_w} and {@code b_a} for every layer, the first layer's input at {@code firstActivationBits}. */
        public static Map<String, LayerBits> uniform(NetworkShape network, int weightBits, int activationBits,
                                                     int firstActivationBits) {
            Map<String, LayerBits> bits = new LinkedHashMap<>();
            for (LayerShape l : network.layers()) {
                bits.put(l.name(), new LayerBits(weightBits, bits.isEmpty() ? firstActivationBits : activationBits));
            }
            return bits;
        }
    }

    /** Every layer but the last (whose outputs are the classes). */
    public static Set<String> allButLast(NetworkShape network) {
        Set<String> names = new LinkedHashSet<>();
        network.layers().subList(0, network.layers().size() - 1).forEach(l -> names.add(l.name()));
        return names;
    }

    /**
     * The plan for {@code reduction}.
     *
     * @param bits     bits of every layer of {@code network}
     * @param prunable layers that may lose output channels
     * @throws IllegalArgumentException if even the floors miss the target (the message gives the largest reduction
     *                                  they reach), or the network is not sequential as described above
     */
    public ChannelPlan plan(NetworkShape network, double reduction, Map<String, LayerBits> bits, Set<String> prunable) {
        if (!(reduction >= 1) || Double.isInfinite(reduction)) {
            throw new IllegalArgumentException("BOPs reduction must be >= 1, was " + reduction);
        }
        Chain chain = new Chain(network, bits);
        prunable.forEach(network::layer); // an unknown name is an error listing the layers
        int n = chain.size();
        int[] floor = new int[n];
        boolean[] pruned = new boolean[n];
        List<long[]> fractions = new ArrayList<>(); // candidate t = c / total as {c, total}
        for (int i = 0; i < n; i++) {
            int total = chain.total[i];
            pruned[i] = prunable.contains(chain.names[i]);
            floor[i] = pruned[i] ? Math.max(1, (int) Math.ceil(minKeep * total - 1e-9)) : total;
            for (int c = floor[i]; pruned[i] && c <= total; c++) {
                fractions.add(new long[]{c, total});
            }
        }
        double budget = chain.referenceBops() / reduction;
        if (chain.bops(floor) > budget) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: a BOPs reduction of %.4gx is out of "
                            + "reach at these bits with at least %.3g of each prunable layer's channels kept: the "
                            + "most is %.4gx", network.name(), reduction, minKeep,
                    (double) chain.referenceBops() / chain.bops(floor)));
        }
        int[] kept = floor;
        if (!fractions.isEmpty()) {
            fractions.sort(Comparator.comparing(f -> f, (a, b) -> Long.compare(a[0] * b[1], b[0] * a[1])));
            int lo = 0; // fractions[lo] fits (its counts are the floors); find the last that fits
            int hi = fractions.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (chain.bops(keptAt(fractions.get(mid), chain.total, floor, pruned)) <= budget) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            kept = keptAt(fractions.get(lo), chain.total, floor, pruned);
        }
        if (fill) {
            fillUp(chain, kept, pruned, budget);
        }
        return chain.plan(reduction, kept);
    }

    /** The plan that keeps {@code kept} output channels (every layer left out keeps all), without a target. */
    public static ChannelPlan evaluate(NetworkShape network, Map<String, Integer> kept, Map<String, LayerBits> bits) {
        Chain chain = new Chain(network, bits);
        kept.keySet().forEach(network::layer);
        int[] counts = new int[chain.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = kept.getOrDefault(chain.names[i], chain.total[i]);
            if (counts[i] < 1 || counts[i] > chain.total[i]) {
                throw new IllegalArgumentException(chain.names[i] + ": kept channels must be in [1, " + chain.total[i]
                        + "], was " + counts[i]);
            }
        }
        return chain.plan(0, counts);
    }

    /** {@code max(floor, ceil(t x total))} on the prunable layers, {@code t = c / q} in exact integer arithmetic. */
    private static int[] keptAt(long[] t, int[] total, int[] floor, boolean[] pruned) {
        int[] kept = new int[total.length];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = pruned[i] ? (int) Math.max(floor[i], (t[0] * total[i] + t[1] - 1) / t[1]) : total[i];
        }
        return kept;
    }

    private static void fillUp(Chain chain, int[] kept, boolean[] pruned, double budget) {
        List<Integer> order = new ArrayList<>();
        boolean grown = true;
        while (grown) {
            grown = false;
            order.clear();
            for (int i = 0; i < kept.length; i++) {
                if (pruned[i] && kept[i] < chain.total[i]) {
                    order.add(i);
                }
            }
            order.sort(Comparator.comparing((Integer i) -> (double) kept[i] / chain.total[i])
                    .thenComparing(i -> i));
            for (int i : order) {
                kept[i]++;
                if (chain.bops(kept) <= budget) {
                    grown = true;
                    break;
                }
                kept[i]--;
            }
        }
    }

    /** The layers as a chain: {@code MACs_l = pairMacs_l x in_l x out_l}, in_l the kept outputs of layer l - 1. */
    private static final class Chain {
        final String network;
        final String[] names;
        final int[] total;
        final long[] pairMacs;
        final long[] denseMacs;
        final int firstInputs;
        final int[] weightBits;
        final int[] activationBits;

        Chain(NetworkShape shape, Map<String, LayerBits> bits) {
            List<LayerShape> layers = shape.layers();
            int n = layers.size();
            network = shape.name();
            names = new String[n];
            total = new int[n];
            pairMacs = new long[n];
            denseMacs = new long[n];
            weightBits = new int[n];
            activationBits = new int[n];
            int inputs = 0;
            for (int i = 0; i < n; i++) {
                LayerShape l = layers.get(i);
                names[i] = l.name();
                int in;
                if (l instanceof ConvLayer c) {
                    if (c.groups() != 1) {
                        throw new IllegalArgumentException(l.name() + ": grouped convolutions are not modelled "
                                + "by the channel planner");
                    }
                    total[i] = c.outChannels();
                    in = c.inChannels();
                    pairMacs[i] = (long) c.outH() * c.outW() * c.kernelH() * c.kernelW();
                } else {
                    FcLayer f = (FcLayer) l;
                    total[i] = f.out();
                    int channels = i == 0 ? f.in() : total[i - 1];
                    if (f.in() % channels != 0) {
                        throw new IllegalArgumentException(l.name() + ": " + f.in() + " inputs are no whole number "
                                + "of values per output channel of " + names[i - 1] + " (" + channels + ")");
                    }
                    in = channels;
                    pairMacs[i] = f.in() / channels;
                }
                if (i > 0 && in != total[i - 1]) {
                    throw new IllegalArgumentException(l.name() + " takes " + in + " input channels but "
                            + names[i - 1] + " has " + total[i - 1] + " outputs: the network is not a chain");
                }
                if (i == 0) {
                    inputs = in;
                }
                denseMacs[i] = l.macs();
                LayerBits b = bits.get(l.name());
                if (b == null) {
                    throw new IllegalArgumentException(l.name() + ": no bits given");
                }
                weightBits[i] = b.weightBits();
                activationBits[i] = b.activationBits();
            }
            firstInputs = inputs;
        }

        int size() {
            return names.length;
        }

        long macs(int i, int[] kept) {
            return pairMacs[i] * (i == 0 ? firstInputs : kept[i - 1]) * kept[i];
        }

        long bops(int[] kept) {
            long sum = 0;
            for (int i = 0; i < kept.length; i++) {
                sum += macs(i, kept) * weightBits[i] * activationBits[i];
            }
            return sum;
        }

        long referenceBops() {
            long sum = 0;
            for (long m : denseMacs) {
                sum += m * LayerBops.FLOAT_BITS * LayerBops.FLOAT_BITS;
            }
            return sum;
        }

        ChannelPlan plan(double target, int[] kept) {
            List<ChannelPlan.Layer> layers = new ArrayList<>();
            for (int i = 0; i < kept.length; i++) {
                layers.add(new ChannelPlan.Layer(names[i], kept[i], total[i], weightBits[i], activationBits[i],
                        macs(i, kept), denseMacs[i]));
            }
            return new ChannelPlan(network, target, layers);
        }
    }
}
