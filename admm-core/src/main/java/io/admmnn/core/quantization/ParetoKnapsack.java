package io.admmnn.core.quantization;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Exact multiple-choice knapsack by dynamic programming over Pareto fronts: one option per group (layer), minimising
 * the summed error subject to {@code sum cost <= limit}.
 *
 * <p>After groups 1..i the solver keeps every partial choice whose (cost, error) no other partial choice beats in
 * both. An optimal full choice's prefix can always be swapped for a front member that costs no more and errs no
 * more, so the optimum survives. The front has at most one entry per distinct cost total and, for real networks
 * (few layers, few options), stays small; unlike a table over all budget values it does not grow with the budget.
 */
final class ParetoKnapsack {

    private ParetoKnapsack() {
    }

    /** One option of a group: its cost (bits or BOPs) and its error. */
    record Option(long cost, double error) {
    }

    /** The chosen option index per group, and the totals. */
    record Choice(int[] options, long cost, double error) {
    }

    private record State(long cost, double error, State parent, int option) {
    }

    /** The optimal choice, or null when even the cheapest options exceed {@code limit}. */
    static Choice solve(List<List<Option>> groups, double limit) {
        List<State> front = List.of(new State(0, 0.0, null, -1));
        for (List<Option> group : groups) {
            List<State> next = new ArrayList<>();
            for (State s : front) {
                for (int o = 0; o < group.size(); o++) {
                    long cost = s.cost() + group.get(o).cost();
                    if (cost <= limit) {
                        next.add(new State(cost, s.error() + group.get(o).error(), s, o));
                    }
                }
            }
            if (next.isEmpty()) {
                return null;
            }
            front = paretoFront(next);
        }
        State best = front.stream().min(Comparator.comparingDouble(State::error)).orElseThrow();
        int[] options = new int[groups.size()];
        State s = best;
        for (int i = groups.size() - 1; i >= 0; i--) {
            options[i] = s.option();
            s = s.parent();
        }
        return new Choice(options, best.cost(), best.error());
    }

    /** Keeps the states not beaten in both cost and error (equal pairs: the first in option order). */
    private static List<State> paretoFront(List<State> states) {
        List<State> sorted = new ArrayList<>(states);
        sorted.sort(Comparator.comparingLong(State::cost).thenComparingDouble(State::error));
        List<State> front = new ArrayList<>();
        double bestError = Double.POSITIVE_INFINITY;
        for (State s : sorted) {
            if (s.error() < bestError) {
                front.add(s);
                bestError = s.error();
            }
        }
        return front;
    }
}
