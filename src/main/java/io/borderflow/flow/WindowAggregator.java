package io.borderflow.flow;

import io.borderflow.config.Watermarks;
import io.borderflow.state.ScanFloor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts records per dimension key in hourly and local-day windows, closing windows by stream
 * time (records and watermarks) and emitting one final result per window and key. A record for a
 * window that has already closed is never dropped: it restates the window (a correction with the
 * next revision) while the closed window is still kept, and is reported as late either way.
 *
 * <p>Keys starting with {@code ~} are watermarks forwarded by the gate: {@code ~wm} moves stream
 * time; {@code ~end|P|N} marks the end of input partition P of N, and once all N have ended every
 * open window closes.
 *
 * @param <V> the value type of counted records
 */
abstract class WindowAggregator<V> implements Processor<String, V, String, SpecificRecord> {
    static final String WATERMARK_KEY = "~wm";
    static final String END_KEY_PREFIX = "~end|";
    private static final String SOURCE_TIME_PREFIX = "source-time|";
    private static final String ENDED_PREFIX = "ended|";
    private static final String LAST_CLOSED_DAY_END = "last-closed-day-end";
    private static final String DECLARED_PARTITIONS = "declared-partitions";

    private final String openStoreName;
    private final String closedStoreName;
    private final String controlStoreName;
    private final boolean hourly;
    protected final FlowSettings settings;
    protected final LocalWindows windows;

    protected ProcessorContext<String, SpecificRecord> context;
    protected KeyValueStore<Bytes, byte[]> open;
    protected KeyValueStore<Bytes, byte[]> closed;
    private KeyValueStore<String, Long> control;
    private final Set<Bytes> dirty = new LinkedHashSet<>();
    /** The watermark: the time every input partition has reached (min over partitions). */
    protected long streamTime = Long.MIN_VALUE;
    private long[] sourceTimes = new long[0];
    /** How many input partitions the watermarks say there are: none of them may be left out. */
    private int declaredPartitions;
    private long lastHourGraceMark = Long.MIN_VALUE;
    private long lastDayGraceMark = Long.MIN_VALUE;
    /** Where the scans for windows to close and to purge start, by window end: below are tombstones. */
    private final ScanFloor openHours = new ScanFloor();
    private final ScanFloor openDays = new ScanFloor();
    private final ScanFloor closedHours = new ScanFloor();
    private final ScanFloor closedDays = new ScanFloor();

    WindowAggregator(FlowSettings settings, String storePrefix, boolean hourly) {
        this.settings = settings;
        this.windows = new LocalWindows(settings.zone());
        this.openStoreName = storePrefix + "-open-windows";
        this.closedStoreName = storePrefix + "-closed-windows";
        this.controlStoreName = storePrefix + "-control";
        this.hourly = hourly;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.open = context.getStateStore(openStoreName);
        this.closed = context.getStateStore(closedStoreName);
        this.control = context.getStateStore(controlStoreName);
        Long declared = control.get(DECLARED_PARTITIONS);
        declaredPartitions = declared == null ? 0 : declared.intValue();
        try (KeyValueIterator<String, Long> it = control.prefixScan(SOURCE_TIME_PREFIX,
                new org.apache.kafka.common.serialization.StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                observe(Integer.parseInt(kv.key.substring(SOURCE_TIME_PREFIX.length())), kv.value);
            }
        }
        if (!settings.liveInterval().isZero()) {
            context.schedule(settings.liveInterval(), PunctuationType.WALL_CLOCK_TIME, now -> emitLive());
        }
    }

    /** What a record adds to a window's two counters. */
    protected abstract long first(V value);

    protected abstract long second(V value);

    /** The output record for a window's counts. */
    protected abstract Record<String, SpecificRecord> result(WindowKey w, WindowCounts c, boolean isFinal);

    /** Called for every counted record, on time or not (e.g. for running totals). */
    protected void counted(String key, V value, long timestamp) {
    }

    /** Reports a record that came after its window closed. */
    protected void late(String key, V value, long timestamp, WindowKey window, boolean restated) {
    }

    /** A local day's windows closed: derived windows can be built from the closed days. */
    protected void dayClosed(long dayEnd) {
    }

    /** A daily window was restated by a late record. */
    protected void dayRestated(WindowKey day, int revision) {
    }

    protected void emitLiveExtras() {
    }

    /** The watermark moved on (for metrics). */
    protected void watermarkAdvanced(long watermark) {
    }

    /**
     * Every hourly window ending at or before {@code hourBoundary} and every daily one ending at
     * or before {@code dayBoundary} is now closed ({@link Long#MAX_VALUE}: all of them, input ended).
     */
    protected void closedThrough(long hourBoundary, long dayBoundary) {
    }

