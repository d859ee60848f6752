package io.borderflow.stay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.avro.StayState;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lookups on the stored state give the engine's answer over the traveller's whole history. */
class StayLookupTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Almaty");
    private static final BorderflowConfig CONFIG = BorderflowConfig.defaults();
    private static final StayCalculator EAEU = new StayCalculator(StayRules.inForce(RuleFamily.KZ_EAEU));

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> crossings;
    private TestInputTopic<byte[], byte[]> registrations;
    private TestOutputTopic<String, io.borderflow.avro.StayStatus> statuses;
    private final StayLookup lookup = new StayLookup(CONFIG);
    private int seq;

    @BeforeEach
    void start() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "stay-lookup-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StayTopology.build(CONFIG), p);
        ByteArraySerializer bytes = new ByteArraySerializer();
        crossings = driver.createInputTopic(Topics.CROSSINGS.name(), bytes, bytes);
        registrations = driver.createInputTopic(Topics.REGISTRATIONS.name(), bytes, bytes);
        statuses = driver.createOutputTopic(Topics.STAY_STATUS.name(), new StringDeserializer(),
                AvroSerde.of(io.borderflow.avro.StayStatus.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void cross(String id, Direction dir, String date) {
        Instant time = LocalDate.parse(date).atTime(12, 0).atZone(ZONE).toInstant();
        Crossing c = new Crossing("ev-" + (++seq), id, "RU", dir, "SYRYM", null, Mode.ROAD, time);
        crossings.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8),
                AvroSerde.of(Crossing.class).encode(c), time));
    }

    private StayLookup.Traveller stored(String id) {
        byte[] v = driver.<String, byte[]>getKeyValueStore(StayTopology.TRAVELLERS_STORE).get(id);
        assertTrue(v != null, "stored");
        return lookup.traveller(v);
    }

    private static LocalDate d(String s) {
        return LocalDate.parse(s);
    }

    @Test
    void defaultDayIsTheLatestCrossingAndTheAnswerIsTheEmittedStatus() {
        cross("t1", Direction.ENTRY, "2023-03-01");
        cross("t1", Direction.EXIT, "2023-04-10");
        cross("t1", Direction.ENTRY, "2023-06-01");
        List<io.borderflow.avro.StayStatus> emitted = statuses.readValuesToList();
        io.borderflow.avro.StayStatus last = emitted.get(emitted.size() - 1);

        StayLookup.Standing s = stored("t1").standing(null);
        assertEquals(d("2023-06-01"), s.lastCrossing());
        assertEquals(d("2023-06-01"), s.engine().on());
        assertEquals(last.getStatus(), s.status());
        assertEquals(last.getRule(), s.engine().rule().id());
        assertEquals(last.getDaysUsed(), s.engine().daysUsed());
        assertEquals(last.getDaysRemaining(), s.engine().daysRemaining());
        assertEquals(last.getOverstayDays(), s.overstayDays());
        assertEquals(last.getMustLeaveBy(), s.engine().mustLeaveBy());
        assertTrue(stored("t1").present());
    }

    @Test
    void aLaterDayFindsTheOverstayOfATravellerWhoNeverCrossedAgain() {
        cross("t2", Direction.ENTRY, "2023-03-01");
        cross("t2", Direction.EXIT, "2023-04-10");
        cross("t2", Direction.ENTRY, "2023-06-01");
        TravelHistory all = TravelHistory.of(List.of(new Stay(d("2023-03-01"), d("2023-04-10")),
                Stay.open(d("2023-06-01"))));
        StayLookup.Standing s = stored("t2").standing(d("2023-09-15"));
        StayStatus expected = EAEU.control(all, d("2023-09-15"));
        assertEquals(StayState.OVERSTAY, s.status());
        assertEquals(expected, s.engine());
        assertEquals(expected.overstayDays(), s.overstayDays());
        assertTrue(s.overstayDays() > 0);
    }

    @Test
    void overstayDaysCountStaysNoLongerKept() {
        // An overstay in spring 2023, then short visits: by January 2024 the first stay is dropped from state.
        cross("t3", Direction.ENTRY, "2023-02-01");
        cross("t3", Direction.EXIT, "2023-06-01");
        cross("t3", Direction.ENTRY, "2023-09-01");
        cross("t3", Direction.EXIT, "2023-09-10");
        cross("t3", Direction.ENTRY, "2024-01-15");
        StayLookup.Traveller t = stored("t3");
        TravelHistory all = TravelHistory.of(List.of(new Stay(d("2023-02-01"), d("2023-06-01")),
                new Stay(d("2023-09-01"), d("2023-09-10")), Stay.open(d("2024-01-15"))));
        for (String on : List.of("2024-01-15", "2024-03-01", "2024-05-20")) {
            StayStatus expected = EAEU.control(all, d(on));
            StayLookup.Standing s = t.standing(d(on));
            assertEquals(expected.overstayDays(), s.overstayDays(), "overstay days on " + on);
            assertEquals(expected.daysUsed(), s.engine().daysUsed(), "days used on " + on);
            assertEquals(expected.mustLeaveBy(), s.engine().mustLeaveBy(), "must leave by on " + on);
        }
        assertTrue(EAEU.control(all, d("2024-01-15")).overstayDays() > 0, "the spring overstay counts");
    }

    @Test
    void daysBeforeTheLatestCrossingAreRefused() {
        cross("t4", Direction.ENTRY, "2023-03-01");
        cross("t4", Direction.EXIT, "2023-03-05");
        StayLookup.Traveller t = stored("t4");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.standing(d("2023-03-04")));
        assertTrue(e.getMessage().startsWith("on: 2023-03-04 is before the traveller's latest crossing (2023-03-05)"),
                e.getMessage());
        assertFalse(t.present());
        assertEquals(StayState.COMPLIANT, t.standing(d("2023-03-05")).status());
    }

    @Test
    void aTravellerKnownOnlyByAPermitHasNothingToJudge() {
        Instant time = LocalDate.parse("2023-03-01").atTime(9, 0).atZone(ZONE).toInstant();
        Registration r = new Registration("reg-1", "t5", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, d("2023-03-01"),
                d("2024-02-29"), null, time);
        registrations.pipeInput(new TestRecord<>("t5".getBytes(StandardCharsets.UTF_8),
                AvroSerde.of(Registration.class).encode(r), time));
        StayLookup.Traveller t = stored("t5");
        assertTrue(t.lastCrossing().isEmpty());
        assertThrows(IllegalStateException.class, () -> t.standing(null));
    }
}
