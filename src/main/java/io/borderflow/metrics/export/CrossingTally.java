package io.borderflow.metrics.export;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.replay.CheckpointCatalog;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Entries and exits per UTC hour and per local day, for each key of the four dimensions of the
 * net-flow stage (checkpoint, region, citizenship, national), counted as that stage counts them:
 * the region comes from the checkpoints reference data (an unknown checkpoint counts under region
 * {@code unknown}), and a repeated event id within {@link #DEDUPE_HORIZON} counts once. Input order
 * does not matter, except that the dedupe horizon is measured from the latest time seen so far.
 */
final class CrossingTally {
    /** The net-flow stage's default {@code flow.dedupe.horizon}. */
    static final Duration DEDUPE_HORIZON = Duration.ofDays(7);
    static final String UNKNOWN_REGION = "unknown";
    /** The key of the national dimension, as in the net-flow stage. */
    static final String NATIONAL = "KZ";

    enum Dimension { CHECKPOINT, REGION, CITIZENSHIP, NATIONAL }

    /** One key of one dimension; {@code region} is set for checkpoints only (a label of their series). */
    record Key(Dimension dimension, String name, String region) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = dimension.compareTo(o.dimension);
            return c != 0 ? c : name.compareTo(o.name);
        }
    }

    /** Entries and exits of one key, per hour and per day (maps keep them sparse and ordered). */
    static final class Counts {
        final TreeMap<Long, long[]> hours = new TreeMap<>();
        final TreeMap<LocalDate, long[]> days = new TreeMap<>();

        private void add(long hourStart, LocalDate day, int direction) {
            hours.computeIfAbsent(hourStart, h -> new long[2])[direction]++;
            days.computeIfAbsent(day, d -> new long[2])[direction]++;
        }
    }

    static final int ENTRY = 0;
    static final int EXIT = 1;

    private final ZoneId zone;
    private final CheckpointCatalog catalog;
    private final Map<Key, Counts> counts = new TreeMap<>();
    private final Map<String, String> regionOf = new TreeMap<>();
    private final LinkedHashMap<String, Long> recentIds = new LinkedHashMap<>();
    private long latestMs = Long.MIN_VALUE;
    private long firstMs = Long.MAX_VALUE;
    private long lastMs = Long.MIN_VALUE;
    private long crossings;
    private long duplicates;

    CrossingTally(ZoneId zone, CheckpointCatalog catalog) {
        this.zone = zone;
        this.catalog = catalog;
    }

    /** Counts one crossing; returns false for a duplicate, which is not counted. */
    boolean add(Crossing c) {
        long ms = c.getTime().toEpochMilli();
        if (!firstSighting(c.getEventId(), ms)) {
            duplicates++;
            return false;
        }
        crossings++;
        firstMs = Math.min(firstMs, ms);
        lastMs = Math.max(lastMs, ms);
        long hour = Math.floorDiv(ms, 3_600_000L) * 3_600_000L;
        LocalDate day = Instant.ofEpochMilli(ms).atZone(zone).toLocalDate();
        int direction = c.getDirection() == Direction.ENTRY ? ENTRY : EXIT;
        String checkpoint = c.getCheckpoint();
        String region = regionOf.computeIfAbsent(checkpoint, this::region);
        count(new Key(Dimension.CHECKPOINT, checkpoint, region), hour, day, direction);
        count(new Key(Dimension.REGION, region, null), hour, day, direction);
        count(new Key(Dimension.CITIZENSHIP, c.getCitizenship(), null), hour, day, direction);
        count(new Key(Dimension.NATIONAL, NATIONAL, null), hour, day, direction);
        return true;
    }

    private String region(String checkpoint) {
        Optional<Checkpoint> known = catalog.find(checkpoint);
        return known.map(Checkpoint::getRegion).orElse(UNKNOWN_REGION);
    }

    private void count(Key key, long hour, LocalDate day, int direction) {
        counts.computeIfAbsent(key, k -> new Counts()).add(hour, day, direction);
    }

    private boolean firstSighting(String eventId, long ms) {
        latestMs = Math.max(latestMs, ms);
        long oldest = latestMs - DEDUPE_HORIZON.toMillis();
        for (Iterator<Long> it = recentIds.values().iterator(); it.hasNext(); ) {
            if (it.next() >= oldest) {
                break;
            }
            it.remove();
        }
        return recentIds.putIfAbsent(eventId, ms) == null;
    }

    ZoneId zone() {
        return zone;
    }

    long crossings() {
        return crossings;
    }

    long duplicates() {
        return duplicates;
    }

    boolean isEmpty() {
        return crossings == 0;
    }

    /** Time of the earliest counted crossing (epoch ms); undefined when empty. */
    long firstMs() {
        return firstMs;
    }

    long lastMs() {
        return lastMs;
    }

    Map<Key, Counts> counts() {
        return Collections.unmodifiableMap(counts);
    }

    List<Key> keys(Dimension dimension) {
        List<Key> keys = new ArrayList<>();
        for (Key k : counts.keySet()) {
            if (k.dimension() == dimension) {
                keys.add(k);
            }
        }
        return keys;
    }
}
