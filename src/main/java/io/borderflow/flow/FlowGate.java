package io.borderflow.flow;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The net-flow topology's entrance: decodes crossings (undecodable ones become dead letters),
 * drops re-sent duplicates (same eventId within the dedupe horizon) to the dead-letter topic,
 * enriches the region from the checkpoints reference data (an unknown checkpoint is counted
 * under region {@code unknown} and reported), and fans each crossing out to its four dimension
 * keys. Watermarks pass on as markers.
 */
final class FlowGate implements Processor<byte[], byte[], String, SpecificRecord> {
    static final String DEDUPE_STORE = "flow-dedupe";
    static final String UNKNOWN_REGION = "unknown";
    static final String NATIONAL_KEY = "NATIONAL:KZ";

    private final Duration dedupeHorizon;
    private final String checkpointStore;
    private ProcessorContext<String, SpecificRecord> context;
    private WindowStore<String, Long> seen;
    private TimestampedKeyValueStore<String, Checkpoint> checkpoints;
    private final AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class);

    FlowGate(Duration dedupeHorizon, String checkpointStore) {
        this.dedupeHorizon = dedupeHorizon;
        this.checkpointStore = checkpointStore;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.seen = context.getStateStore(DEDUPE_STORE);
        this.checkpoints = context.getStateStore(checkpointStore);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (Gate.forwardWatermark(context, record)) {
            return;
        }
        if (record.value() == null) {
            Gate.forwardDeadLetter(context, record, "EMPTY", "a record with no value and no watermark header");
            return;
        }
        Crossing c;
        try {
            c = serde.deserialize(context.recordMetadata().map(m -> m.topic()).orElse(null), record.value());
        } catch (SerializationException e) {
            Gate.forwardDeadLetter(context, record, "DESERIALIZATION", e.getMessage());
            return;
        }
        long ts = record.timestamp();
        try (WindowStoreIterator<Long> earlier = seen.fetch(c.getEventId(),
                Instant.ofEpochMilli(ts - dedupeHorizon.toMillis()), Instant.ofEpochMilli(ts + dedupeHorizon.toMillis()))) {
            if (earlier.hasNext()) {
                Gate.forwardDeadLetter(context, record, "DUPLICATE",
                        "eventId seen before at " + Instant.ofEpochMilli(earlier.next().value) + "; counted once");
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
                            + UNKNOWN_REGION);
        }
        Crossing enriched = region.equals(c.getRegion()) ? c : Crossing.newBuilder(c).setRegion(region).build();
        forward("CHECKPOINT:" + c.getCheckpoint(), enriched, ts);
        forward("REGION:" + region, enriched, ts);
        forward("CITIZENSHIP:" + c.getCitizenship(), enriched, ts);
        forward(NATIONAL_KEY, enriched, ts);
    }

    private void forward(String key, Crossing c, long ts) {
        context.forward(new Record<>(key, c, ts));
    }
}
