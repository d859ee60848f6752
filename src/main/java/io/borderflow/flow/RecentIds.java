package io.borderflow.flow;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * The event ids the gate has counted, as 128-bit digests with their event times, by UTC day of event time: the
 * dedupe check, answered in memory. It is filled from the dedupe store when a task starts and then gets every id
 * the task adds; it forgets whole days once they are older than the store's retention, so it holds at least what
 * the store would still return, and no lookup needs a store read.
 */
final class RecentIds {
    /** What {@link #seenAt} answers for an id not seen in the times asked about. */
    static final long NOT_SEEN = Long.MIN_VALUE;
    private static final long DAY_MS = 86_400_000L;
    private final long keepMs;
    private final TreeMap<Long, IdSet> days = new TreeMap<>();
    private long maxTime = Long.MIN_VALUE;

    /** @param keepMs how far behind the latest event time ids are kept (the store's retention) */
    RecentIds(long keepMs) {
        this.keepMs = keepMs;
    }

    void clear() {
        days.clear();
        maxTime = Long.MIN_VALUE;
    }

    /** @param time the event time; never {@link #NOT_SEEN} */
    void add(long hi, long lo, long time) {
        days.computeIfAbsent(Math.floorDiv(time, DAY_MS), d -> new IdSet()).add(hi, lo, time);
        if (time > maxTime) {
            maxTime = time;
            forgetBefore(time - keepMs);
        }
    }

    /** An event time in [from, to] at which the id was seen, or {@link #NOT_SEEN}. */
    long seenAt(long hi, long lo, long from, long to) {
        for (IdSet s : days.subMap(Math.floorDiv(from, DAY_MS), true, Math.floorDiv(to, DAY_MS), true).values()) {
            long t = s.seenAt(hi, lo, from, to);
            if (t != NOT_SEEN) {
                return t;
            }
        }
        return NOT_SEEN;
    }

    int size() {
        return days.values().stream().mapToInt(IdSet::size).sum();
    }

    private void forgetBefore(long time) {
        long day = Math.floorDiv(time, DAY_MS);
        Iterator<Map.Entry<Long, IdSet>> it = days.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, IdSet> e = it.next();
            if (e.getKey() >= day) {
                break;
            }
            it.remove();
        }
    }

    /**
     * Digests with their times; open addressing on the digest's first half (an MD5 is well spread), linear probing.
     * An id may be held twice (seen again outside the dedupe horizon, which can be shorter than a day). A slot is
     * three adjacent longs (time, high half, low half), so a probe and its neighbours share cache lines: nearly every
     * lookup is of a new id, which probes to an empty slot, and three parallel arrays cost three misses a probe.
     */
    static final class IdSet {
        private static final int SLOT = 3;
        private long[] slots = emptySlots(64);
        private int capacity = 64;
        private int size;

        void add(long hi, long lo, long time) {
            if (size * 2 >= capacity) {
                grow();
            }
            int mask = capacity - 1;
            int i = spread(hi) & mask;
            while (slots[i * SLOT] != NOT_SEEN) {
                i = (i + 1) & mask;
            }
            int at = i * SLOT;
            slots[at] = time;
            slots[at + 1] = hi;
            slots[at + 2] = lo;
            size++;
        }

        long seenAt(long hi, long lo, long from, long to) {
            int mask = capacity - 1;
            int i = spread(hi) & mask;
            long time;
            while ((time = slots[i * SLOT]) != NOT_SEEN) {
                int at = i * SLOT;
                if (slots[at + 1] == hi && slots[at + 2] == lo && time >= from && time <= to) {
                    return time;
                }
                i = (i + 1) & mask;
            }
            return NOT_SEEN;
        }

        int size() {
            return size;
        }

        private void grow() {
            long[] old = slots;
            capacity *= 2;
            slots = emptySlots(capacity);
            size = 0;
            for (int at = 0; at < old.length; at += SLOT) {
                if (old[at] != NOT_SEEN) {
                    add(old[at + 1], old[at + 2], old[at]);
                }
            }
        }

        private static long[] emptySlots(int n) {
            long[] s = new long[n * SLOT];
            for (int at = 0; at < s.length; at += SLOT) {
                s[at] = NOT_SEEN;
            }
            return s;
        }

        private static int spread(long x) {
            long h = x * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }
}