    @Override
    public void process(Record<String, V> record) {
        String key = record.key();
        observe(Gate.sourcePartition(record.headers()), record.timestamp());
        if (key != null && key.startsWith("~")) {
            watermark(key, record.timestamp());
            return;
        }
        long ts = record.timestamp();
        counted(key, record.value(), ts);
        WindowCounts delta = new WindowCounts(first(record.value()), second(record.value()), 0);
        boolean reportedLate = false;
        if (hourly) {
            long start = LocalWindows.hourStart(ts);
            reportedLate = add(new WindowKey(WindowKey.HOUR, start + LocalWindows.HOUR_MS, start, key), delta,
                    settings.hourGrace(), record, false);
        }
        add(new WindowKey(WindowKey.DAY, windows.dayEnd(ts), windows.dayStart(ts), key), delta,
                settings.dayGrace(), record, reportedLate);
        closeDue();
    }

    /** Adds one record to its window; returns true when the window had closed (a late record). */
    private boolean add(WindowKey w, WindowCounts delta, Duration grace, Record<String, V> record, boolean alreadyReported) {
        Bytes k = w.bytes();
        if (w.end() + grace.toMillis() > streamTime) {
            WindowCounts c = WindowCounts.of(open.get(k));
            open.put(k, (c == null ? delta : c.plus(delta)).bytes());
            floor(false, w.size()).wrote(w.end());
            if (!settings.liveInterval().isZero()) {
                dirty.add(k);
            }
            return false;
        }
        WindowCounts c = WindowCounts.of(closed.get(k));
        boolean keep = w.end() > streamTime - settings.correctionsKept().toMillis();
        if (keep) {
            WindowCounts revised = (c == null ? delta : c.plus(delta)).revised();
            closed.put(k, revised.bytes());
            floor(true, w.size()).wrote(w.end());
            context.forward(result(w, revised, true));
            if (w.size() == WindowKey.DAY) {
                dayRestated(w, revised.revision());
            }
        }
        if (!alreadyReported) {
            late(record.key(), record.value(), record.timestamp(), w, keep);
        }
        return true;
    }

    private void watermark(String key, long ts) {
        String[] declared = key.split("\\|");
        if (declared.length >= 2) {
            declare(Integer.parseInt(declared[declared.length - 1]));
        }
        if (key.startsWith(END_KEY_PREFIX)) {
            String[] parts = key.split("\\|");
            int partition = Integer.parseInt(parts[1]);
            long partitions = Long.parseLong(parts[2]);
            control.put(ENDED_PREFIX + partition, partitions);
            long ended = 0;
            List<String> endedKeys = new ArrayList<>();
            try (KeyValueIterator<String, Long> it = control.prefixScan(ENDED_PREFIX,
                    new org.apache.kafka.common.serialization.StringSerializer())) {
                while (it.hasNext()) {
                    KeyValue<String, Long> kv = it.next();
                    endedKeys.add(kv.key);
                    ended++;
                }
            }
            if (ended >= partitions) {
                saveSourceTimes();
                closeUpTo(Long.MAX_VALUE, Long.MAX_VALUE);
                emitLive();
                endedKeys.forEach(control::delete);
            }
            return;
        }
        closeDue();
    }

    /** Moves one input partition's time on; the watermark is the slowest partition's time. */
    private void observe(int partition, long ts) {
        if (partition >= sourceTimes.length) {
            int old = sourceTimes.length;
            sourceTimes = java.util.Arrays.copyOf(sourceTimes, partition + 1);
            java.util.Arrays.fill(sourceTimes, old, sourceTimes.length, Long.MIN_VALUE);
        }
        if (ts > sourceTimes[partition]) {
            sourceTimes[partition] = ts;
            recomputeWatermark();
        }
    }

    private void declare(int partitions) {
        if (partitions > declaredPartitions) {
            declaredPartitions = partitions;
            control.put(DECLARED_PARTITIONS, (long) partitions);
            recomputeWatermark();
        }
    }

    /**
     * The slowest partition's time, once every declared partition has been heard from; never
     * moves back, so a window, once closed, stays closed (a record for it is late, not new).
     */
    private void recomputeWatermark() {
        if (sourceTimes.length < declaredPartitions) {
            return;
        }
        long min = Long.MAX_VALUE;
        for (long t : sourceTimes) {
            min = Math.min(min, t);
        }
        if (min != Long.MIN_VALUE && min > streamTime) {
            streamTime = min;
            watermarkAdvanced(min);
        }
    }

    private long latestSourceTime() {
        long max = 0;
        for (long t : sourceTimes) {
            max = Math.max(max, t);
        }
        return max;
    }

    private void saveSourceTimes() {
        for (int p = 0; p < sourceTimes.length; p++) {
            if (sourceTimes[p] != Long.MIN_VALUE) {
                control.put(SOURCE_TIME_PREFIX + p, sourceTimes[p]);
            }
        }
    }

