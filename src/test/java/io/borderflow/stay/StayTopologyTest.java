package io.borderflow.stay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.avro.StayState;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioGenerator;
import io.borderflow.replay.scenario.ScenarioLoader;
import io.borderflow.serde.AvroSerde;
import io.borderflow.stay.StayCounters.Counter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StayTopologyTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Almaty");
    private static final AvroSerde<Crossing> CROSSING = AvroSerde.of(Crossing.class);
    private static final AvroSerde<Registration> REGISTRATION = AvroSerde.of(Registration.class);

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> crossings;
    private TestInputTopic<byte[], byte[]> registrations;
    private TestOutputTopic<String, io.borderflow.avro.StayStatus> statuses;
    private TestOutputTopic<String, Alert> alerts;
    private TestOutputTopic<String, DeadLetter> quality;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private int seq;

    private void start(Map<String, String> keys) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "stay-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StayTopology.build(BorderflowConfig.defaults().with(keys)), p);
        ByteArraySerializer bytes = new ByteArraySerializer();
        crossings = driver.createInputTopic(Topics.CROSSINGS.name(), bytes, bytes);
        registrations = driver.createInputTopic(Topics.REGISTRATIONS.name(), bytes, bytes);
        StringDeserializer s = new StringDeserializer();
        statuses = driver.createOutputTopic(Topics.STAY_STATUS.name(), s,
                AvroSerde.of(io.borderflow.avro.StayStatus.class).deserializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), s, AvroSerde.of(Alert.class).deserializer());
        quality = driver.createOutputTopic(Topics.DATA_QUALITY.name(), s, AvroSerde.of(DeadLetter.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), s, AvroSerde.of(DeadLetter.class).deserializer());
    }

    private void start() {
        start(Map.of());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static Instant at(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(ZONE).toInstant();
    }

    private static LocalDate d(String date) {
        return LocalDate.parse(date);
    }

    private void cross(String id, String citizenship, Direction dir, String localTime) {
        cross(id, citizenship, dir, at(localTime));
    }

    private void cross(String id, String citizenship, Direction dir, Instant time) {
        Crossing c = new Crossing("ev-" + (++seq), id, citizenship, dir, "SYRYM", null, Mode.ROAD, time);
        byte[] key = (id == null ? c.getEventId() : id).getBytes(StandardCharsets.UTF_8);
        crossings.pipeInput(new TestRecord<>(key, CROSSING.encode(c), time));
    }

    private void enter(String id, String localTime) {
        cross(id, "RU", Direction.ENTRY, localTime);
    }

    private void exit(String id, String localTime) {
        cross(id, "RU", Direction.EXIT, localTime);
    }

    private void register(String id, RegistrationKind kind, String from, String to, Instant time) {
        Registration r = new Registration("reg-" + (++seq), id, kind, d(from), to == null ? null : d(to), null, time);
        registrations.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), REGISTRATION.encode(r), time));
    }

    private void tick(String localTime) {
        tick(at(localTime));
    }

    private void tick(Instant time) {
        RecordHeaders h = new RecordHeaders();
        h.add(Watermarks.HEADER, Watermarks.bytes(Watermarks.TICK));
        crossings.pipeInput(new TestRecord<>("~watermark".getBytes(StandardCharsets.UTF_8), null, h, time));
    }

    private long count(Counter c) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
            if (e.getKey().group().equals(StayCounters.METRIC_GROUP) && e.getKey().name().equals(c.metricName())) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return (long) sum;
    }

    /** The one status emitted for {@code id} since the last read (others, e.g. the sweep's, are dropped). */
    private io.borderflow.avro.StayStatus statusOf(String id) {
        List<io.borderflow.avro.StayStatus> all = statuses.readValuesToList().stream()
                .filter(s -> s.getTravellerId().equals(id)).toList();
        assertEquals(1, all.size(), "one status for " + id + ": " + all);
        return all.get(0);
    }

    private static StayStatus engine(String rule, List<Stay> stays, List<PermitPeriod> permits, String on) {
        StayCalculator calc = new StayCalculator(StayRules.inForce(RuleFamily.fromId(rule)));
        return calc.control(TravelHistory.of(stays, permits), d(on));
    }

    private static void assertMatches(StayStatus expected, int overstayDays, io.borderflow.avro.StayStatus actual) {
        assertEquals(expected.rule().id(), actual.getRule(), "rule");
        assertEquals(expected.on(), actual.getAsOf(), "asOf");
        assertEquals(expected.daysUsed(), actual.getDaysUsed(), "daysUsed");
        assertEquals(expected.daysRemaining(), actual.getDaysRemaining(), "daysRemaining");
        assertEquals(overstayDays, actual.getOverstayDays(), "overstayDays");
        assertEquals(expected.mustLeaveBy(), actual.getMustLeaveBy(), "mustLeaveBy");
    }

    private static StayState expectedState(StayStatus es, int warningDays) {
        if (es.exempt()) {
            return StayState.EXEMPT;
        }
        if (es.overLimit()) {
            return StayState.OVERSTAY;
        }
        return es.present() && es.daysRemaining() <= warningDays ? StayState.WARNING : StayState.COMPLIANT;
    }

    private KeyValueStore<String, byte[]> travellerStore() {
        return driver.getKeyValueStore(StayTopology.TRAVELLERS_STORE);
    }

    private List<String> indexedIds() {
        KeyValueStore<Bytes, byte[]> index = driver.getKeyValueStore(StayTopology.DUE_INDEX_STORE);
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = index.all()) {
            while (it.hasNext()) {
                Bytes k = it.next().key;
                if (k.get()[0] != (byte) 0xFF) {
                    ids.add(DueKey.id(k));
                }
            }
        }
        return ids;
    }

    // ---- topology shape ------------------------------------------------------------------------

    @Test
    void everyProcessorAndStoreIsNamed() {
        TopologyDescription description = StayTopology.build(BorderflowConfig.defaults()).describe();
        List<String> names = new ArrayList<>();
        description.subtopologies().forEach(s -> s.nodes().forEach(n -> names.add(n.name())));
        String deltas = StayTopology.COHORT_DELTAS + "-repartition";
        assertEquals(List.of(StayTopology.CROSSINGS_SOURCE, StayTopology.MERGE, StayTopology.PROCESSOR,
                StayTopology.SINK, StayTopology.REGISTRATIONS_SOURCE, StayTopology.IIN_SOURCE, StayTopology.MERGE_IIN,
                StayTopology.SPLIT, StayTopology.SPLIT + "cohort", StayTopology.SPLIT + "other",
                StayTopology.COHORT_TYPED, deltas + "-filter", deltas + "-sink", deltas + "-source",
                StayTopology.COHORT_AGGREGATE, StayTopology.COHORT_CHANGES, StayTopology.COHORT_SINK)
                .stream().sorted().toList(), names.stream().sorted().toList());
        assertEquals(2, description.subtopologies().size(),
                "the per-traveller part needs no repartition; the cohort deltas are repartitioned by cohort");
        TopologyDescription.Processor track = description.subtopologies().stream().flatMap(s -> s.nodes().stream())
                .filter(n -> n.name().equals(StayTopology.PROCESSOR)).map(n -> (TopologyDescription.Processor) n)
                .findFirst().orElseThrow();
        assertEquals(java.util.Set.of(StayTopology.TRAVELLERS_STORE, StayTopology.DUE_INDEX_STORE,
                StayTopology.CONTROL_STORE, StayMetrics.COUNTS_STORE, StayTopology.COHORT_PENDING_STORE),
                track.stores());
        TopologyDescription.Processor aggregate = description.subtopologies().stream().flatMap(s -> s.nodes().stream())
                .filter(n -> n.name().equals(StayTopology.COHORT_AGGREGATE)).map(n -> (TopologyDescription.Processor) n)
                .findFirst().orElseThrow();
        assertEquals(java.util.Set.of(StayTopology.COHORTS_STORE), aggregate.stores());
    }

    // ---- statuses ------------------------------------------------------------------------------

    @Test
    void entryAndExitEmitTheEnginesStatus() {
        start();
        enter("t1", "2023-03-01T10:00");
        io.borderflow.avro.StayStatus s = statusOf("t1");
        assertEquals("t1", s.getTravellerId());
        assertEquals(StayState.COMPLIANT, s.getStatus());
        assertEquals("kz-eaeu-2023", s.getRule());
        assertEquals(d("2023-03-01"), s.getAsOf());
        assertEquals(1, s.getDaysUsed());
        assertEquals(89, s.getDaysRemaining());
        assertEquals(0, s.getOverstayDays());
        assertEquals(d("2023-05-29"), s.getMustLeaveBy(), "day 90 of the stay");
        assertEquals(at("2023-03-01T10:00"), s.getTime());

        exit("t1", "2023-03-10T18:00");
        s = statusOf("t1");
        assertEquals(StayState.COMPLIANT, s.getStatus());
        assertEquals(10, s.getDaysUsed(), "entry and exit days both count");
        assertMatches(engine("kz-eaeu", List.of(new Stay(d("2023-03-01"), d("2023-03-10"))), List.of(), "2023-03-10"),
                0, s);

        enter("t1", "2023-04-01T09:00");
        s = statusOf("t1");
        assertEquals(11, s.getDaysUsed(), "the 180-day count includes the earlier stay");
        assertTrue(quality.isEmpty());
        assertTrue(alerts.isEmpty());
        assertEquals(3, count(Counter.CROSSINGS));
        assertEquals(0, count(Counter.VISA_RUNS));
        exit("t1", "2023-04-05T09:00");
        enter("t1", "2023-04-09T09:00");
        assertEquals(1, count(Counter.VISA_RUNS), "exit and re-entry within 4 days");
    }

    @Test
    void rulesBefore2023AndVisaFreeTravellersWithoutARule() {
        start();
        enter("ru", "2022-10-01T10:00");
        io.borderflow.avro.StayStatus s = statusOf("ru");
        assertEquals("kz-eaeu-2022", s.getRule());
        assertEquals(d("2022-12-29"), s.getMustLeaveBy());
        cross("tr", "TR", Direction.ENTRY, "2022-10-01T11:00");
        assertTrue(statuses.isEmpty(), "no kz-visa-free rule governs a stay entered in 2022");
        assertEquals(1, count(Counter.NO_RULE));
        cross("tr", "TR", Direction.EXIT, "2022-10-20T11:00");
        cross("tr", "TR", Direction.ENTRY, "2023-02-01T11:00");
        s = statusOf("tr");
        assertEquals("kz-visa-free-2023", s.getRule());
        assertEquals(d("2023-03-02"), s.getMustLeaveBy(), "30 days per entry");
    }

    @Test
    void aWhatIfAppliesTheForcedVersionToEveryone() {
        start(Map.of(StayTopology.RULE_FORCE, "kz-eaeu-2023"));
        cross("tr", "TR", Direction.ENTRY, "2022-10-01T11:00");
        io.borderflow.avro.StayStatus s = statusOf("tr");
        assertEquals("kz-eaeu-2023", s.getRule());
        assertEquals(d("2022-12-29"), s.getMustLeaveBy());
    }

    @Test
    void warningWhenPresentWithTenDaysOrFewerLeft() {
        start();
        enter("w", "2023-03-01T10:00");
        exit("w", "2023-05-18T10:00"); // 79 days
        statuses.readValuesToList();
        enter("w", "2023-05-25T10:00"); // 80 used, 10 left
        io.borderflow.avro.StayStatus s = statusOf("w");
        assertEquals(10, s.getDaysRemaining());
        assertEquals(StayState.WARNING, s.getStatus());

        enter("c", "2023-03-01T10:00");
        exit("c", "2023-05-17T10:00"); // 78 days
        statuses.readValuesToList();
        enter("c", "2023-05-25T10:00"); // 79 used, 11 left
        s = statusOf("c");
        assertEquals(11, s.getDaysRemaining());
        assertEquals(StayState.COMPLIANT, s.getStatus());
    }

    @Test
    void theWarningThresholdIsConfigurable() {
        start(Map.of(StayTopology.WARNING_DAYS, "5"));
        enter("w", "2023-03-01T10:00");
        exit("w", "2023-05-18T10:00");
        statuses.readValuesToList();
        enter("w", "2023-05-25T10:00");
        assertEquals(StayState.COMPLIANT, statusOf("w").getStatus());
    }

    @Test
    void aResidencePermitExemptsAndHostNotificationsChangeNothing() {
        start();
        enter("p", "2023-03-01T10:00");
        statuses.readValuesToList();
        register("p", RegistrationKind.HOST_NOTIFICATION, "2023-03-01", "2023-05-29", at("2023-03-02T12:00"));
        assertTrue(statuses.isEmpty(), "a host notification does not change compliance");
        assertTrue(quality.isEmpty(), "and is not an error");
        register("p", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, "2023-03-20", "2024-03-19", at("2023-03-20T12:00"));
        io.borderflow.avro.StayStatus s = statusOf("p");
        assertEquals(StayState.EXEMPT, s.getStatus());
        assertEquals(d("2023-03-20"), s.getAsOf());
        assertNull(s.getMustLeaveBy());
        assertEquals(19, s.getDaysUsed(), "days before the permit still count");
        // Long after day 90 of the stay: still exempt, no overstay.
        tick("2023-07-01T00:10");
        tick("2023-07-02T00:10");
        assertTrue(statuses.isEmpty());
        assertTrue(alerts.isEmpty());
        exit("p", "2023-07-05T10:00");
        assertEquals(StayState.EXEMPT, statusOf("p").getStatus());
        assertEquals(1, count(Counter.HOST_NOTIFICATIONS));
        assertEquals(1, count(Counter.PERMITS));
    }

    @Test
    void aPermitEndingWhileStillPresentIsNoticedByTheSweep() {
        start();
        enter("p", "2023-03-01T10:00");
        register("p", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, "2023-03-10", "2023-04-30", at("2023-03-10T12:00"));
        statuses.readValuesToList();
        tick("2023-04-30T12:00");
        assertTrue(statuses.isEmpty());
        tick("2023-05-01T00:05");
        io.borderflow.avro.StayStatus s = statusOf("p");
        assertEquals(StayState.COMPLIANT, s.getStatus(), "back under the limits when the permit ends");
        assertEquals(d("2023-05-01"), s.getAsOf());
        assertEquals(10, s.getDaysUsed(), "1-9 March and 1 May");
    }

    // ---- overstays and alerts ------------------------------------------------------------------

    @Test
    void aTravellerWhoNeverLeavesIsCaughtByTheMidnightSweepWithOneAlert() {
        start();
        enter("stayer", "2023-03-01T10:00");
        enter("other", "2023-05-20T10:00");
        statuses.readValuesToList();
        tick("2023-05-29T23:00");
        assertTrue(statuses.isEmpty(), "29 May is the last legal day");
        long crossingsBefore = count(Counter.CROSSINGS);
        tick("2023-05-30T00:01");
        List<io.borderflow.avro.StayStatus> swept = statuses.readValuesToList();
        assertEquals(1, swept.size(), "only the overstayer: " + swept);
        io.borderflow.avro.StayStatus s = swept.get(0);
        assertEquals("stayer", s.getTravellerId());
        assertEquals(StayState.OVERSTAY, s.getStatus());
        assertEquals(d("2023-05-30"), s.getAsOf());
        assertEquals(91, s.getDaysUsed());
        assertEquals(0, s.getDaysRemaining());
        assertEquals(1, s.getOverstayDays());
        assertEquals(d("2023-05-29"), s.getMustLeaveBy());
        List<Alert> raised = alerts.readValuesToList();
        assertEquals(1, raised.size());
        Alert a = raised.get(0);
        assertEquals("stay-overstay", a.getRule());
        assertEquals(AlertState.RAISED, a.getState());
        assertEquals(io.borderflow.avro.Severity.WARNING, a.getSeverity());
        assertEquals("traveller", a.getDimension());
        assertEquals("stayer", a.getKey());

        // More days pass, also through a crossing of another traveller: no more statuses or alerts.
        for (int day = 1; day <= 5; day++) {
            tick(at("2023-05-30T00:01").plusSeconds(86_400L * day));
        }
        exit("other", "2023-06-05T08:00");
        assertEquals(List.of("other"), statuses.readValuesToList().stream().map(x -> x.getTravellerId()).toList());
        assertTrue(alerts.isEmpty(), "one alert per overstay");
        assertEquals(crossingsBefore + 1, count(Counter.CROSSINGS), "watermarks are not crossings");

        exit("stayer", "2023-06-06T10:00");
        s = statusOf("stayer");
        assertEquals(StayState.OVERSTAY, s.getStatus(), "the exit day is an overstay day too");
        assertEquals(8, s.getOverstayDays(), "30 May to 6 June");
        List<Alert> resolved = alerts.readValuesToList();
        assertEquals(1, resolved.size());
        assertEquals(AlertState.RESOLVED, resolved.get(0).getState());
        assertEquals(a.getAlertId(), resolved.get(0).getAlertId());
        assertEquals(a.getStartTime(), resolved.get(0).getStartTime());
        assertNotNull(resolved.get(0).getEndTime());
        enter("stayer", "2023-06-20T10:00");
        assertTrue(alerts.isEmpty() || alerts.readValuesToList().stream().allMatch(x -> x.getState() == AlertState.RAISED));
        assertEquals(1, count(Counter.OVERSTAYS_RESOLVED));
    }

    @Test
    void anOverstayFirstSeenOnTheExitIsRaisedAndResolvedAtOnce() {
        start();
        enter("late", "2023-03-01T10:00");
        exit("late", "2023-06-01T10:00"); // no sweep ran in between
        List<io.borderflow.avro.StayStatus> s = statuses.readValuesToList();
        assertEquals(StayState.OVERSTAY, s.get(1).getStatus());
        assertEquals(3, s.get(1).getOverstayDays());
        List<Alert> a = alerts.readValuesToList();
        assertEquals(List.of(AlertState.RAISED, AlertState.RESOLVED), a.stream().map(Alert::getState).toList());
    }

    @Test
    void aPermitResolvesAnOverstayAlert() {
        start();
        enter("x", "2023-03-01T10:00");
        tick("2023-06-01T00:05");
        assertEquals(AlertState.RAISED, alerts.readValuesToList().get(0).getState());
        statuses.readValuesToList();
        register("x", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, "2023-06-02", "2024-06-01", at("2023-06-02T11:00"));
        assertEquals(StayState.EXEMPT, statusOf("x").getStatus());
        List<Alert> a = alerts.readValuesToList();
        assertEquals(1, a.size());
        assertEquals(AlertState.RESOLVED, a.get(0).getState());
        assertTrue(a.get(0).getMessage().contains("residence permit"));
    }

    // ---- data quality --------------------------------------------------------------------------

    @Test
    void anExitWithoutAnEntryAssumesTheLongestLawfulStaySinceTheDataStart() {
        start();
        enter("first", "2023-03-01T10:00"); // the data start
        statuses.readValuesToList();
        exit("ru", "2023-03-20T10:00");
        io.borderflow.avro.StayStatus s = statusOf("ru");
        assertEquals(20, s.getDaysUsed(), "present since the data start, 1 March");
        DeadLetter dq = quality.readValuesToList().get(0);
        assertEquals("EXIT_WITHOUT_ENTRY", dq.getReason());
        assertEquals(Topics.CROSSINGS.name(), dq.getSourceTopic());
        assertNotNull(dq.getValue(), "the record is kept whole");
        assertTrue(dq.getDetail().contains("2023-03-01"), dq.getDetail());

        exit("ru2", "2023-08-01T10:00");
        s = statusOf("ru2");
        assertEquals(90, s.getDaysUsed(), "at most a lawful 90 days");
        assertEquals(0, s.getOverstayDays());

        cross("tr", "TR", Direction.EXIT, "2023-05-20T10:00");
        s = statusOf("tr");
        assertEquals(30, s.getDaysUsed(), "a visa-free stay is lawful for 30 days");
        assertEquals(0, s.getOverstayDays());
        assertTrue(quality.readValuesToList().get(1).getDetail().contains("2023-04-21"));
        assertEquals(3, count(Counter.EXIT_WITHOUT_ENTRY));
    }

    @Test
    void theDataStartCanBeConfigured() {
        start(Map.of(StayTopology.DATA_START, "2023-03-15"));
        exit("ru", "2023-03-20T10:00");
        assertEquals(6, statusOf("ru").getDaysUsed());
    }

    @Test
    void twoEntriesWithoutAnExitCloseTheEarlierStayAsLateAsLawful() {
        start();
        enter("a", "2023-03-01T10:00");
        statuses.readValuesToList();
        enter("a", "2023-04-01T10:00");
        DeadLetter dq = quality.readValuesToList().get(0);
        assertEquals("ENTRY_WHILE_PRESENT", dq.getReason());
        assertTrue(dq.getDetail().contains("2023-03-31"), dq.getDetail());
        assertEquals(32, statusOf("a").getDaysUsed(), "1-31 March, then 1 April");

        enter("b", "2023-03-01T10:00");
        statuses.readValuesToList();
        enter("b", "2023-08-01T10:00"); // the missed exit is presumed lawful, and so is this entry
        io.borderflow.avro.StayStatus s = statusOf("b");
        assertEquals(StayState.WARNING, s.getStatus());
        assertEquals(0, s.getOverstayDays());
        assertEquals(90, s.getDaysUsed());
        dq = quality.readValuesToList().get(0);
        assertTrue(dq.getDetail().contains("2023-05-28"), "89 days to 28 May, + 1 August = 90: " + dq.getDetail());

        enter("c", "2023-03-01T10:00");
        enter("c", "2023-03-01T18:00");
        assertEquals(3, count(Counter.ENTRY_WHILE_PRESENT));
        statuses.readValuesToList();
        exit("c", "2023-03-02T10:00");
        assertEquals(2, statusOf("c").getDaysUsed());
    }

    @Test
    void lateCrossingsAreAppliedWhenTheyFillAnAssumptionAndReportedEitherWay() {
        start();
        enter("first", "2023-03-01T10:00");
        statuses.readValuesToList();
        exit("a", "2023-03-20T10:00"); // assumed from 1 March
        assertEquals(20, statusOf("a").getDaysUsed());
        quality.readValuesToList();
        enter("a", "2023-03-15T10:00"); // arrives late
        DeadLetter dq = quality.readValuesToList().get(0);
        assertEquals("OUT_OF_ORDER", dq.getReason());
        assertTrue(dq.getDetail().startsWith("applied"), dq.getDetail());
        io.borderflow.avro.StayStatus s = statusOf("a");
        assertEquals(6, s.getDaysUsed(), "15-20 March");
        assertEquals(d("2023-03-20"), s.getAsOf(), "as of the latest crossing");

        enter("b", "2023-03-01T10:00");
        enter("b", "2023-04-01T10:00"); // missed exit, assumed 31 March
        quality.readValuesToList();
        statuses.readValuesToList();
        exit("b", "2023-03-05T10:00"); // the exit arrives late
        assertTrue(quality.readValuesToList().get(0).getDetail().startsWith("applied"));
        assertEquals(6, statusOf("b").getDaysUsed(), "1-5 March and 1 April");

        enter("c", "2023-03-01T10:00");
        exit("c", "2023-03-10T10:00");
        enter("c", "2023-04-01T10:00");
        statuses.readValuesToList();
        exit("c", "2023-03-05T10:00"); // contradicts the recorded exit
        dq = quality.readValuesToList().get(0);
        assertEquals("OUT_OF_ORDER", dq.getReason());
        assertTrue(dq.getDetail().startsWith("not applied"), dq.getDetail());
        assertTrue(statuses.isEmpty(), "state and status unchanged");
        assertEquals(2, count(Counter.OUT_OF_ORDER_APPLIED));
        assertEquals(1, count(Counter.OUT_OF_ORDER_REJECTED));
    }

    @Test
    void skippedAndBrokenRecords() {
        start();
        cross(null, "RU", Direction.ENTRY, "2023-03-01T10:00");
        cross("kz", "KZ", Direction.ENTRY, "2023-03-01T10:00");
        tick("2023-03-01T11:00");
        assertTrue(statuses.isEmpty());
        assertTrue(quality.isEmpty(), "anonymous crossings and nationals are not errors");
        assertEquals(1, count(Counter.ANONYMOUS));
        assertEquals(1, count(Counter.NATIONALS));
        assertEquals(1, count(Counter.WATERMARKS));
        assertEquals(0, count(Counter.CROSSINGS));

        crossings.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3},
                at("2023-03-01T12:00")));
        DeadLetter dl = deadLetters.readValuesToList().get(0);
        assertEquals("DESERIALIZATION", dl.getReason());

        enter("dup", "2023-03-01T10:00");
        enter("dup", "2023-03-01T10:00");
        assertEquals(1, statuses.readValuesToList().size(), "a re-sent crossing is counted once");
        assertEquals(1, count(Counter.DUPLICATES));

        register("bad", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, "2023-03-10", "2023-03-01", at("2023-03-02T12:00"));
        // A permit ending before it starts is an impossible value: a dead letter, not data quality.
        DeadLetter invalid = deadLetters.readValuesToList().get(0);
        assertEquals("INVALID", invalid.getReason());
        assertTrue(invalid.getDetail().startsWith("field \"validTo\""), invalid.getDetail());
        assertTrue(quality.isEmpty());
        assertEquals(1, count(Counter.INVALID));
    }

    // ---- state cleanup -------------------------------------------------------------------------

    @Test
    void aTravellerAbsentFor180DaysIsForgottenAndTheIndexWithIt() {
        start();
        enter("gone", "2023-03-01T10:00");
        exit("gone", "2023-03-10T10:00");
        enter("resident", "2023-03-01T10:00");
        register("resident", RegistrationKind.PERMANENT_RESIDENCE, "2023-03-05", null, at("2023-03-05T12:00"));
        exit("resident", "2023-03-10T10:00");
        assertNotNull(travellerStore().get("gone"));
        assertTrue(indexedIds().contains("gone"));
        tick("2023-09-06T12:00"); // 10 March is still inside the 180 days to 5 September
        assertNotNull(travellerStore().get("gone"));
        tick("2023-09-07T00:10");
        assertNull(travellerStore().get("gone"), "no presence in the 180 days to 6 September");
        assertFalse(indexedIds().contains("gone"));
        assertNotNull(travellerStore().get("resident"), "an open-ended permit holder is kept");
        assertEquals(1, count(Counter.TRAVELLERS_REMOVED));

        statuses.readValuesToList();
        enter("gone", "2023-09-10T10:00");
        io.borderflow.avro.StayStatus s = statusOf("gone");
        assertEquals(1, s.getDaysUsed());
        enter("resident", "2024-06-01T10:00");
        assertEquals(StayState.EXEMPT, statusOf("resident").getStatus());
    }

    @Test
    void oldStaysArePrunedButTheirOverstayDaysAreKept() {
        start();
        String[][] stays = {{"2023-02-01", "2023-05-05"}, {"2023-08-20", "2023-08-25"}, {"2023-11-10", "2023-11-15"}};
        List<Stay> all = new ArrayList<>();
        for (String[] s : stays) {
            enter("v", s[0] + "T10:00");
            exit("v", s[1] + "T10:00");
            all.add(new Stay(d(s[0]), d(s[1])));
        }
        enter("v", "2024-01-15T10:00");
        all.add(Stay.open(d("2024-01-15")));
        List<io.borderflow.avro.StayStatus> out = statuses.readValuesToList();
        assertEquals(4, out.get(1).getOverstayDays(), "day 91 to 94 of the first stay");
        io.borderflow.avro.StayStatus s = out.get(6);
        StayStatus expected = engine("kz-eaeu", all, List.of(), "2024-01-15");
        assertMatches(expected, expected.overstayDays(), s);
        assertEquals(4, s.getOverstayDays());
        TravellerState st = TravellerState.decode(travellerStore().get("v"));
        assertEquals(3, st.stays.size(), "the February stay left the look-back");
        assertEquals(4, st.baseOverstayDays);
        assertEquals(1, count(Counter.STAYS_PRUNED));
        assertEquals(0, count(Counter.TRAVELLERS_REMOVED));
    }

    @Test
    void aTravellerBackAfter180DaysAbsentStartsAfresh() {
        start();
        enter("v", "2023-02-01T10:00");
        exit("v", "2023-05-05T10:00");
        statuses.readValuesToList();
        enter("v", "2023-11-01T10:00"); // no presence in the 180 days 6 May - 1 Nov
        io.borderflow.avro.StayStatus s = statusOf("v");
        assertEquals(0, s.getOverstayDays(), "the overstay days before the absence are on earlier statuses");
        assertEquals(1, s.getDaysUsed());
        assertEquals(1, count(Counter.TRAVELLERS_REMOVED));
    }

    // ---- encoding ------------------------------------------------------------------------------

    @Test
    void theStateEncodingRoundTripsAndIsSmall() {
        TravellerState st = new TravellerState();
        st.citizenship = CitizenshipClass.EAEU;
        st.lastEventMinute = at("2022-09-25T10:31").toEpochMilli() / 60_000;
        st.stays.add(new TravellerState.Visit(LocalDate.of(2022, 9, 25).toEpochDay(), TravellerState.NONE, false, false));
        st.reviewDay = LocalDate.of(2022, 12, 23).toEpochDay();
        st.lastStatus = StayState.COMPLIANT;
        byte[] one = st.encode();
        assertTrue(one.length <= 16, "one open stay: " + one.length + " bytes");
        assertEquals(java.util.Arrays.toString(one), java.util.Arrays.toString(TravellerState.decode(one).encode()));

        st.stays.get(0).exit = LocalDate.of(2022, 10, 20).toEpochDay();
        st.stays.get(0).entryAssumed = true;
        st.stays.add(new TravellerState.Visit(LocalDate.of(2022, 10, 22).toEpochDay(), TravellerState.NONE, false, false));
        st.permits.add(new TravellerState.Permit(LocalDate.of(2022, 11, 1).toEpochDay(), LocalDate.of(2023, 10, 31).toEpochDay()));
        st.permits.add(new TravellerState.Permit(LocalDate.of(2023, 5, 1).toEpochDay(), TravellerState.NONE));
        st.alertRaised = true;
        st.alertStartMinute = st.lastEventMinute + 90_000;
        st.baseOverstayDays = 3;
        byte[] more = st.encode();
        TravellerState back = TravellerState.decode(more);
        assertEquals(java.util.Arrays.toString(more), java.util.Arrays.toString(back.encode()));
        assertEquals(st.history().toString(), back.history().toString());
        assertEquals(st.alertStartMinute, back.alertStartMinute);
        assertEquals(st.reviewDay, back.reviewDay);
        assertTrue(back.stays.get(0).entryAssumed);
        assertEquals(3, back.baseOverstayDays);
        assertTrue(more.length < 40, more.length + " bytes");
        st.baseOverstayDays = -2; // dropping a permit can add judged days to a kept stay
        assertEquals(-2, TravellerState.decode(st.encode()).baseOverstayDays);
    }

    // ---- property: every status is the engine's -------------------------------------------------

    private record Ev(long time, String id, String citizenship, boolean crossing, boolean entry, PermitPeriod permit) {
    }

    /** The model: what the topology has been told so far about one traveller. */
    private static final class Known {
        final String citizenship;
        final RuleVersion forced;
        final List<Stay> stays = new ArrayList<>();
        final List<PermitPeriod> permits = new ArrayList<>();
        LocalDate lastCrossing;

        Known(String citizenship, RuleVersion forced) {
            this.citizenship = citizenship;
            this.forced = forced;
        }

        void apply(Ev e, LocalDate day) {
            if (!e.crossing) {
                permits.add(e.permit);
                return;
            }
            lastCrossing = day;
            if (e.entry) {
                stays.add(Stay.open(day));
            } else {
                Stay open = stays.remove(stays.size() - 1);
                stays.add(new Stay(open.entry(), day));
            }
        }

        StayStatus engine(LocalDate on) {
            CitizenshipClass c = List.of("RU", "BY", "AM", "KG").contains(citizenship) ? CitizenshipClass.EAEU
                    : CitizenshipClass.VISA_FREE;
            StayRules rules = forced != null ? StayRules.whatIf(forced) : StayRules.forCitizenship(c);
            try {
                return new StayCalculator(rules).control(TravelHistory.of(stays, permits), on);
            } catch (NoRuleInForceException e) {
                return null;
            }
        }
    }

    @Test
    void everyStatusAndTheLastOnePerTravellerIsTheEngineOnTheHistorySoFar() {
        property(null);
    }

    @Test
    void theSamePropertyUnderAWhatIf() {
        property(RuleVersion.KZ_EAEU_2023);
    }

    /**
     * A few hundred random travellers ({@code -Dstay.property.travellers}, {@code -Dstay.property.seed}) with
     * random histories (visa runs, touching stays, permits, open stays, 2022 and 2023 rules), in event-time
     * order, one partition: every status equals the engine on what was known when it was emitted; the last
     * status per traveller equals the engine on the whole history; every overstayer is caught by the sweep
     * with one open alert.
     */
    private void property(RuleVersion forced) {
        start(forced == null ? Map.of() : Map.of(StayTopology.RULE_FORCE, forced.id()));
        long seed = Long.getLong("stay.property.seed", 20240601L) + (forced == null ? 0 : 1);
        RandomHistories histories = new RandomHistories(seed);
        Random random = new Random(seed * 31 + 7);
        String[] citizenships = {"RU", "KG", "TR", "BY", "UZ"};
        List<Ev> events = new ArrayList<>();
        int travellers = Integer.getInteger("stay.property.travellers", 300);
        for (int i = 0; i < travellers; i++) {
            RandomHistories.Case c = histories.control();
            String id = "r" + i;
            String cit = citizenships[i % citizenships.length];
            long prev = Long.MIN_VALUE;
            for (Stay s : c.stays()) {
                prev = addCrossing(events, id, cit, true, s.entry(), prev, random);
                if (s.exit() != null) {
                    prev = addCrossing(events, id, cit, false, s.exit(), prev, random);
                }
            }
            for (PermitPeriod p : c.permits()) {
                long t = p.from().plusDays(random.nextInt(41) - 20).atTime(12, random.nextInt(60)).atZone(ZONE)
                        .toInstant().toEpochMilli();
                events.add(new Ev(t, id, cit, false, false, p));
            }
        }
        events.sort(Comparator.comparingLong(Ev::time));

        Map<String, Known> known = new HashMap<>();
        Map<String, io.borderflow.avro.StayStatus> last = new HashMap<>();
        Map<String, Integer> openAlerts = new HashMap<>();
        int checked = 0;
        int sweepOverstays = 0;
        for (Ev e : events) {
            Instant t = Instant.ofEpochMilli(e.time);
            LocalDate day = t.atZone(ZONE).toLocalDate();
            Known k = known.computeIfAbsent(e.id, x -> new Known(e.citizenship, forced));
            boolean newPermit = !e.crossing && !k.permits.contains(e.permit);
            if (e.crossing) {
                cross(e.id, e.citizenship, e.entry ? Direction.ENTRY : Direction.EXIT, t);
            } else {
                Registration r = new Registration("reg-" + (++seq), e.id, RegistrationKind.TEMPORARY_RESIDENCE_PERMIT,
                        e.permit.from(), e.permit.to(), null, t);
                registrations.pipeInput(new TestRecord<>(e.id.getBytes(StandardCharsets.UTF_8), REGISTRATION.encode(r), t));
            }
            k.apply(e, day);
            LocalDate asOf = e.crossing ? day : k.lastCrossing == null ? day
                    : day.isAfter(k.lastCrossing) ? day : k.lastCrossing;
            StayStatus expectedNow = k.stays.isEmpty() ? null : k.engine(asOf);
            boolean expectStatus = expectedNow != null && (e.crossing || newPermit);
            boolean sawOwn = false;
            for (io.borderflow.avro.StayStatus s : statuses.readValuesToList()) {
                Known who = known.get(s.getTravellerId());
                StayStatus expected = who.engine(s.getAsOf());
                assertNotNull(expected, "a status only where the engine has a rule: " + s);
                String ctx = s.getTravellerId() + " " + who.stays + " " + who.permits + " " + s;
                assertEquals(expectedState(expected, 10), s.getStatus(), ctx);
                assertEquals(expected.rule().id(), s.getRule(), ctx);
                assertEquals(expected.daysUsed(), s.getDaysUsed(), ctx);
                assertEquals(expected.daysRemaining(), s.getDaysRemaining(), ctx);
                assertEquals(expected.overstayDays(), s.getOverstayDays(), ctx);
                assertEquals(expected.mustLeaveBy(), s.getMustLeaveBy(), ctx);
                if (s.getTravellerId().equals(e.id) && s.getAsOf().equals(asOf)) {
                    sawOwn = true;
                } else if (s.getStatus() == StayState.OVERSTAY) {
                    sweepOverstays++;
                }
                last.put(s.getTravellerId(), s);
                checked++;
            }
            assertEquals(expectStatus, sawOwn, "status for " + e + " known " + k.stays + " " + k.permits);
            for (Alert a : alerts.readValuesToList()) {
                openAlerts.merge(a.getKey(), a.getState() == AlertState.RAISED ? 1 : -1, Integer::sum);
                int open = openAlerts.get(a.getKey());
                assertTrue(open == 0 || open == 1, "alerts alternate: " + a);
            }
        }
        // One more local day: the sweep of the day after the last event.
        LocalDate lastDay = Instant.ofEpochMilli(events.get(events.size() - 1).time).atZone(ZONE).toLocalDate();
        LocalDate end = lastDay.plusDays(1);
        tick(end.atTime(0, 1).atZone(ZONE).toInstant());
        for (io.borderflow.avro.StayStatus s : statuses.readValuesToList()) {
            assertEquals(StayState.OVERSTAY, s.getStatus());
            last.put(s.getTravellerId(), s);
        }
        for (Alert a : alerts.readValuesToList()) {
            openAlerts.merge(a.getKey(), a.getState() == AlertState.RAISED ? 1 : -1, Integer::sum);
        }
        int overstaying = 0;
        for (Map.Entry<String, Known> e : known.entrySet()) {
            Known k = e.getValue();
            io.borderflow.avro.StayStatus s = last.get(e.getKey());
            if (s == null) {
                continue;
            }
            // The last status is the engine on the whole history as of its date, which is the last event's
            // date or, for an overstay found by the sweep, a later one.
            StayStatus whole = k.engine(s.getAsOf());
            assertEquals(whole.daysUsed(), s.getDaysUsed());
            assertEquals(whole.overstayDays(), s.getOverstayDays());
            assertEquals(whole.mustLeaveBy(), s.getMustLeaveBy());
            assertFalse(s.getAsOf().isBefore(k.lastCrossing == null ? s.getAsOf() : k.lastCrossing));
            boolean present = !k.stays.isEmpty() && k.stays.get(k.stays.size() - 1).exit() == null;
            StayStatus atEnd = k.stays.isEmpty() ? null : k.engine(end);
            if (present && atEnd != null && atEnd.overLimit()) {
                overstaying++;
                assertEquals(StayState.OVERSTAY, s.getStatus(), "an overstayer is caught: " + k.stays + " " + s);
                assertEquals(1, openAlerts.getOrDefault(e.getKey(), 0), "one open alert");
            } else if (!present) {
                assertEquals(0, openAlerts.getOrDefault(e.getKey(), 0), "resolved on exit");
            }
        }
        System.out.printf("property (%s, seed %d): %d events, %d statuses checked, %d travellers with a status, %d overstaying at "
                        + "the end, %d overstays found by the sweep, %d stays pruned%n", forced == null ? "in force" : forced.id(),
                seed, events.size(), checked,
                last.size(), overstaying, sweepOverstays, count(Counter.STAYS_PRUNED));
        assertTrue(overstaying > 0 && sweepOverstays > 0, "the histories exercise the sweep");
        assertTrue(count(Counter.STAYS_PRUNED) > 0, "and pruning");
    }

    private static long addCrossing(List<Ev> events, String id, String cit, boolean entry, LocalDate day, long prev,
                                    Random random) {
        long t = day.atTime(6, 0).atZone(ZONE).toInstant().toEpochMilli() + random.nextInt(600) * 60_000L;
        if (t <= prev) {
            t = prev + (1 + random.nextInt(30)) * 60_000L;
        }
        events.add(new Ev(t, id, cit, true, entry, null));
        return t;
    }


    @Test
    void theCohortHandoverIsADurationOfAtMostADay() {
        assertEquals(java.time.Duration.ofHours(1), StaySettings.from(BorderflowConfig.defaults()).cohortHandover());
        for (String bad : List.of("hourly", "P2D", "-PT1H")) {
            io.borderflow.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.borderflow.config.ConfigException.class, () -> StaySettings.from(
                            BorderflowConfig.defaults().with(Map.of(StayTopology.COHORT_HANDOVER, bad))));
            assertTrue(e.getMessage().startsWith(StayTopology.COHORT_HANDOVER + " must be"), e.getMessage());
        }
    }
}
