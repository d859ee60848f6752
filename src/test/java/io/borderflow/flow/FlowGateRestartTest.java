package io.borderflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.Direction;
import io.borderflow.avro.FlowDelta;
import io.borderflow.avro.Mode;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;

/** What the gate remembers of the ids it counted, and across a restart: a new gate on the same stores. */
class FlowGateRestartTest {
    private static final Duration HORIZON = Duration.ofDays(7);
    private static final Instant T0 = Instant.parse("2022-09-21T04:00:00Z");
    private static final AvroSerde<Crossing> CROSSING = AvroSerde.of(Crossing.class);

    private final WindowStore<Bytes, byte[]> dedupe = init(Stores.windowStoreBuilder(
            Stores.inMemoryWindowStore(FlowGate.DEDUPE_STORE, FlowGate.dedupeRetention(HORIZON), Duration.ofMillis(1),
                    false), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build());
    private final KeyValueStore<Bytes, byte[]> partials = init(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(FlowGate.PARTIALS_STORE), Serdes.Bytes(), Serdes.ByteArray())
            .withLoggingDisabled().build());
    private final TimestampedKeyValueStore<String, Checkpoint> checkpoints = init(Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(NetFlowTopology.CHECKPOINTS_STORE), Serdes.String(),
            AvroSerde.of(Checkpoint.class)).withLoggingDisabled().build());

    private static <S extends StateStore> S init(S store) {
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    private MockProcessorContext<String, SpecificRecord> start() {
        MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
        context.addStateStore(dedupe);
        context.addStateStore(partials);
        context.addStateStore(checkpoints);
        return context;
    }

    private static FlowGate gate(MockProcessorContext<String, SpecificRecord> context) {
        return gate(context, HORIZON);
    }

    private static FlowGate gate(MockProcessorContext<String, SpecificRecord> context, Duration horizon) {
        FlowGate gate = new FlowGate(horizon, Duration.ZERO, Duration.ofMinutes(15), NetFlowTopology.CHECKPOINTS_STORE,
                ZoneId.of("Asia/Almaty"));
        gate.init(context);
        return gate;
    }

    private static void process(FlowGate gate, MockProcessorContext<String, SpecificRecord> context, Crossing c) {
        context.setRecordMetadata(Topics.CROSSINGS.name(), 0, 0);
        gate.process(new Record<>(c.getTravellerId().getBytes(StandardCharsets.UTF_8), CROSSING.encode(c),
                c.getTime().toEpochMilli()));
    }

    private static List<String> duplicates(MockProcessorContext<String, SpecificRecord> context) {
        List<String> out = new ArrayList<>();
        context.forwarded().forEach(f -> {
            if (f.record().value() instanceof DeadLetter d && d.getReason().equals("DUPLICATE")) {
                out.add(d.getDetail());
            }
        });
        return out;
    }

    @Test
    void idsCountedBeforeARestartAreStillDuplicatesAfterIt() {
        checkpoints.put("SYRYM", ValueAndTimestamp.make(new Checkpoint("SYRYM", "Syrym", "West Kazakhstan", Mode.ROAD,
                null), 0L));
        List<Crossing> sent = new ArrayList<>();
        MockProcessorContext<String, SpecificRecord> before = start();
        FlowGate first = gate(before);
        for (int i = 0; i < 3 * DedupeBatches.BATCH; i++) {
            Crossing c = new Crossing("ev-" + i, "t" + i, "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD,
                    T0.plusSeconds(61L * i));
            sent.add(c);
            process(first, before, c);
        }
        assertEquals(List.of(), duplicates(before));
        first.close();

        MockProcessorContext<String, SpecificRecord> after = start();
        FlowGate second = gate(after);
        for (int i = 0; i < sent.size(); i += 17) {
            process(second, after, sent.get(i));
        }
        Crossing fresh = new Crossing("ev-new", "t-new", "RU", Direction.EXIT, "SYRYM", null, Mode.ROAD, T0);
        process(second, after, fresh);
        List<String> found = duplicates(after);
        assertEquals((sent.size() + 16) / 17, found.size(), "every re-sent id, from every batch and hour");
        assertEquals("eventId seen before at " + sent.get(17).getTime() + "; counted once", found.get(1));
        // What the restarted gate added is remembered as well.
        after.resetForwards();
        process(second, after, fresh);
        assertEquals(1, duplicates(after).size());
    }

    @Test
    void anOpenHourCountedOnBothSidesOfARestartIsHandedOverWhole() {
        checkpoints.put("SYRYM", ValueAndTimestamp.make(new Checkpoint("SYRYM", "Syrym", "West Kazakhstan", Mode.ROAD,
                null), 0L));
        MockProcessorContext<String, SpecificRecord> before = start();
        FlowGate first = gate(before);
        for (int i = 0; i < 3; i++) {
            process(first, before, new Crossing("a" + i, "t" + i, "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD,
                    T0.plusSeconds(60L * i)));
        }
        process(first, before, new Crossing("x", "tx", "RU", Direction.EXIT, "SYRYM", null, Mode.ROAD, T0));
        first.close();

        MockProcessorContext<String, SpecificRecord> after = start();
        FlowGate second = gate(after);
        for (int i = 0; i < 2; i++) {
            process(second, after, new Crossing("b" + i, "u" + i, "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD,
                    T0.plusSeconds(600L + i)));
        }
        // The next hour's first crossing hands the hour over.
        process(second, after, new Crossing("c", "v", "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD,
                T0.plus(Duration.ofHours(1))));
        List<FlowDelta> national = new ArrayList<>();
        after.forwarded().forEach(f -> {
            if ("NATIONAL:KZ".equals(f.record().key()) && f.record().value() instanceof FlowDelta d) {
                national.add(d);
            }
        });
        assertEquals(1, national.size(), national.toString());
        assertEquals(5, national.get(0).getEntries());
        assertEquals(1, national.get(0).getExits());
    }

    @Test
    void aCrossingLaterThanTheHorizonIsCheckedAgainstAllTheStoreStillKeeps() {
        checkpoints.put("SYRYM", ValueAndTimestamp.make(new Checkpoint("SYRYM", "Syrym", "West Kazakhstan", Mode.ROAD,
                null), 0L));
        // A horizon of 45 minutes: the store keeps 2.5 hours. Twice the horizon alone would have forgotten the
        // first day once the latest crossing was 1.5 hours into the next, while the store still held its batch.
        MockProcessorContext<String, SpecificRecord> context = start();
        FlowGate gate = gate(context, Duration.ofMinutes(45));
        Crossing first = new Crossing("late", "t1", "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD,
                Instant.parse("2022-09-21T23:50:00Z"));
        process(gate, context, first);
        process(gate, context, new Crossing("later", "t2", "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD,
                Instant.parse("2022-09-22T01:40:00Z")));
        process(gate, context, first);
        assertEquals(List.of("eventId seen before at 2022-09-21T23:50:00Z; counted once"), duplicates(context));
    }
}
