package io.borderflow.stay;

import io.borderflow.avro.ArrivalCohort;
import io.borderflow.stay.StayCounters.Counter;
import io.borderflow.stay.TravellerState.Visit;
import java.nio.ByteBuffer;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.function.ObjLongConsumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Arrival cohorts ("who stayed"), kept by the stay-track processor next to the stay rules. Each traveller whose
 * first crossing seen is an entry joins the cohort of that entry's ISO week and citizenship; the facts that can
 * still change are a few flag bits in the traveller's state ({@link TravellerState#cohortFlags}). Each change of
 * a flag is forwarded as a delta: an {@link ArrivalCohort} keyed {@code week|citizenship} holding 0/1 counts,
 * which {@link StayTopology} sums per key after a repartition (one traveller's facts live in one task; a
 * cohort's travellers in all of them).
 *
 * <p>"Still present N days after entry" is decided once per traveller and threshold: on the exit that ends the
 * stay begun at the first entry (yes when that exit is on entry day + N or later), or, while that stay is open,
 * by the midnight sweep of day entry + N, found through the stay tracker's due index
 * ({@value StayTopology#DUE_INDEX_STORE}: the traveller's one key is on the eve of the next threshold, or on the
 * review day if that is earlier, {@link TravellerState#indexDay()}), so a sweep costs the travellers due, not all.
 * The full definitions are in docs/stay-rules.md, "Cohorts".
 */
final class Cohorts {
    static final int IIN = 1;
    static final int HOST = 1 << 1;
    static final int PERMIT = 1 << 2;
    static final int LEFT = 1 << 3;
    static final int BACK = 1 << 4;
    /** Bits 5-6: how many of {@link #THRESHOLDS} are decided (thresholds are decided in order). */
    private static final int DECIDED_SHIFT = 5;
    private static final int DECIDED_MASK = 3 << DECIDED_SHIFT;
    /** Days after entry at which presence is taken: entry day + N. */
    static final int[] THRESHOLDS = {30, 90, 180};
    /** An IIN application counts from the entry day to entry day + 30. */
    static final int IIN_DAYS = 30;
    private static final long NONE = TravellerState.NONE;

    // Positions in a delta; the order of ArrivalCohort's count fields.
    private static final int ENTERED = 0;
    private static final int IIN_30 = 1;
    private static final int HOST_NOTIFIED = 2;
    private static final int RESIDENCE_PERMIT = 3;
    private static final int DECIDED_30 = 4; // then present30, decided90, present90, decided180, present180
    private static final int LEFT_COUNT = 10;
    private static final int CAME_BACK = 11;
    private static final int FIELDS = 12;

    private final ProcessorContext<String, SpecificRecord> context;
    private final KeyValueStore<String, byte[]> travellers;
    private final ObjLongConsumer<Counter> counter;
    /** Deltas not yet sent on, summed per cohort key; null: each delta goes on at once. */
    private final KeyValueStore<String, byte[]> pending;
    private final long handoverMs;
    /**
     * What {@link #pending} holds (it is written only here), in key order. The hand-over reads this rather than
     * scanning the store: a scan walks the tombstones of every hand-over before it (RocksDB keeps them until
     * compaction), which late in the whole surge cost 5 % of the stream thread. Each delta reads its sum from here
     * too, not from the store.
     */
    private final TreeMap<String, byte[]> pendingSums = new TreeMap<>();
    /** Stream time divided by the hand-over interval at the last hand-over. */
    private long handedOverPeriod = Long.MIN_VALUE;

    Cohorts(ProcessorContext<String, SpecificRecord> context, KeyValueStore<String, byte[]> travellers,
            ObjLongConsumer<Counter> counter, KeyValueStore<String, byte[]> pending,
            java.time.Duration handover) {
        this.context = context;
        this.travellers = travellers;
        this.counter = counter;
        this.handoverMs = handover.toMillis();
        this.pending = handoverMs > 0 ? pending : null;
        if (this.pending != null) {
            // Sums a run before this one had not sent on yet.
            try (KeyValueIterator<String, byte[]> it = pending.all()) {
                it.forEachRemaining(kv -> pendingSums.put(kv.key, kv.value));
            }
        }
    }

    // ---- hand-over of summed deltas ------------------------------------------------------------

    /** At stream time: sends on what was summed, once per hand-over interval. */
    void tick(long streamTime) {
        if (pending == null) {
            return;
        }
        long period = Math.floorDiv(streamTime, handoverMs);
        if (period > handedOverPeriod) {
            handOver();
            handedOverPeriod = period;
        }
    }

    /** Sends on every summed delta now (the end of input, or an interval passed), one record per cohort. */
    void handOver() {
        if (pending == null) {
            return;
        }
        List<KeyValue<String, byte[]>> all = new ArrayList<>(pendingSums.size());
        pendingSums.forEach((key, value) -> all.add(KeyValue.pair(key, value)));
        pendingSums.clear();
        for (KeyValue<String, byte[]> kv : all) {
            ByteBuffer b = ByteBuffer.wrap(kv.value);
            long[] d = new long[FIELDS];
            for (int i = 0; i < FIELDS; i++) {
                d[i] = b.getLong();
            }
            long time = b.getLong();
            int bar = kv.key.indexOf('|');
            LocalDate week = LocalDate.parse(kv.key.substring(0, bar));
            String citizenship = kv.key.substring(bar + 1);
            context.forward(new Record<>(kv.key, row(week, citizenship, d, Instant.ofEpochMilli(time)), time));
            pending.put(kv.key, null);
        }
    }

    private void addPending(String key, long[] d, long timestamp) {
        byte[] old = pendingSums.get(key);
        ByteBuffer b = ByteBuffer.allocate((FIELDS + 1) * Long.BYTES);
        ByteBuffer o = old == null ? null : ByteBuffer.wrap(old);
        for (int i = 0; i < FIELDS; i++) {
            b.putLong(d[i] + (o == null ? 0 : o.getLong()));
        }
        b.putLong(o == null ? timestamp : Math.max(timestamp, o.getLong()));
        byte[] sum = b.array();
        pending.put(key, sum);
        pendingSums.put(key, sum);
    }

    // ---- hooks of the stay-track processor ------------------------------------------------------

    /**
     * After an in-order crossing was applied to {@code st} (not yet pruned; saved by the caller).
     *
     * @param first whether the traveller had no crossing before this one (new, forgotten, or only a permit known)
     */
    void crossing(String id, TravellerState st, boolean first, boolean entry, long day, String citizenship,
                  long timestamp) {
        if (first) {
            // An exit first: inside when the data started, so no arrival to count, now or on a later entry.
            if (entry) {
                st.cohortEntry = day;
                st.cohortCitizenship = citizenship == null ? "" : citizenship.strip().toUpperCase(Locale.ROOT);
                st.cohortFlags = 0;
                long[] d = new long[FIELDS];
                d[ENTERED] = 1;
                counter.accept(Counter.COHORT_ARRIVALS, 1);
                emit(st, d, timestamp);
            }
            return;
        }
        if (st.cohortEntry == NONE) {
            return;
        }
        long[] d = new long[FIELDS];
        if ((st.cohortFlags & LEFT) == 0) {
            // The stay begun at the first entry ends: by this exit, or, for an entry while present, by the exit
            // the missed-exit rule presumed (already set on the stay before the new one).
            long exit = day;
            if (entry) {
                int n = st.stays.size();
                Visit before = n >= 2 ? st.stays.get(n - 2) : null;
                exit = before != null && !before.open() ? before.exit : day;
            }
            leave(st, exit, d);
            if (entry) {
                cameBack(st, d);
            }
        } else if ((st.cohortFlags & BACK) == 0) {
            // Any crossing after leaving: an entry, or an exit whose entry the data lacks (presumed).
            cameBack(st, d);
        } else {
            return;
        }
        emit(st, d, timestamp);
    }

    /** An IIN application (stage APPLIED) made on {@code day}. Changes no state other than the flag. */
    void iinApplied(String id, long day, long timestamp) {
        note(id, day, IIN, timestamp);
    }

    /** A host notification registered on {@code day}. */
    void hostNotified(String id, long day, long timestamp) {
        note(id, day, HOST, timestamp);
    }

    /** A residence permit registered on {@code day} was added to {@code st} (saved by the caller). */
    void permit(TravellerState st, long day, long timestamp) {
        if (set(st, PERMIT, day)) {
            long[] d = new long[FIELDS];
            d[RESIDENCE_PERMIT] = 1;
            emit(st, d, timestamp);
        }
    }

    /**
     * At the first stream time of local day T, for a member found due by the stay tracker's sweep (after its
     * review; the caller saves the state): every threshold on T or earlier is decided "present", if the first
     * stay is still open. Returns how many were decided.
     */
    int sweep(TravellerState st, long today, long streamTime) {
        long next = dueDay(st);
        if (next == NONE || next >= today) {
            return 0;
        }
        int level = decided(st);
        int first = level;
        long[] d = new long[FIELDS];
        while (level < THRESHOLDS.length && st.cohortEntry + THRESHOLDS[level] <= today) {
            d[DECIDED_30 + 2 * level]++;
            d[DECIDED_30 + 2 * level + 1]++;
            level++;
        }
        setDecided(st, level);
        emit(st, d, streamTime);
        return level - first;
    }

    // ---- rules ---------------------------------------------------------------------------------

    private void leave(TravellerState st, long exit, long[] d) {
        int level = decided(st);
        for (; level < THRESHOLDS.length; level++) {
            d[DECIDED_30 + 2 * level]++;
            if (exit >= st.cohortEntry + THRESHOLDS[level]) {
                d[DECIDED_30 + 2 * level + 1]++;
            }
        }
        setDecided(st, THRESHOLDS.length);
        st.cohortFlags |= LEFT;
        d[LEFT_COUNT]++;
    }

    private static void cameBack(TravellerState st, long[] d) {
        st.cohortFlags |= BACK;
        d[CAME_BACK]++;
    }

    /** A registration or application for a stored traveller: never creates one, and skips a forgotten one. */
    private void note(String id, long day, int flag, long timestamp) {
        byte[] stored = travellers.get(id);
        if (stored == null) {
            return;
        }
        TravellerState st = TravellerState.decode(stored);
        if (st.removable(day) || !set(st, flag, day)) {
            return;
        }
        travellers.put(id, st.encode());
        long[] d = new long[FIELDS];
        d[flag == IIN ? IIN_30 : HOST_NOTIFIED] = 1;
        emit(st, d, timestamp);
    }

    /** Sets a once-only flag of a member, for an event on {@code day} that counts; whether it was newly set. */
    private static boolean set(TravellerState st, int flag, long day) {
        if (st.cohortEntry == NONE || (st.cohortFlags & flag) != 0 || day < st.cohortEntry
                || flag == IIN && day > st.cohortEntry + IIN_DAYS) {
            return false;
        }
        st.cohortFlags |= flag;
        return true;
    }

    /**
     * The day before a member's next "still present" threshold, when the sweep is to decide it; {@code NONE} when
     * none is to come (not a member, left, all decided, or not present: a stay that a late exit closed).
     */
    static long dueDay(TravellerState st) {
        if (st.cohortEntry == NONE || (st.cohortFlags & LEFT) != 0 || !st.present()) {
            return NONE;
        }
        int level = decided(st);
        return level < THRESHOLDS.length ? st.cohortEntry + THRESHOLDS[level] - 1 : NONE;
    }

    static int decided(TravellerState st) {
        return (st.cohortFlags & DECIDED_MASK) >>> DECIDED_SHIFT;
    }

    private static void setDecided(TravellerState st, int level) {
        st.cohortFlags = st.cohortFlags & ~DECIDED_MASK | level << DECIDED_SHIFT;
    }

    private void emit(TravellerState st, long[] d, long timestamp) {
        LocalDate week = week(st.cohortEntry);
        String key = key(week, st.cohortCitizenship);
        if (pending != null) {
            addPending(key, d, timestamp);
            return;
        }
        context.forward(new Record<>(key, row(week, st.cohortCitizenship, d, Instant.ofEpochMilli(timestamp)), timestamp));
    }

    // ---- rows ----------------------------------------------------------------------------------

    /** Monday of the ISO week of an epoch day. */
    static LocalDate week(long epochDay) {
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        return d.minusDays(d.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue());
    }

    /** The key of a cohort on {@code border.cohorts.v1}: {@code 2022-09-19|RU}. */
    static String key(LocalDate week, String citizenship) {
        return week + "|" + citizenship;
    }

    private static ArrivalCohort row(LocalDate week, String citizenship, long[] c, Instant time) {
        return new ArrivalCohort(week, citizenship, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10],
                c[11], time);
    }

    /** Two rows (or deltas) of one cohort added up; the later time. */
    static ArrivalCohort sum(ArrivalCohort a, ArrivalCohort b) {
        Instant time = a.getTime().isAfter(b.getTime()) ? a.getTime() : b.getTime();
        return new ArrivalCohort(a.getWeek(), a.getCitizenship(), a.getEntered() + b.getEntered(),
                a.getIinWithin30Days() + b.getIinWithin30Days(), a.getHostNotified() + b.getHostNotified(),
                a.getResidencePermit() + b.getResidencePermit(), a.getDecided30() + b.getDecided30(),
                a.getPresent30() + b.getPresent30(), a.getDecided90() + b.getDecided90(),
                a.getPresent90() + b.getPresent90(), a.getDecided180() + b.getDecided180(),
                a.getPresent180() + b.getPresent180(), a.getLeft() + b.getLeft(), a.getCameBack() + b.getCameBack(),
                time);
    }
}