    /**
     * Closes what stream time has passed; checked when stream time less a grace enters another hour, the only
     * moments a window can become due (windows end on hour boundaries).
     */
    private void closeDue() {
        if (streamTime == Long.MIN_VALUE) {
            return;
        }
        long hourBoundary = streamTime - settings.hourGrace().toMillis();
        long dayBoundary = streamTime - settings.dayGrace().toMillis();
        long hourMark = Math.floorDiv(hourBoundary, LocalWindows.HOUR_MS);
        long dayMark = Math.floorDiv(dayBoundary, LocalWindows.HOUR_MS);
        if (hourMark == lastHourGraceMark && dayMark == lastDayGraceMark) {
            return;
        }
        lastHourGraceMark = hourMark;
        lastDayGraceMark = dayMark;
        saveSourceTimes();
        closeUpTo(hourBoundary, dayBoundary);
        long purgeBefore = streamTime - settings.correctionsKept().toMillis();
        purge(WindowKey.HOUR, purgeBefore);
        purge(WindowKey.DAY, purgeBefore);
    }

    private void closeUpTo(long hourBoundary, long dayBoundary) {
        if (hourly) {
            closeSize(WindowKey.HOUR, hourBoundary);
        }
        Set<Long> dayEnds = closeSize(WindowKey.DAY, dayBoundary);
        closedThrough(hourBoundary, dayBoundary);
        // Days close by stream time, whether or not this task had traffic on them, so windows
        // derived from several days (7d) come out for every day in every task.
        long upTo = dayBoundary == Long.MAX_VALUE ? windows.dayEnd(latestSourceTime()) : windows.dayStart(dayBoundary);
        Long last = control.get(LAST_CLOSED_DAY_END);
        long from;
        if (last != null) {
            from = last;
        } else if (!dayEnds.isEmpty()) {
            long first = dayEnds.stream().min(Long::compare).orElseThrow();
            from = windows.dayStart(first - 1);
        } else {
            return;
        }
        long end = from;
        while (true) {
            long next = windows.dayEnd(end);
            if (next > upTo) {
                break;
            }
            dayClosed(next);
            end = next;
        }
        if (end != from) {
            control.put(LAST_CLOSED_DAY_END, end);
        }
    }

    /** Moves every open window of this size ending at or before the boundary to the closed store. */
    private Set<Long> closeSize(char size, long boundary) {
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        ScanFloor floor = floor(false, size);
        if (floor.from(0) > boundary) {
            return new HashSet<>(); // nothing below the boundary (e.g. after the end of input); a scan would be reversed
        }
        try (KeyValueIterator<Bytes, byte[]> it = open.range(WindowKey.lowest(size, floor.from(0)),
                WindowKey.above(size, boundary))) {
            while (it.hasNext()) {
                due.add(it.next());
            }
        }
        floor.cleared(boundary);
        Set<Long> ends = new HashSet<>();
        for (KeyValue<Bytes, byte[]> kv : due) {
            WindowKey w = WindowKey.of(kv.key);
            WindowCounts c = WindowCounts.of(kv.value);
            context.forward(result(w, c, true));
            closed.put(kv.key, c.bytes());
            floor(true, size).wrote(w.end());
            open.put(kv.key, null); // a delete without reading the old value, as delete() does
            dirty.remove(kv.key);
            ends.add(w.end());
        }
        return ends;
    }

    private void purge(char size, long before) {
        List<Bytes> old = new ArrayList<>();
        ScanFloor floor = floor(true, size);
        if (floor.from(0) > before) {
            return;
        }
        try (KeyValueIterator<Bytes, byte[]> it = closed.range(WindowKey.lowest(size, floor.from(0)),
                WindowKey.above(size, before))) {
            while (it.hasNext()) {
                old.add(it.next().key);
            }
        }
        floor.cleared(before);
        old.forEach(k -> closed.put(k, null));
    }

    private ScanFloor floor(boolean closedStore, char size) {
        if (closedStore) {
            return size == WindowKey.HOUR ? closedHours : closedDays;
        }
        return size == WindowKey.HOUR ? openHours : openDays;
    }

    /** Sum of the closed daily windows of a key whose ends fall in [fromEnd, toEnd]. */
    protected WindowCounts closedDays(String key, List<Long> dayEnds) {
        WindowCounts sum = WindowCounts.ZERO;
        boolean any = false;
        for (long end : dayEnds) {
            long start = windows.dayStart(end - 1);
            WindowCounts c = WindowCounts.of(closed.get(new WindowKey(WindowKey.DAY, end, start, key).bytes()));
            if (c != null) {
                sum = sum.plus(c);
                any = true;
            }
        }
        return any ? sum : null;
    }

    /** Keys with a closed daily window ending in [fromEnd, toEnd]. */
    protected Set<String> keysWithClosedDays(long fromEnd, long toEnd) {
        Set<String> keys = new LinkedHashSet<>();
        try (KeyValueIterator<Bytes, byte[]> it = closed.range(WindowKey.lowest(WindowKey.DAY, fromEnd),
                WindowKey.above(WindowKey.DAY, toEnd))) {
            while (it.hasNext()) {
                keys.add(WindowKey.of(it.next().key).key());
            }
        }
        return keys;
    }

    private void emitLive() {
        for (Bytes k : dirty) {
            WindowCounts c = WindowCounts.of(open.get(k));
            if (c != null) {
                context.forward(result(WindowKey.of(k), c, false));
            }
        }
        dirty.clear();
        emitLiveExtras();
    }
}
