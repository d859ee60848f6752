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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;

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
 * Every live interval of wall-clock time the open hour's counts so far go on too (see {@link #sendOpenHours}).
 * Partial counts live in a state store, so they commit with the input offsets (exactly-once).
 */
final class FlowGate implements Processor<byte[], byte[], String, SpecificRecord> {
    /**
     * Event ids seen, as 16-byte digests in batches ({@link DedupeBatches}). v2 held one record per id keyed by its
     * digest, v1 ({@code flow-dedupe}) one per id keyed by the id itself. A new name, so a new changelog: the
     * formats never meet.
     */
    static final String DEDUPE_STORE = "flow-dedupe-v3";
    static final String PARTIALS_STORE = "flow-partials";
    static final String UNKNOWN_REGION = "unknown";
    static final String NATIONAL_KEY = "NATIONAL:KZ";
    /** Between the parts of a partial count's key ({@link #partialKey}). */
    private static final String SEPARATOR = "\u0000";

    private final Duration dedupeHorizon;
    private final Duration liveInterval;
    private final long hourGraceMs;
    /** The last hour whose grace this task's time was reported past (see {@link #reportGracePassed}). */
    private long graceReportedHour = Long.MIN_VALUE;
    private final String checkpointStore;
    /** The latest record time of this task since it started (not stored: the next record sets it again). */
    private long streamTime = Long.MIN_VALUE;
    private ProcessorContext<String, SpecificRecord> context;
    private FlowMetrics metrics;
    private WindowStore<Bytes, byte[]> seen;
    private RecentIds recent;
    private DedupeBatches batches;
    private final MessageDigest md5 = md5();
    private HourlyPartials partials;
    private TimestampedKeyValueStore<String, Checkpoint> checkpoints;
    private final InputCheck check;

    /**
     * @param liveInterval how often the open hour's counts go on as well (zero: only when the hour is over)
     * @param hourGrace    the aggregation's grace for hourly windows: it hears when this task's time passes it
     */
    FlowGate(Duration dedupeHorizon, Duration liveInterval, Duration hourGrace, String checkpointStore, ZoneId zone) {
        this.dedupeHorizon = dedupeHorizon;
        this.liveInterval = liveInterval;
        this.hourGraceMs = hourGrace.toMillis();
        this.checkpointStore = checkpointStore;
        this.check = new InputCheck(zone);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.metrics = new FlowMetrics(context);
        this.seen = context.getStateStore(DEDUPE_STORE);
        this.recent = new RecentIds(dedupeRetention(dedupeHorizon).toMillis());
        // The ids in memory mirror the store, which after a restart or a restore is the truth.
        long highestBatch = -1;
        try (KeyValueIterator<Windowed<Bytes>, byte[]> all = seen.all()) {
            while (all.hasNext()) {
                KeyValue<Windowed<Bytes>, byte[]> kv = all.next();
                DedupeBatches.forEach(kv.key.window().start(), kv.value, recent::add);
                highestBatch = Math.max(highestBatch, DedupeBatches.number(kv.key.key()));
            }
        }
        this.batches = new DedupeBatches(highestBatch + 1);
        this.partials = new HourlyPartials(context.getStateStore(PARTIALS_STORE));
        this.checkpoints = context.getStateStore(checkpointStore);
        if (!liveInterval.isZero()) {
            // Input at the pace of real life stays in one hour for an hour: without this, the live net flows would
            // show an hour only once it is over.
            context.schedule(liveInterval, PunctuationType.WALL_CLOCK_TIME, now -> sendOpenHours());
        }
    }

