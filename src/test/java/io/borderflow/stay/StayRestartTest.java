package io.borderflow.stay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.ArrivalCohort;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.replay.Pseudonymiser;
import io.borderflow.serde.AvroSerde;
import io.borderflow.stay.StayCounters.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What the stay-track processor keeps across a restart. The due index is not changelogged: a task that starts on
 * traveller states it did not write rebuilds it from the travellers store. Each of those
 * cases replays the same random histories (crossings, permits, a tick after every midnight) with a restart
 * half-way, and the outputs (every status, alert and final cohort row) must be those of the run without one.
 */
class StayRestartTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Almaty");
    private static final AvroSerde<Crossing> CROSSING = AvroSerde.of(Crossing.class);
    private static final AvroSerde<Registration> REGISTRATION = AvroSerde.of(Registration.class);
    private static final List<String> CITIZENSHIPS = List.of("RU", "RU", "KG", "DE", "CN");
    private static final StaySettings SETTINGS = StaySettings.from(BorderflowConfig.defaults());
    private static final Pseudonymiser PSEUDONYMS = Pseudonymiser.of("a restart test's pseudonym key");

    private enum Restart { NONE, CLEAN, INDEX_LOST, WRITTEN_ELSEWHERE, INDEX_UNPACKED }

    /** What a run gave: its outputs, and the rebuilds and valid index keys on each side of the restart. */
    private record Run(List<String> outputs, long rebuildsAfterRestart, Set<String> keysBefore,
                       Set<String> keysAfter) {
    }

    @Test
    void aCleanRestartKeepsItsIndexAndChangesNoOutput() {
        assertRestartChangesNoOutput(11, Restart.CLEAN, 0);
    }

    @Test
    void anIndexLostWithTheLocalStateIsRebuiltFromTheTravellers() {
        Run lost = assertRestartChangesNoOutput(12, Restart.INDEX_LOST, 1);
        assertTrue(lost.keysBefore().stream().anyMatch(k -> k.endsWith(" review")), "keys on a review day");
        assertTrue(lost.keysBefore().stream().anyMatch(k -> k.endsWith(" threshold")),
                "keys on a cohort threshold's eve, before the review day");
        assertTrue(lost.outputs().stream().anyMatch(o -> o.contains("OVERSTAY")), "the histories reach the sweep");
        assertTrue(lost.outputs().stream().anyMatch(o -> o.startsWith("cohort")), "and the cohorts");
    }

    /** Keys of an index written before ids were packed (the id's UTF-8 bytes after the day) are read as they were. */
    @Test
    void anIndexWrittenBeforeIdsWerePackedStandsWithoutARebuild() {
        Run unpacked = assertRestartChangesNoOutput(14, Restart.INDEX_UNPACKED, 0);
        assertTrue(unpacked.outputs().stream().anyMatch(o -> o.contains("OVERSTAY")), "the histories reach the sweep");
    }

    @Test
    void aTaskLastWrittenWithAnotherIndexBuildRebuildsItsIndex() {
        assertRestartChangesNoOutput(13, Restart.WRITTEN_ELSEWHERE, 1);
    }

    /** The restarted run rebuilt as expected, its index holds every valid key, and its outputs are the same. */
    private Run assertRestartChangesNoOutput(long seed, Restart restart, long rebuilds) {
        List<Event> events = histories(new Random(seed));
        Run straight = run(events, Restart.NONE);
        Run restarted = run(events, restart);
        assertEquals(rebuilds, restarted.rebuildsAfterRestart(), restart + ": rebuilds");
        assertEquals(restarted.keysBefore(), restarted.keysAfter(), "every traveller's key is there");
        if (restart == Restart.INDEX_UNPACKED) {
            // A sweep takes its day's travellers in key order, and packing changes how ids sort.
            assertEquals(straight.outputs().stream().sorted().toList(), restarted.outputs().stream().sorted().toList());
        } else {
            assertEquals(straight.outputs(), restarted.outputs());
        }
        return restarted;
    }

    // ---- a run ----------------------------------------------------------------------------------

    /**
     * The stay-track processor on in-memory stores; a restart is a new processor and context on the same
     * stores, or, for a lost index, on the same stores but an empty index.
     */
    private final class Task {
        final MockProcessorContext<String, SpecificRecord> context = new MockProcessorContext<>();
        final StayTracker tracker = new StayTracker(SETTINGS);

        Task(List<KeyValueStore<?, ?>> stores) {
            stores.forEach(context::addStateStore);
            tracker.init(context);
        }

        long rebuilds() {
            return context.metrics().metrics().entrySet().stream()
                    .filter(e -> e.getKey().group().equals(StayCounters.METRIC_GROUP)
                            && e.getKey().name().equals(Counter.INDEX_REBUILDS.metricName()))
                    .mapToLong(e -> ((Number) e.getValue().metricValue()).longValue()).sum();
        }
    }

    private static <K, V> KeyValueStore<K, V> store(String name, Serde<K> keys, Serde<V> values) {
        KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
                .withLoggingDisabled().withCachingDisabled().build();
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    private static List<KeyValueStore<?, ?>> emptyIndex() {
        return List.of(store(StayTopology.DUE_INDEX_STORE, Serdes.Bytes(), Serdes.ByteArray()));
    }

    @Test
    void cohortSumsNotYetSentOnAtARestartAreSentAfterIt() {
        List<KeyValueStore<?, ?>> stores = concat(kept(), emptyIndex());
        Task task = new Task(stores);
        LocalDate monday = LocalDate.parse("2023-03-06");
        new Event(at(monday, 9 * 60), null, null, null, null, null).pipe(task, 0);
        for (int t = 1; t <= 3; t++) {
            new Event(at(monday, 9 * 60 + t), "t" + t, "RU", Direction.ENTRY, null, null).pipe(task, t);
        }
        assertTrue(cohortRows(task).isEmpty(), "summed within the hour, not sent yet");
        task.tracker.close();
        Task restarted = new Task(stores);
        new Event(at(monday, 11 * 60), null, null, null, null, null).pipe(restarted, 4);
        List<ArrivalCohort> sent = cohortRows(restarted);
        assertEquals(1, sent.size(), "the hour's sum, handed over after the restart: " + sent);
        assertEquals(3, sent.get(0).getEntered());
        assertEquals("RU", sent.get(0).getCitizenship());
    }

    private static List<ArrivalCohort> cohortRows(Task task) {
        return task.context.forwarded().stream().map(f -> f.record().value())
                .filter(v -> v instanceof ArrivalCohort).map(v -> (ArrivalCohort) v).toList();
    }

    private static List<KeyValueStore<?, ?>> kept() {
        return List.of(
                store(StayTopology.TRAVELLERS_STORE, Serdes.String(), Serdes.ByteArray()),
                store(StayTopology.CONTROL_STORE, Serdes.String(), Serdes.Long()),
                store(StayMetrics.COUNTS_STORE, Serdes.String(), Serdes.Long()),
                store(StayTopology.COHORT_PENDING_STORE, Serdes.String(), Serdes.ByteArray()));
    }

    private Run run(List<Event> events, Restart restart) {
        List<KeyValueStore<?, ?>> kept = kept();
        List<KeyValueStore<?, ?>> index = emptyIndex();
        Task task = new Task(concat(kept, index));
        List<String> outputs = new ArrayList<>();
        Map<String, ArrivalCohort> cohorts = new TreeMap<>();
        int half = restart == Restart.NONE ? -1 : events.size() / 2;
        Set<String> keysBefore = Set.of();
        Set<String> keysAfter = Set.of();
        long rebuilds = 0;
        for (int i = 0; i < events.size(); i++) {
            if (i == half) {
                keysBefore = validKeys(task);
                task.tracker.close();
                if (restart == Restart.WRITTEN_ELSEWHERE) {
                    KeyValueStore<String, Long> control = task.context.getStateStore(StayTopology.CONTROL_STORE);
                    control.put(StayTracker.INDEX_BUILD, control.get(StayTracker.INDEX_BUILD) + 1);
                }
                if (restart == Restart.INDEX_LOST) {
                    index = emptyIndex();
                }
                if (restart == Restart.INDEX_UNPACKED) {
                    unpack(task);
                }
                task = new Task(concat(kept, index));
                rebuilds = task.rebuilds();
                keysAfter = allKeys(task);
            }
            events.get(i).pipe(task, i);
            for (MockProcessorContext.CapturedForward<? extends String, ? extends SpecificRecord> f
                    : task.context.forwarded()) {
                SpecificRecord v = f.record().value();
                if (v instanceof io.borderflow.avro.StayStatus s) {
                    outputs.add("status " + s.getTravellerId() + " " + s.getStatus() + " " + s.getAsOf() + " "
                            + s.getDaysUsed() + " " + s.getOverstayDays());
                } else if (v instanceof io.borderflow.avro.Alert a) {
                    outputs.add("alert " + a.getKey() + " " + a.getState());
                } else if (v instanceof ArrivalCohort c) {
                    cohorts.merge(f.record().key(), c, Cohorts::sum);
                }
            }
            task.context.resetForwards();
        }
        task.tracker.close();
        cohorts.forEach((k, v) -> outputs.add("cohort " + v));
        return new Run(outputs, rebuilds, keysBefore, keysAfter);
    }

    /** Rewrites every key of the index as an earlier build wrote it: the day, then the id's UTF-8 bytes. */
    private static void unpack(Task task) {
        KeyValueStore<Bytes, byte[]> index = task.context.getStateStore(StayTopology.DUE_INDEX_STORE);
        int packed = 0;
        for (Bytes key : indexKeys(task)) {
            byte[] id = DueKey.id(key).getBytes(StandardCharsets.UTF_8);
            byte[] old = java.nio.ByteBuffer.allocate(DueKey.DAY_BYTES + id.length).put(key.get(), 0, DueKey.DAY_BYTES)
                    .put(id).array();
            if (!key.equals(Bytes.wrap(old))) {
                packed++;
                index.put(key, null);
                index.put(Bytes.wrap(old), new byte[0]);
            }
        }
        assertTrue(packed > 0, "the index held packed keys");
    }

    private static List<KeyValueStore<?, ?>> concat(List<KeyValueStore<?, ?>> a, List<KeyValueStore<?, ?>> b) {
        List<KeyValueStore<?, ?>> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ---- index contents -------------------------------------------------------------------------

    /** Keys of an index that a sweep would act on: the traveller is stored and its state gives the key's day. */
    private static Set<String> validKeys(Task task) {
        Set<String> valid = new TreeSet<>();
        KeyValueStore<String, byte[]> travellers = task.context.getStateStore(StayTopology.TRAVELLERS_STORE);
        for (Bytes key : indexKeys(task)) {
            byte[] stored = travellers.get(DueKey.id(key));
            if (stored == null) {
                continue;
            }
            TravellerState st = TravellerState.decode(stored);
            if (st.indexDay() == DueKey.day(key)) {
                valid.add(describe(key) + (st.reviewDay == DueKey.day(key) ? " review" : " threshold"));
            }
        }
        Set<String> travellersIndexed = new TreeSet<>();
        try (KeyValueIterator<String, byte[]> it = travellers.all()) {
            it.forEachRemaining(kv -> {
                if (TravellerState.decode(kv.value).indexDay() != TravellerState.NONE) {
                    travellersIndexed.add(kv.key);
                }
            });
        }
        Set<String> idsOfValidKeys = new TreeSet<>();
        valid.forEach(k -> idsOfValidKeys.add(k.split(" ")[1]));
        assertEquals(travellersIndexed, idsOfValidKeys, "a key for every traveller whose state gives a day");
        return valid;
    }

    /** Every key of the index, each checked valid: a rebuilt index has no old keys. */
    private static Set<String> allKeys(Task task) {
        Set<String> valid = validKeys(task);
        Set<String> all = new TreeSet<>();
        indexKeys(task).forEach(k -> all.add(describe(k)));
        if (task.rebuilds() > 0) {
            Set<String> validDescribed = new TreeSet<>();
            valid.forEach(k -> validDescribed.add(k.substring(0, k.lastIndexOf(' '))));
            assertEquals(all, validDescribed, "rebuilt: only keys its travellers give");
        }
        return valid;
    }

    private static List<Bytes> indexKeys(Task task) {
        KeyValueStore<Bytes, byte[]> index = task.context.getStateStore(StayTopology.DUE_INDEX_STORE);
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (!kv.key.equals(StayTracker.INDEX_MARKER_KEY)) {
                    keys.add(kv.key);
                }
            }
        }
        return keys;
    }

    private static String describe(Bytes key) {
        return LocalDate.ofEpochDay(DueKey.day(key)) + " " + DueKey.id(key);
    }

    // ---- histories ------------------------------------------------------------------------------

    /** One input record: a crossing, a permit registration, or a tick (a watermark) moving stream time. */
    private record Event(long time, String id, String citizenship, Direction direction, LocalDate permitFrom,
                         LocalDate permitTo) {
        void pipe(Task task, long offset) {
            Instant at = Instant.ofEpochMilli(time);
            byte[] key = (id == null ? "~watermark" : id).getBytes(StandardCharsets.UTF_8);
            if (id == null) {
                RecordHeaders h = new RecordHeaders();
                h.add(Watermarks.HEADER, Watermarks.bytes(Watermarks.TICK));
                task.context.setRecordMetadata(Topics.CROSSINGS.name(), 0, offset);
                task.tracker.process(new Record<>(key, null, time, h));
            } else if (direction != null) {
                Crossing c = new Crossing("ev-" + offset, id, citizenship, direction, "SYRYM", null, Mode.ROAD, at);
                task.context.setRecordMetadata(Topics.CROSSINGS.name(), 0, offset);
                task.tracker.process(new Record<>(key, CROSSING.encode(c), time));
            } else {
                Registration r = new Registration("reg-" + offset, id, RegistrationKind.TEMPORARY_RESIDENCE_PERMIT,
                        permitFrom, permitTo, null, at);
                task.context.setRecordMetadata(Topics.REGISTRATIONS.name(), 0, offset);
                task.tracker.process(new Record<>(key, REGISTRATION.encode(r), time));
            }
        }
    }

    /** Ids of the three forms the due index stores: a pseudonym, a scenario id, and any other (kept as is). */
    private static String travellerId(int t) {
        return switch (t % 3) {
            case 0 -> PSEUDONYMS.apply("traveller " + t);
            case 1 -> String.format("t%016x", t * 0x9E3779B97F4A7C15L);
            default -> "t" + t;
        };
    }

    /**
     * 300 travellers over February to December 2023: one to three stays each, some past 90 days, some never
     * ending; a permit for one in ten; a tick ten minutes after every local midnight.
     */
    private static List<Event> histories(Random random) {
        List<Event> events = new ArrayList<>();
        LocalDate first = LocalDate.parse("2023-02-01");
        LocalDate last = LocalDate.parse("2023-12-31");
        for (int t = 0; t < 300; t++) {
            String id = travellerId(t);
            String citizenship = CITIZENSHIPS.get(random.nextInt(CITIZENSHIPS.size()));
            LocalDate day = first.plusDays(random.nextInt(150));
            int stays = 1 + random.nextInt(3);
            for (int s = 0; s < stays && day.isBefore(last); s++) {
                events.add(crossing(day, random, id, citizenship, Direction.ENTRY));
                if (random.nextInt(10) == 0) {
                    LocalDate from = day.plusDays(random.nextInt(60));
                    LocalDate to = from.plusDays(30 + random.nextInt(200));
                    events.add(new Event(at(from, 12 * 60), id, null, null, from, to));
                }
                if (s == stays - 1 && random.nextInt(4) == 0) {
                    break; // never leaves
                }
                day = day.plusDays(random.nextInt(4) == 0 ? 80 + random.nextInt(40) : 1 + random.nextInt(60));
                if (!day.isBefore(last)) {
                    break;
                }
                events.add(crossing(day, random, id, citizenship, Direction.EXIT));
                day = day.plusDays(1 + random.nextInt(100));
            }
        }
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            events.add(new Event(at(d, 10), null, null, null, null, null));
        }
        events.sort(Comparator.comparingLong(Event::time));
        return events;
    }

    private static Event crossing(LocalDate day, Random random, String id, String citizenship, Direction direction) {
        return new Event(at(day, 6 * 60 + random.nextInt(16 * 60)), id, citizenship, direction, null, null);
    }

    private static long at(LocalDate day, int minuteOfDay) {
        return day.atStartOfDay(ZONE).toInstant().toEpochMilli() + minuteOfDay * 60_000L;
    }
}
