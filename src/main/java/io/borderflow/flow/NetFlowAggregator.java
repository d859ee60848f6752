package io.borderflow.flow;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.FlowDelta;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.PresentStock;
import io.borderflow.config.Topics;
import io.borderflow.metrics.BorderMetrics;
import io.borderflow.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Entries and exits per dimension key ({@code CHECKPOINT:SYRYM}, {@code REGION:Kostanay},
 * {@code CITIZENSHIP:RU}, {@code NATIONAL:KZ}) in hourly, daily and 7-day windows, plus the
 * running present stock per citizenship and region. 7-day windows are built from the closed days
 * when a day closes, so their cost is per window, not per record.
 */
final class NetFlowAggregator extends WindowAggregator<FlowDelta> {
    static final String STORE_PREFIX = "flow";
    static final String PRESENT_STORE = "flow-present-stock";
    private static final int WEEK_DAYS = 7;

    private KeyValueStore<String, Long> present;
    private final Set<String> dirtyStock = new LinkedHashSet<>();

    NetFlowAggregator(FlowSettings settings) {
        super(settings, STORE_PREFIX, true);
    }

    private FlowMetrics metrics;
    private final BorderMetrics border = BorderMetrics.global();
    private TimestampedKeyValueStore<String, Checkpoint> checkpoints;
    private String task;

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        task = context.taskId().toString();
        super.init(context);
        metrics = new FlowMetrics(context);
        present = context.getStateStore(PRESENT_STORE);
        checkpoints = context.getStateStore(NetFlowTopology.CHECKPOINTS_STORE);
        restoreGauges();
    }

    @Override
    public void close() {
        if (task != null) {
            border.forgetSource(task);
        }
    }

    /**
     * After a restart the gauges show what the stores hold: present stock, and the last closed
     * hourly and daily windows (the ones ending at the boundary the watermark has passed).
     */
    private void restoreGauges() {
        try (KeyValueIterator<String, Long> it = present.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                presentGauge(kv.key, kv.value);
            }
        }
        if (streamTime == Long.MIN_VALUE) {
            return;
        }
        long hourEnd = LocalWindows.hourStart(streamTime - settings.hourGrace().toMillis());
        long dayEnd = windows.dayStart(streamTime - settings.dayGrace().toMillis());
        for (WindowKey last : new WindowKey[] {new WindowKey(WindowKey.HOUR, hourEnd, 0, ""),
                new WindowKey(WindowKey.DAY, dayEnd, 0, "")}) {
            try (KeyValueIterator<Bytes, byte[]> it = closed.range(WindowKey.lowest(last.size(), last.end()),
                    WindowKey.above(last.size(), last.end()))) {
                while (it.hasNext()) {
                    KeyValue<Bytes, byte[]> kv = it.next();
                    windowGauges(WindowKey.of(kv.key), WindowCounts.of(kv.value));
                }
            }
        }
        closedThrough(streamTime - settings.hourGrace().toMillis(), streamTime - settings.dayGrace().toMillis());
    }

    @Override
    protected void watermarkAdvanced(long watermark) {
        border.eventTime("flow", task, watermark);
    }

    @Override
    protected void closedThrough(long hourBoundary, long dayBoundary) {
        if (hourBoundary != Long.MAX_VALUE) {
            border.windowsClosedThrough(task, "1h", LocalWindows.hourStart(hourBoundary));
        }
        if (dayBoundary != Long.MAX_VALUE) {
            border.windowsClosedThrough(task, "1d", windows.dayStart(dayBoundary));
        }
    }

    private void windowGauges(WindowKey w, WindowCounts c) {
        String key = w.key();
        int colon = key.indexOf(':');
        String dimension = key.substring(0, colon);
        String value = key.substring(colon + 1);
        String region = null;
        if (dimension.equals("CHECKPOINT")) {
            ValueAndTimestamp<Checkpoint> known = checkpoints.get(value);
            if (known == null || known.value() == null) {
                // Counted under region unknown and reported to data quality; its code is no label.
                return;
            }
            region = known.value().getRegion();
        }
        border.windowClosed(task, w.window(), dimension, value, region, c.first(), c.second(), w.end());
    }

    private void presentGauge(String key, long value) {
        int colon = key.indexOf(':');
        border.presentStock(task, key.substring(0, colon), key.substring(colon + 1), value);
    }

    @Override
    protected long first(FlowDelta d) {
        return d.getEntries();
    }

    @Override
    protected long second(FlowDelta d) {
        return d.getExits();
    }

    @Override
    protected void counted(String key, FlowDelta d, long timestamp) {
        if (key.startsWith("CITIZENSHIP:") || key.startsWith("REGION:")) {
            Long now = present.get(key);
            long next = (now == null ? 0 : now) + d.getEntries() - d.getExits();
            present.put(key, next);
            dirtyStock.add(key);
            presentGauge(key, next);
        }
    }

    @Override
    protected void emitLiveExtras() {
        for (String key : dirtyStock) {
            int colon = key.indexOf(':');
            Long value = present.get(key);
            context.forward(new Record<>(key, new PresentStock(key.substring(0, colon).toLowerCase(),
                    key.substring(colon + 1), value == null ? 0 : value, Instant.ofEpochMilli(Math.max(streamTime, 0))),
                    Math.max(streamTime, 0)));
        }
        dirtyStock.clear();
    }

    @Override
    protected Record<String, SpecificRecord> result(WindowKey w, WindowCounts c, boolean isFinal) {
        if (isFinal) {
            windowGauges(w, c);
        }
        return window(w.key(), w.window(), w.start(), w.end(), c, isFinal);
    }

    private Record<String, SpecificRecord> window(String key, String window, long start, long end, WindowCounts c,
                                                  boolean isFinal) {
        int colon = key.indexOf(':');
        NetFlowWindow v = new NetFlowWindow(FlowDimension.valueOf(key.substring(0, colon)), key.substring(colon + 1),
                window, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), c.first(), c.second(),
                c.first() - c.second(), isFinal, c.revision());
        // Live records are compacted per window; final ones are keyed by dimension key, in window order.
        String outKey = isFinal ? key : key + "|" + window + "|" + start;
        return new Record<>(outKey, v, end - 1);
    }

    @Override
    protected void dayClosed(long dayEnd) {
        List<Long> ends = weekEnding(dayEnd);
        for (String key : keysWithClosedDays(ends.get(0), dayEnd)) {
            WindowCounts sum = closedDays(key, ends);
            context.forward(window(key, "7d", weekStart(dayEnd), dayEnd,
                    new WindowCounts(sum.first(), sum.second(), 0), true));
        }
    }

    @Override
    protected void dayRestated(WindowKey day, int revision) {
        LocalDate d = windows.day(day.start());
        for (int i = 0; i < WEEK_DAYS; i++) {
            long end = windows.startOf(d.plusDays(i + 1L));
            if (end + settings.dayGrace().toMillis() > streamTime) {
                break;
            }
            WindowCounts sum = closedDays(day.key(), weekEnding(end));
            context.forward(window(day.key(), "7d", weekStart(end), end,
                    new WindowCounts(sum.first(), sum.second(), revision), true));
        }
    }

    @Override
    protected void late(String key, FlowDelta d, long timestamp, WindowKey window, boolean restated) {
        // One report per crossing: the gate fans each crossing out to four keys, one of them national.
        // Hourly partial counts cannot be late (the gate hands an hour over before its partition
        // moves past it), so a late record always carries its crossing.
        Crossing c = d.getCrossing();
        if (!key.startsWith("NATIONAL:") || c == null) {
            return;
        }
        metrics.record(FlowMetrics.Reason.LATE);
        border.late(window.window(), "flow");
        String traveller = c.getTravellerId() != null ? c.getTravellerId() : c.getEventId();
        String detail = window.window() + " window " + Instant.ofEpochMilli(window.start()) + "/"
                + Instant.ofEpochMilli(window.end()) + " had closed at stream time " + Instant.ofEpochMilli(streamTime)
                + (restated ? "; restated in " + Topics.NET_FLOW_CORRECTIONS.name() : "; too old to restate");
        DeadLetter late = new DeadLetter(Topics.CROSSINGS.name(), -1, -1L,
                ByteBuffer.wrap(traveller.getBytes(StandardCharsets.UTF_8)),
                ByteBuffer.wrap(AvroSerde.of(Crossing.class).encode(c)), "LATE", detail, Instant.ofEpochMilli(timestamp),
                null);
        context.forward(new Record<>(c.getEventId(), late, timestamp));
    }

    private List<Long> weekEnding(long dayEnd) {
        LocalDate last = windows.day(dayEnd - 1);
        List<Long> ends = new ArrayList<>(WEEK_DAYS);
        for (int i = WEEK_DAYS - 1; i >= 0; i--) {
            ends.add(windows.startOf(last.minusDays(i - 1L)));
        }
        return ends;
    }

    private long weekStart(long dayEnd) {
        return windows.startOf(windows.day(dayEnd - 1).minusDays(WEEK_DAYS - 1L));
    }
}
