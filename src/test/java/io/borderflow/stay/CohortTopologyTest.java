package io.borderflow.stay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.ArrivalCohort;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.app.StreamApp;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.Events;
import io.borderflow.replay.scenario.Curve;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioGenerator;
import io.borderflow.replay.scenario.ScenarioLoader;
import io.borderflow.replay.scenario.Segment;
import io.borderflow.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Arrival cohorts of the stay topology: hand-made travellers, and a generated replay against a direct count. */
class CohortTopologyTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Almaty");
    private static final AvroSerde<Crossing> CROSSING = AvroSerde.of(Crossing.class);
    private static final AvroSerde<Registration> REGISTRATION = AvroSerde.of(Registration.class);
    private static final AvroSerde<IinApplication> IIN = AvroSerde.of(IinApplication.class);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> crossings;
    private TestInputTopic<byte[], byte[]> registrations;
    private TestInputTopic<byte[], byte[]> iins;
    private TestOutputTopic<String, ArrivalCohort> cohorts;
    private final List<TestOutputTopic<byte[], byte[]>> others = new ArrayList<>();
    private final Map<String, ArrivalCohort> rows = new TreeMap<>();
    private int seq;

    /** Stream time last sent: reading rows first lets an hour of it pass, so the summed deltas go on. */
    private Instant lastTime = Instant.EPOCH;
    private boolean summed = true;

    private void start() {
        start(StayTopology.build(BorderflowConfig.defaults()));
    }

    private void start(String handover) {
        summed = Duration.parse(handover).toMillis() > 0;
        start(StayTopology.build(BorderflowConfig.defaults().with(Map.of(StayTopology.COHORT_HANDOVER, handover))));
    }

    private void start(Topology topology) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "cohort-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(topology, p);
        ByteArraySerializer bytes = new ByteArraySerializer();
        crossings = driver.createInputTopic(Topics.CROSSINGS.name(), bytes, bytes);
        registrations = driver.createInputTopic(Topics.REGISTRATIONS.name(), bytes, bytes);
        iins = driver.createInputTopic(Topics.IIN_APPLICATIONS.name(), bytes, bytes);
        cohorts = driver.createOutputTopic(Topics.COHORTS.name(), new StringDeserializer(),
                AvroSerde.of(ArrivalCohort.class).deserializer());
        ByteArrayDeserializer raw = new ByteArrayDeserializer();
        for (String t : List.of(Topics.STAY_STATUS.name(), Topics.ALERTS.name(), Topics.DATA_QUALITY.name(),
                Topics.DEAD_LETTERS.name())) {
            others.add(driver.createOutputTopic(t, raw, raw));
        }
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    /** An hour of stream time passes (the hand-over interval), then {@link #drain()}. */
    private Map<String, ArrivalCohort> settle() {
        if (summed) {
            tick(lastTime.plus(Duration.ofHours(1)));
        }
        return drain();
    }

    /** Reads the cohort rows sent so far, keeping the latest per key; drops the other outputs (memory). */
    private Map<String, ArrivalCohort> drain() {
        for (KeyValue<String, ArrivalCohort> kv : cohorts.readKeyValuesToList()) {
            ArrivalCohort before = rows.get(kv.key);
            if (before != null) {
                assertCountsNotLess(kv.value, before, kv.key);
            }
            rows.put(kv.key, kv.value);
        }
        others.forEach(TestOutputTopic::readRecordsToList);
        return rows;
    }

    private static void assertCountsNotLess(ArrivalCohort now, ArrivalCohort before, String key) {
        long[] a = counts(now);
        long[] b = counts(before);
        for (int i = 0; i < a.length; i++) {
            if (a[i] < b[i]) {
                throw new AssertionError("counts only grow: " + key + " " + before + " then " + now);
            }
        }
    }

    // ---- input helpers -------------------------------------------------------------------------

    private static Instant at(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(ZONE).toInstant();
    }

    private void cross(String id, String citizenship, Direction dir, String localTime) {
        send(new Crossing("ev-" + (++seq), id, citizenship, dir, "SYRYM", null, Mode.ROAD, at(localTime)));
    }

    private void host(String id, String localTime) {
        Instant t = at(localTime);
        LocalDate d = t.atZone(ZONE).toLocalDate();
        send(new Registration("reg-" + (++seq), id, RegistrationKind.HOST_NOTIFICATION, d, d.plusDays(60), null, t));
    }

    private void permit(String id, String localTime) {
        Instant t = at(localTime);
        LocalDate d = t.atZone(ZONE).toLocalDate();
        send(new Registration("reg-" + (++seq), id, RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, d,
                d.plusYears(1).minusDays(1), null, t));
    }

    private void iinApplied(String id, String localTime) {
        send(new IinApplication("iin-" + (++seq), id, "RU", null, IinStage.APPLIED, at(localTime)));
    }

    private void send(SpecificRecord e) {
        Instant t = Events.time(e);
        lastTime = t.isAfter(lastTime) ? t : lastTime;
        if (e instanceof Crossing c) {
            crossings.pipeInput(new TestRecord<>(key(c.getTravellerId()), CROSSING.encode(c), t));
        } else if (e instanceof Registration r) {
            registrations.pipeInput(new TestRecord<>(key(r.getTravellerId()), REGISTRATION.encode(r), t));
        } else if (e instanceof IinApplication a) {
            iins.pipeInput(new TestRecord<>(key(a.getTravellerId()), IIN.encode(a), t));
        }
    }

    private static byte[] key(String id) {
        return id.getBytes(StandardCharsets.UTF_8);
    }

    private void tick(Instant time) {
        RecordHeaders h = new RecordHeaders();
        h.add(Watermarks.HEADER, Watermarks.bytes(Watermarks.TICK));
        crossings.pipeInput(new TestRecord<>(key("~watermark"), null, h, time));
        lastTime = time.isAfter(lastTime) ? time : lastTime;
    }

    private void tick(String localTime) {
        tick(at(localTime));
    }

    /** entered, iin, host, permit, decided30, present30, decided90, present90, decided180, present180, left, back. */
    private static long[] counts(ArrivalCohort r) {
        return new long[] {r.getEntered(), r.getIinWithin30Days(), r.getHostNotified(), r.getResidencePermit(),
            r.getDecided30(), r.getPresent30(), r.getDecided90(), r.getPresent90(), r.getDecided180(),
            r.getPresent180(), r.getLeft(), r.getCameBack()};
    }

    private static void assertRow(Map<String, ArrivalCohort> rows, String key, long... expected) {
        ArrivalCohort r = rows.get(key);
        assertTrue(r != null, "a row for " + key + " in " + rows.keySet());
        assertEquals(key, r.getWeek() + "|" + r.getCitizenship());
        assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(counts(r)),
                key + " (entered, iin, host, permit, d30, p30, d90, p90, d180, p180, left, back)");
    }

    /** The due index's keys that stand for a cohort threshold: on the eve of the traveller's next one. */
    private List<String> thresholdKeys() {
        KeyValueStore<Bytes, byte[]> due = driver.getKeyValueStore(StayTopology.DUE_INDEX_STORE);
        KeyValueStore<String, byte[]> travellers = driver.getKeyValueStore(StayTopology.TRAVELLERS_STORE);
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = due.all()) {
            it.forEachRemaining(kv -> {
                if (kv.key.equals(StayTracker.INDEX_MARKER_KEY)) {
                    return;
                }
                byte[] stored = travellers.get(DueKey.id(kv.key));
                if (stored != null && Cohorts.dueDay(TravellerState.decode(stored)) == DueKey.day(kv.key)) {
                    keys.add(LocalDate.ofEpochDay(DueKey.day(kv.key)) + " " + DueKey.id(kv.key));
                }
            });
        }
        return keys;
    }

    // ---- hand-made travellers ------------------------------------------------------------------

    /**
     * Week of Mon 6 Mar 2023, Russians: a (IIN on day 30, host notification, leaves on day 30, comes back), b
     * (IIN on day 31, a permit, stays 180 days), c (enters late on Sunday, leaves on day 29), h (leaves after 4
     * days, returns after more than 180 days: a new arrival). Not counted: d (first seen leaving), g (a Kazakh
     * citizen). e (Kyrgyz) enters twice without an exit between. f enters on the next Monday and leaves on day 91.
     */
    /** Summed per hour (the default) or sent one by one: the same rows. */
    @ParameterizedTest
    @ValueSource(strings = {"PT1H", "PT0S"})
    void everyCohortFieldFollowsTheDefinitions(String handover) {
        start(handover);
        cross("a", "RU", Direction.ENTRY, "2023-03-06T10:00");
        cross("h", "RU", Direction.ENTRY, "2023-03-06T11:00");
        cross("d", "RU", Direction.EXIT, "2023-03-07T09:00");
        cross("e", "KG", Direction.ENTRY, "2023-03-07T10:00");
        host("a", "2023-03-07T12:00");
        cross("b", "ru", Direction.ENTRY, "2023-03-08T10:00");
        cross("d", "RU", Direction.ENTRY, "2023-03-09T10:00");
        host("d", "2023-03-09T12:00");
        cross("h", "RU", Direction.EXIT, "2023-03-10T10:00");
        iinApplied("c", "2023-03-11T10:00"); // before c's entry: not c's yet
        cross("c", "RU", Direction.ENTRY, "2023-03-12T23:30");
        cross("f", "RU", Direction.ENTRY, "2023-03-13T10:00");
        cross("g", "KZ", Direction.ENTRY, "2023-03-13T11:00");

        Map<String, ArrivalCohort> r = settle();
        assertEquals(List.of("2023-03-06|KG", "2023-03-06|RU", "2023-03-13|RU"), List.copyOf(r.keySet()));
        assertRow(r, "2023-03-06|RU", 4, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0);
        assertEquals(at("2023-03-12T23:30"), r.get("2023-03-06|RU").getTime(), "time of the latest change");

        permit("b", "2023-03-20T10:00");
        cross("e", "KG", Direction.ENTRY, "2023-03-20T12:00"); // missed exit: presumed on 19 Mar at the latest
        iinApplied("a", "2023-04-05T10:00"); // day 30: counts
        cross("a", "RU", Direction.EXIT, "2023-04-05T18:00"); // day 30: still present 30 days after entry
        iinApplied("b", "2023-04-08T10:00"); // day 31: too late
        cross("c", "RU", Direction.EXIT, "2023-04-10T10:00"); // day 29
        cross("a", "RU", Direction.ENTRY, "2023-04-20T10:00");
        r = settle();
        // b's day 30 (7 Apr) was swept on 8 Apr, f's (12 Apr) on 20 Apr: the first stream times of those days.
        assertRow(r, "2023-03-06|RU", 4, 1, 1, 1, 4, 2, 3, 0, 3, 0, 3, 1);
        assertRow(r, "2023-03-06|KG", 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1);
        assertRow(r, "2023-03-13|RU", 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0);

        tick("2023-06-11T00:05"); // f's day 90 (and b's day 90, 6 Jun)
        cross("f", "RU", Direction.EXIT, "2023-06-12T10:00");
        cross("h", "RU", Direction.ENTRY, "2023-09-20T10:00"); // forgotten since 7 Sep: a new arrival
        tick("2023-09-21T00:01");
        r = settle();
        assertRow(r, "2023-03-06|RU", 4, 1, 1, 1, 4, 2, 4, 1, 4, 1, 3, 1);
        assertRow(r, "2023-03-06|KG", 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1);
        assertRow(r, "2023-03-13|RU", 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0);
        assertRow(r, "2023-09-18|RU", 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(4, r.size());
        assertEquals(at("2023-09-20T10:00"), r.get("2023-03-06|RU").getTime(),
                "b's day 180 (4 Sep) found by the sweep at the first stream time after it");

        // Only h still has a threshold to come (its day 30: the index key is the day before).
        assertEquals(List.of("2023-10-19 h"), thresholdKeys());
        // The cohort store holds the same rows the topic carries.
        KeyValueStore<String, ArrivalCohort> store = driver.getKeyValueStore(StayTopology.COHORTS_STORE);
        for (Map.Entry<String, ArrivalCohort> e : r.entrySet()) {
            assertEquals(java.util.Arrays.toString(counts(e.getValue())), java.util.Arrays.toString(counts(store.get(e.getKey()))));
        }
        TravellerState b = TravellerState.decode(driver.<String, byte[]>getKeyValueStore(StayTopology.TRAVELLERS_STORE).get("b"));
        assertEquals(LocalDate.of(2023, 3, 8).toEpochDay(), b.cohortEntry);
        assertEquals("RU", b.cohortCitizenship, "citizenship in upper case");
        assertEquals(3, Cohorts.decided(b));
    }

    /** In the whole app, the stay stage reads IIN applications through the one source the daily counts use. */
    @Test
    void theAppFeedsIinApplicationsToTheCohortsThroughTheSharedSource() {
        Topology app = StreamApp.topology(BorderflowConfig.defaults());
        long iinSources = app.describe().subtopologies().stream().flatMap(s -> s.nodes().stream())
                .filter(n -> n instanceof TopologyDescription.Source src
                        && src.topicSet().contains(Topics.IIN_APPLICATIONS.name()))
                .count();
        assertEquals(1, iinSources);
        start(app);
        cross("a", "RU", Direction.ENTRY, "2023-03-06T10:00");
        iinApplied("a", "2023-03-07T10:00");
        host("a", "2023-03-07T11:00");
        assertRow(settle(), "2023-03-06|RU", 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void theCohortSectionOfTheStateRoundTripsAndIsSmall() {
        TravellerState st = new TravellerState();
        st.citizenship = CitizenshipClass.EAEU;
        st.citizenshipCode = "RU";
        st.lastEventMinute = at("2022-09-25T10:31").toEpochMilli() / 60_000;
        st.stays.add(new TravellerState.Visit(LocalDate.of(2022, 9, 25).toEpochDay(), TravellerState.NONE, false, false));
        byte[] without = st.encode();
        st.cohortEntry = LocalDate.of(2022, 9, 25).toEpochDay();
        st.cohortCitizenship = "RU";
        st.cohortFlags = Cohorts.IIN | Cohorts.HOST;
        byte[] with = st.encode();
        assertTrue(with.length - without.length <= 6, "cohort section: " + (with.length - without.length) + " bytes");
        TravellerState back = TravellerState.decode(with);
        assertEquals(st.cohortEntry, back.cohortEntry);
        assertEquals("RU", back.cohortCitizenship);
        assertEquals(st.cohortFlags, back.cohortFlags);
        assertEquals(java.util.Arrays.toString(with), java.util.Arrays.toString(back.encode()));
        assertEquals(java.util.Arrays.toString(with), java.util.Arrays.toString(back.copy().encode()));

        // The first stay pruned: the entry is kept relative to a later reference day; any citizenship string.
        st.stays.clear();
        st.stays.add(new TravellerState.Visit(LocalDate.of(2023, 6, 1).toEpochDay(), TravellerState.NONE, false, false));
        st.cohortCitizenship = "Қазақстан-ÜZ";
        TravellerState later = TravellerState.decode(st.encode());
        assertEquals(LocalDate.of(2022, 9, 25).toEpochDay(), later.cohortEntry);
        assertEquals("Қазақстан-ÜZ", later.cohortCitizenship);
        assertEquals(TravellerState.NONE, TravellerState.decode(without).cohortEntry);
    }

    // ---- a generated replay against a direct count ---------------------------------------------

    /** What the test knows of one traveller, from the generated events alone. */
    private static final class Known {
        LocalDate entry; // null: first seen leaving, in no cohort
        String citizenship;
        LocalDate exit; // of the stay begun at the first entry
        boolean back;
        boolean iin;
        boolean host;
        boolean permit;
        LocalDate lastExit;
    }

    /**
     * Three weeks of arrivals of the built-in surge scenario's segments (RU, Central Asian and other visa-free
     * travellers, their visa runs, permits, IINs and host notifications), at a reduced rate, followed for 200
     * more days, after a warm-up whose travellers leave without a recorded entry. Every final cohort row equals a
     * count made here from the events by the definitions in docs/stay-rules.md.
     */
    @Test
    void aGeneratedReplayGivesTheCohortsOfADirectCount() {
        Scenario surge = ScenarioLoader.builtIn("sept-2022-surge");
        LocalDate first = LocalDate.of(2022, 9, 12);
        LocalDate lastArrival = first.plusWeeks(3).minusDays(1);
        Map<String, Object> points = Map.of(first.toString(), 25, lastArrival.toString(), 25,
                lastArrival.plusDays(1).toString(), 0);
        Curve arrivals = Curve.fromJson(points);
        Curve departures = Curve.fromJson(Map.of(first.toString(), 4, lastArrival.toString(), 4,
                lastArrival.plusDays(1).toString(), 0));
        List<Segment> segments = surge.segments().stream().map(s -> new Segment(s.name(), s.citizenship(), arrivals,
                departures, s.checkpoints(), s.destinations(), s.profiles())).toList();
        LocalDate end = lastArrival.plusDays(200);
        Scenario scenario = new Scenario("cohort-test", "three weeks of arrivals, followed", ZONE, first, end, 30,
                surge.seed(), surge.eaeuCapFrom(), surge.eaeu(), surge.pedestrianShare(), surge.iinIssuance(), segments);

        start();
        Map<String, Known> known = new HashMap<>();
        long events = 0;
        long last = 0;
        try (ScenarioGenerator g = new ScenarioGenerator(scenario, CheckpointCatalog.builtIn())) {
            SpecificRecord e;
            while ((e = g.next()) != null) {
                count(known, e);
                send(e);
                last = Events.time(e).toEpochMilli();
                if (++events % 5_000 == 0) {
                    drain();
                }
            }
        }
        LocalDate finalDay = Instant.ofEpochMilli(last).atZone(ZONE).toLocalDate().plusDays(1);
        tick(finalDay.atStartOfDay(ZONE).toInstant().plusSeconds(60));
        Map<String, ArrivalCohort> actual = drain();

        Map<String, long[]> expected = new TreeMap<>();
        long members = 0;
        for (Known k : known.values()) {
            if (k.entry == null) {
                continue;
            }
            members++;
            LocalDate week = k.entry.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            long[] c = expected.computeIfAbsent(week + "|" + k.citizenship, x -> new long[12]);
            c[0]++;
            c[1] += k.iin ? 1 : 0;
            c[2] += k.host ? 1 : 0;
            c[3] += k.permit ? 1 : 0;
            int[] thresholds = {30, 90, 180};
            for (int i = 0; i < 3; i++) {
                LocalDate day = k.entry.plusDays(thresholds[i]);
                if (k.exit != null) {
                    c[4 + 2 * i]++;
                    c[5 + 2 * i] += k.exit.isBefore(day) ? 0 : 1;
                } else if (!day.isAfter(finalDay)) {
                    c[4 + 2 * i]++;
                    c[5 + 2 * i]++;
                }
            }
            c[10] += k.exit != null ? 1 : 0;
            c[11] += k.back ? 1 : 0;
        }
        assertEquals(expected.keySet(), actual.keySet());
        long[] total = new long[12];
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertEquals(java.util.Arrays.toString(e.getValue()), java.util.Arrays.toString(counts(actual.get(e.getKey()))),
                    e.getKey() + " (entered, iin, host, permit, d30, p30, d90, p90, d180, p180, left, back)");
            for (int i = 0; i < 12; i++) {
                total[i] += e.getValue()[i];
            }
        }
        // The replay exercises every field.
        for (int i = 0; i < 12; i++) {
            assertTrue(total[i] > 0, "field " + i + " is never counted: " + java.util.Arrays.toString(total));
        }
        assertTrue(known.size() > members, "some travellers were inside at the data start");

        long bytes = 0;
        long stored = 0;
        try (KeyValueIterator<String, byte[]> it = driver.<String, byte[]>getKeyValueStore(StayTopology.TRAVELLERS_STORE).all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                bytes += kv.key.length() + kv.value.length;
                stored++;
            }
        }
        System.out.printf("cohorts: %,d events, %,d travellers (%,d in cohorts), %d cohort rows; totals %s;"
                        + " %,d travellers stored at the end, %.1f bytes each (key + value)%n", events, known.size(),
                members, actual.size(), java.util.Arrays.toString(total), stored, bytes / (double) stored);
    }

    /** The direct count: the definitions applied to each event in order. */
    private static void count(Map<String, Known> known, SpecificRecord e) {
        LocalDate day = Events.time(e).atZone(ZONE).toLocalDate();
        if (e instanceof Crossing c) {
            Known k = known.get(c.getTravellerId());
            boolean entry = c.getDirection() == Direction.ENTRY;
            if (k == null) {
                k = new Known();
                known.put(c.getTravellerId(), k);
                if (entry) {
                    k.entry = day;
                    k.citizenship = c.getCitizenship();
                }
            } else if (k.entry != null) {
                if (k.exit == null) {
                    assertFalse(entry, "the generator makes no entry while present");
                    k.exit = day;
                } else {
                    k.back = true;
                }
            }
            if (!entry) {
                k.lastExit = day;
            } else if (k.lastExit != null) {
                assertTrue(ChronoUnit.DAYS.between(k.lastExit, day) < 180,
                        "no return after 180 days away (the traveller would be a new arrival)");
            }
            return;
        }
        String id = e instanceof Registration r ? r.getTravellerId() : ((IinApplication) e).getTravellerId();
        Known k = known.get(id);
        if (k == null || k.entry == null || day.isBefore(k.entry)) {
            return;
        }
        if (e instanceof IinApplication a) {
            k.iin |= a.getStage() == IinStage.APPLIED && !day.isAfter(k.entry.plusDays(30));
        } else if (((Registration) e).getKind() == RegistrationKind.HOST_NOTIFICATION) {
            k.host = true;
        } else {
            k.permit = true;
        }
    }
}
