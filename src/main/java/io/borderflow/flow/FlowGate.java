package io.borderflow.flow;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.FlowDelta;
import io.borderflow.config.Watermarks;
import io.borderflow.metrics.BorderMetrics;
import io.borderflow.deadletter.BadInputException;
import io.borderflow.deadletter.InputCheck;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The net-flow topology's entrance: decodes and checks crossings ({@link InputCheck}: undecodable ones and
 * ones with impossible values become dead letters, the only ones of the app for this topic),
 * drops re-sent duplicates (same eventId within the dedupe horizon) to the dead-letter topic,
 * enriches the region from the checkpoints reference data (an unknown checkpoint is counted
 * under region {@code unknown} and reported), and counts each crossing under its four dimension
 * keys.
 *
 * <p>Counting happens here first, per hour of this partition's time, and each finished hour goes
 * on as one partial count per key: a few records an hour instead of four per crossing, which is
 * what made the aggregation stage cheap. A crossing whose hour was already handed over (out of
 * order in its partition) goes on whole, so the aggregator can restate and report it if late.
 * Partial counts live in a state store, so they commit with the input offsets (exactly-once).
 */
final class FlowGate implements Processor<byte[], byte[], String, SpecificRecord> {
    static final String DEDUPE_STORE = "flow-dedupe";
    static final String PARTIALS_STORE = "flow-partials";
    static final String UNKNOWN_REGION = "unknown";
    static final String NATIONAL_KEY = "NATIONAL:KZ";
    private static final Bytes HANDED_OVER = Bytes.wrap(new byte[] {(byte) 0xFF});

    private final Duration dedupeHorizon;
    private final String checkpointStore;
    private ProcessorContext<String, SpecificRecord> context;
    private FlowMetrics metrics;
    private WindowStore<String, Long> seen;
    private KeyValueStore<Bytes, byte[]> partials;
    private TimestampedKeyValueStore<String, Checkpoint> checkpoints;
    private final InputCheck check;
    /** Hours before this (epoch ms) have been handed over. */
    private long handedOver = Long.MIN_VALUE;

    FlowGate(Duration dedupeHorizon, String checkpointStore, ZoneId zone) {
        this.dedupeHorizon = dedupeHorizon;
        this.checkpointStore = checkpointStore;
        this.check = new InputCheck(zone);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.metrics = new FlowMetrics(context);
        this.seen = context.getStateStore(DEDUPE_STORE);
        this.partials = context.getStateStore(PARTIALS_STORE);
        this.checkpoints = context.getStateStore(checkpointStore);
        byte[] saved = partials.get(HANDED_OVER);
        handedOver = saved == null ? Long.MIN_VALUE : ByteBuffer.wrap(saved).getLong();
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String wm = Watermarks.value(record.headers());
        if (wm != null) {
            handOver(Watermarks.isEnd(wm) ? Long.MAX_VALUE : LocalWindows.hourStart(record.timestamp()));
            Gate.forwardWatermark(context, record);
            return;
        }
        Crossing c;
        try {
            c = check.crossing(context.recordMetadata().map(m -> m.topic()).orElse(null), record.value());
        } catch (BadInputException e) {
            Gate.forwardDeadLetter(context, record, e, metrics);
            return;
        }
        long ts = record.timestamp();
        // The long overload: the Instant one formats an error-message prefix on every call (a profile showed it).
        try (WindowStoreIterator<Long> earlier = seen.fetch(c.getEventId(),
                ts - dedupeHorizon.toMillis(), ts + dedupeHorizon.toMillis())) {
            if (earlier.hasNext()) {
                Gate.forwardDeadLetter(context, record, "DUPLICATE",
                        "eventId seen before at " + Instant.ofEpochMilli(earlier.next().value) + "; counted once", metrics);
                return;
            }
        }
        seen.put(c.getEventId(), ts, ts);

        ValueAndTimestamp<Checkpoint> known = checkpoints.get(c.getCheckpoint());
        String region;
        if (known != null && known.value() != null) {
            region = known.value().getRegion();
        } else {
            region = UNKNOWN_REGION;
            Gate.forwardDeadLetter(context, record, "UNKNOWN_CHECKPOINT",
                    "checkpoint '" + c.getCheckpoint() + "' is not in the checkpoints reference data; counted under region "
                            + UNKNOWN_REGION, metrics);
        }
        // An unknown checkpoint code comes from the input, not the reference data: no label of its own.
        BorderMetrics.global().crossing(c.getDirection().name(),
                known != null && known.value() != null ? c.getCheckpoint() : UNKNOWN_REGION);
        String[] keys = {"CHECKPOINT:" + c.getCheckpoint(), "REGION:" + region, "CITIZENSHIP:" + c.getCitizenship(),
                NATIONAL_KEY};
        long hour = LocalWindows.hourStart(ts);
        if (hour < handedOver) {
            Crossing enriched = region.equals(c.getRegion()) ? c : Crossing.newBuilder(c).setRegion(region).build();
            Headers source = Gate.source(context);
            boolean entry = enriched.getDirection() == Direction.ENTRY;
            for (String key : keys) {
                context.forward(new Record<>(key, new FlowDelta(entry ? 1L : 0L, entry ? 0L : 1L, enriched), ts, source));
            }
            return;
        }
        for (String key : keys) {
            Bytes k = partialKey(hour, key);
            WindowCounts now = WindowCounts.of(partials.get(k));
            partials.put(k, (now == null ? WindowCounts.ZERO : now)
                    .add(c.getDirection() == Direction.ENTRY ? 0 : 1).bytes());
        }
        if (handOver(hour)) {
            // Tell the aggregator how far this partition has got, not just up to the hour handed over.
            context.forward(new Record<>(WindowAggregator.WATERMARK_KEY, null, ts, Gate.source(context)));
        }
    }

    /** Sends on the partial counts of every hour before {@code before}; false if there was nothing new. */
    private boolean handOver(long before) {
        if (before <= handedOver) {
            return false;
        }
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = partials.range(partialKey(0, ""), partialKey(before, ""))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (!kv.key.equals(HANDED_OVER)) {
                    due.add(kv);
                }
            }
        }
        Headers source = Gate.source(context);
        for (KeyValue<Bytes, byte[]> kv : due) {
            ByteBuffer b = ByteBuffer.wrap(kv.key.get());
            long hour = b.getLong();
            byte[] key = new byte[b.remaining()];
            b.get(key);
            WindowCounts counts = WindowCounts.of(kv.value);
            // Stamped at the hour's last millisecond: the hour and the local day it falls in.
            context.forward(new Record<>(new String(key, StandardCharsets.UTF_8),
                    new FlowDelta(counts.first(), counts.second(), null), hour + LocalWindows.HOUR_MS - 1, source));
            partials.delete(kv.key);
        }
        handedOver = before == Long.MAX_VALUE ? handedOver : before;
        partials.put(HANDED_OVER, ByteBuffer.allocate(8).putLong(handedOver).array());
        return true;
    }

    private static Bytes partialKey(long hour, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + k.length).putLong(Math.max(0, hour)).put(k).array());
    }
}