    private void sendOpenHours() {
        if (streamTime != Long.MIN_VALUE) {
            partials.sendOpenHoursTo(context, streamTime, Gate.source(context), FlowGate::keys);
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        streamTime = Math.max(streamTime, record.timestamp());
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
        long from = ts - dedupeHorizon.toMillis();
        long to = ts + dedupeHorizon.toMillis();
        ByteBuffer digest = ByteBuffer.wrap(md5.digest(c.getEventId().getBytes(StandardCharsets.UTF_8)));
        long hi = digest.getLong();
        long lo = digest.getLong();
        // The ids in memory are all the store would answer (see dedupeRetention): the store is never read here.
        long earlier = recent.seenAt(hi, lo, from, to);
        if (earlier != RecentIds.NOT_SEEN) {
            Gate.forwardDeadLetter(context, record, "DUPLICATE",
                    "eventId seen before at " + Instant.ofEpochMilli(earlier) + "; counted once", metrics);
            return;
        }
        recent.add(hi, lo, ts);
        DedupeBatches.Stored batch = batches.add(hi, lo, ts);
        seen.put(batch.key(), batch.value(), batch.hourStart());

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
        long hour = LocalWindows.hourStart(ts);
        if (partials.handedOver(hour)) {
            String[] keys = keys(c.getCheckpoint(), region, c.getCitizenship());
            Crossing enriched = region.equals(c.getRegion()) ? c : Crossing.newBuilder(c).setRegion(region).build();
            Headers source = Gate.source(context);
            boolean entry = enriched.getDirection() == Direction.ENTRY;
            for (String key : keys) {
                context.forward(new Record<>(key, new FlowDelta(entry ? 1L : 0L, entry ? 0L : 1L, enriched), ts, source));
            }
            return;
        }
        int exit = c.getDirection() == Direction.ENTRY ? 0 : 1;
        // One count per checkpoint, region and citizenship; the hand-over sums them into the four dimensions.
        partials.add(hour, partialKey(c.getCheckpoint(), region, c.getCitizenship()), 1 - exit, exit);
        if (handOver(hour)) {
            // Tell the aggregator how far this partition has got, not just up to the hour handed over.
            context.forward(new Record<>(WindowAggregator.WATERMARK_KEY, null, ts, Gate.source(context)));
        }
        reportGracePassed();
    }

    /**
     * Tells the aggregator once an hour when this task's time has passed the hour before's grace, so that hour can
     * close then: the hand-over alone reports a partition's time at hour starts, which left every hour open until
     * the next one began (an hour more than the grace, at the pace of real life).
     */
    private void reportGracePassed() {
        long graceHour = Math.floorDiv(streamTime - hourGraceMs, LocalWindows.HOUR_MS);
        if (graceHour != graceReportedHour) {
            graceReportedHour = graceHour;
            context.forward(new Record<>(WindowAggregator.WATERMARK_KEY, null, streamTime, Gate.source(context)));
        }
    }

    /** Sends on the partial counts of every hour before {@code before}; false if there was nothing new. */
    private boolean handOver(long before) {
        return partials.handOverTo(context, before, Gate.source(context), FlowGate::keys);
    }

    /** The four dimension keys a crossing counts under. */
    private static String[] keys(String checkpoint, String region, String citizenship) {
        return new String[] {"CHECKPOINT:" + checkpoint, "REGION:" + region, "CITIZENSHIP:" + citizenship, NATIONAL_KEY};
    }

    /**
     * A partial count's key: {@code <checkpoint length> SEPARATOR checkpoint region SEPARATOR citizenship}. The
     * length makes it unambiguous whatever the checkpoint code and the region name hold; a citizenship is letters.
     */
    static String partialKey(String checkpoint, String region, String citizenship) {
        return checkpoint.length() + SEPARATOR + checkpoint + region + SEPARATOR + citizenship;
    }

    /**
     * How long the dedupe store keeps a batch, in event time behind the latest: twice the horizon (a crossing may
     * come up to a horizon late and look a horizon back), and an hour, as a batch is stamped with its hour's start.
     * The ids in memory are kept as long, to the whole day, so they hold all that the store's fetches still show.
     */
    static Duration dedupeRetention(Duration horizon) {
        return horizon.multipliedBy(2).plusHours(1);
    }

    /** The dimension keys of a partial's key; a key of an earlier version (one dimension key) as it is. */
    static String[] keys(String partialKey) {
        int first = partialKey.indexOf(SEPARATOR);
        int last = partialKey.lastIndexOf(SEPARATOR);
        if (first <= 0 || last == first) {
            return new String[] {partialKey};
        }
        int checkpointEnd;
        try {
            checkpointEnd = first + 1 + Integer.parseInt(partialKey.substring(0, first));
        } catch (NumberFormatException e) {
            return new String[] {partialKey};
        }
        return keys(partialKey.substring(first + 1, checkpointEnd), partialKey.substring(checkpointEnd, last),
                partialKey.substring(last + 1));
    }

    private static MessageDigest md5() {
        try {
            // Not for security: a well-spread 128-bit key for an id of any length; every JDK has MD5.
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
