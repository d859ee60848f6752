package io.borderflow.flow;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * In-memory fingerprints (64-bit) of the event ids the dedupe store holds, by UTC day of their
 * event time: it answers "certainly not seen" without touching RocksDB, which is what almost every crossing is.
 * A fingerprint match is only a maybe, confirmed against the store. Days are forgotten once older than the
 * store keeps them; a lookup reaching before the oldest day kept ({@link #floor()}) must go to the store.
 */
final class RecentIds {
    private static final long DAY_MS = 86_400_000L;
    private final long keepMs;
    private final TreeMap<Long, LongSet> days = new TreeMap<>();
    private long floor = Long.MIN_VALUE;
    private long maxTime = Long.MIN_VALUE;

    /** @param keepMs how far behind the latest event time fingerprints are kept (the store's retention) */
    RecentIds(long keepMs) {
        this.keepMs = keepMs;
    }

    void clear() {
        days.clear();
        floor = Long.MIN_VALUE;
        maxTime = Long.MIN_VALUE;
    }

    /** Event times from here on are covered: whatever the store holds of them is also here. */
    long floor() {
        return floor;
    }

    void add(long fingerprint, long time) {
        days.computeIfAbsent(Math.floorDiv(time, DAY_MS), d -> new LongSet()).add(fingerprint);
        if (time > maxTime) {
            maxTime = time;
            forgetBefore(time - keepMs);
        }
    }

    /** Whether an id with this fingerprint may have been seen with an event time in [from, to]. */
    boolean mayContain(long fingerprint, long from, long to) {
        for (LongSet s : days.subMap(Math.floorDiv(from, DAY_MS), true, Math.floorDiv(to, DAY_MS), true).values()) {
            if (s.contains(fingerprint)) {
                return true;
            }
        }
        return false;
    }

    int size() {
        return days.values().stream().mapToInt(LongSet::size).sum();
    }

    private void forgetBefore(long time) {
        long day = Math.floorDiv(time, DAY_MS);
        Iterator<Map.Entry<Long, LongSet>> it = days.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, LongSet> e = it.next();
            if (e.getKey() >= day) {
                break;
            }
            it.remove();
            floor = Math.max(floor, (e.getKey() + 1) * DAY_MS);
        }
    }

    /** Open addressing, linear probing; 0 marks a free slot, so fingerprint 0 is stored as 1. */
    static final class LongSet {
        private long[] slots = new long[64];
        private int size;

        boolean add(long v) {
            long x = v == 0 ? 1 : v;
            if (size * 2 >= slots.length) {
                grow();
            }
            int mask = slots.length - 1;
            int i = spread(x) & mask;
            while (slots[i] != 0) {
                if (slots[i] == x) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            slots[i] = x;
            size++;
            return true;
        }

        boolean contains(long v) {
            long x = v == 0 ? 1 : v;
            int mask = slots.length - 1;
            int i = spread(x) & mask;
            while (slots[i] != 0) {
                if (slots[i] == x) {
                    return true;
                }
                i = (i + 1) & mask;
            }
            return false;
        }

        int size() {
            return size;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            size = 0;
            Arrays.stream(old).filter(x -> x != 0).forEach(this::add);
        }

        private static int spread(long x) {
            long h = x * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }
}
