package io.borderflow.replay.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

/** Draws one of several items with given relative weights, in a fixed (sorted) order for determinism. */
final class WeightedChoice<T> {
    private final List<T> items;
    private final double[] cumulative;

    private WeightedChoice(List<T> items, double[] cumulative) {
        this.items = items;
        this.cumulative = cumulative;
    }

    static <K, T> WeightedChoice<T> of(Map<K, Double> weights, Function<K, T> resolve, String where) {
        // A sorted copy: YAML and Map.copyOf give no stable iteration order, and draws must be repeatable.
        Map<String, K> ordered = new TreeMap<>();
        weights.keySet().forEach(k -> ordered.put(String.valueOf(k), k));
        List<T> items = new ArrayList<>();
        double[] cumulative = new double[ordered.size()];
        double total = 0;
        int i = 0;
        for (K key : ordered.values()) {
            Double w = weights.get(key);
            if (w == null || !(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException(where + ": weight of '" + key + "' must be a non-negative number");
            }
            total += w;
            cumulative[i++] = total;
            items.add(resolve.apply(key));
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException(where + ": weights must add up to more than 0");
        }
        for (int j = 0; j < cumulative.length; j++) {
            cumulative[j] /= total;
        }
        return new WeightedChoice<>(List.copyOf(items), cumulative);
    }

    T draw(SplittableRandom random) {
        double u = random.nextDouble();
        for (int i = 0; i < cumulative.length - 1; i++) {
            if (u < cumulative[i]) {
                return items.get(i);
            }
        }
        return items.get(items.size() - 1);
    }
}
