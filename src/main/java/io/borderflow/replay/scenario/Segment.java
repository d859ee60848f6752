package io.borderflow.replay.scenario;

import java.util.List;
import java.util.Map;

/**
 * A stream of arriving travellers: who they are (citizenship mix), how many arrive each day,
 * where they cross, where they settle and what they do (profiles).
 *
 * @param departures exits per day of people who were already inside before the data starts
 *                   (they have no entry in the replay; valid data, as in a real feed)
 */
public record Segment(String name, Map<String, Double> citizenship, Curve arrivals, Curve departures,
                      Map<String, Double> checkpoints, Map<String, Double> destinations,
                      List<Profile> profiles) {
    public Segment {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("segment: 'name' is required");
        }
        if (citizenship == null || citizenship.isEmpty()) {
            throw new IllegalArgumentException("segment " + name + ": 'citizenship' (mix of ISO codes) is required");
        }
        if (arrivals == null) {
            throw new IllegalArgumentException("segment " + name + ": 'arrivals' is required");
        }
        if (checkpoints == null || checkpoints.isEmpty()) {
            throw new IllegalArgumentException("segment " + name + ": 'checkpoints' (mix) is required");
        }
        if (profiles == null || profiles.isEmpty()) {
            throw new IllegalArgumentException("segment " + name + ": at least one profile is required");
        }
        departures = departures == null ? Curve.constant(0) : departures;
        destinations = destinations == null ? Map.of() : Map.copyOf(destinations);
        citizenship = Map.copyOf(citizenship);
        checkpoints = Map.copyOf(checkpoints);
        profiles = List.copyOf(profiles);
    }
}
