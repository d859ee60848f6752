package io.borderflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.borderflow.alert.AlertRules;
import io.borderflow.app.StreamApp;
import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.flow.FlowSettings;
import io.borderflow.serde.AvroSerde;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The domain metrics the whole app's topology records, read from a {@link SimpleMeterRegistry} in
 * Micrometer's global registry after hand-made crossings (added fresh per test, so counters start
 * at 0 here whatever other tests in this JVM counted).
 */
class DomainMetricsTest {
    /** Every traveller id of these tests starts with this: it must be in no tag. */
    private static final String ID_PREFIX = "P-7f3a-";
    private static final String RULE = "test-checkpoint-outflow";

    @TempDir
    Path dir;

    private SimpleMeterRegistry registry;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> crossings;
    private TestInputTopic<byte[], byte[]> registrations;
    private int seq;

    @BeforeEach
    void start() throws Exception {
        registry = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(registry);
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                rules:
                  - name: %s
                    type: net-outflow
                    severity: WARNING
                    dimension: CHECKPOINT
                    window: 1h
                    threshold: 0
                """.formatted(RULE));
        BorderflowConfig config = BorderflowConfig.defaults().with(Map.of(FlowSettings.LIVE_INTERVAL, "PT0S",
                AlertRules.RULES_FILE, rules.toString()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        driver = new TopologyTestDriver(StreamApp.topology(config), p);
        ByteArraySerializer bytes = new ByteArraySerializer();
        crossings = driver.createInputTopic(Topics.CROSSINGS.name(), bytes, bytes);
        registrations = driver.createInputTopic(Topics.REGISTRATIONS.name(), bytes, bytes);
        TestInputTopic<String, Checkpoint> ref = driver.createInputTopic(Topics.CHECKPOINTS.name(),
                Serdes.String().serializer(), AvroSerde.of(Checkpoint.class).serializer());
        ref.pipeInput("SYRYM", new Checkpoint("SYRYM", "Syrym", "West Kazakhstan", Mode.ROAD, "Mashtakovo"));
        ref.pipeInput("KAIRAK", new Checkpoint("KAIRAK", "Kairak", "Kostanay", Mode.ROAD, null));
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        Metrics.globalRegistry.remove(registry);
        registry.close();
    }

    // ---- net flows and alerts ------------------------------------------------------------------

    @Test
    void flowCountersWindowGaugesPresentStockAndAlerts() {
        Crossing first = crossing("2022-09-21T04:10:00Z", Direction.ENTRY, "SYRYM", "RU", "0001");
        pipe(first);
        pipe(crossing("2022-09-21T04:20:00Z", Direction.ENTRY, "SYRYM", "RU", "0002"));
        pipe(crossing("2022-09-21T04:30:00Z", Direction.ENTRY, "SYRYM", "RU", "0003"));
        pipe(crossing("2022-09-21T04:40:00Z", Direction.EXIT, "KAIRAK", "BY", "0004"));
        pipe(crossing("2022-09-21T04:45:00Z", Direction.ENTRY, "NOWHERE", "CN", "0005"));
        pipe(first); // re-sent
        crossings.pipeInput(new TestRecord<>("x".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3},
                Instant.parse("2022-09-21T04:50:00Z")));

        assertEquals(3, count("border.crossings", "direction", "entry", "checkpoint", "SYRYM"));
        assertEquals(1, count("border.crossings", "direction", "exit", "checkpoint", "KAIRAK"));
        assertEquals(1, count("border.crossings", "direction", "entry", "checkpoint", "unknown"),
                "an unknown checkpoint's code is no label");
        assertEquals(1, count("border.duplicate.records", "stage", "flow"));
        assertEquals(1, count("border.dead.letters", "reason", "duplicate", "stage", "flow"));
        assertEquals(1, count("border.dead.letters", "reason", "deserialization", "stage", "flow"));
        // Dead-lettered once, by the first stage that reads the topic; the stay stage only counts it.
        assertEquals(0, count("border.dead.letters", "reason", "deserialization", "stage", "stay"));
        assertEquals(1, count("border.data.quality.records", "reason", "unknown_checkpoint", "stage", "flow"));
        assertEquals(1, count("border.data.quality.records", "reason", "exit_without_entry", "stage", "stay"));

        // Stream time 05:20: the hour 04-05 is past its 15 minutes' grace.
        tick("2022-09-21T05:20:00Z");
        assertEquals(3, gauge("border.checkpoint.entries", "window", "1h", "checkpoint", "SYRYM", "region", "West Kazakhstan"));
        assertEquals(0, gauge("border.checkpoint.exits", "window", "1h", "checkpoint", "SYRYM", "region", "West Kazakhstan"));
        assertEquals(-1, gauge("border.checkpoint.net", "window", "1h", "checkpoint", "KAIRAK", "region", "Kostanay"));
        assertEquals(3, gauge("border.region.entries", "window", "1h", "region", "West Kazakhstan"));
        assertEquals(1, gauge("border.region.entries", "window", "1h", "region", "unknown"));
        assertEquals(3, gauge("border.citizenship.net", "window", "1h", "citizenship", "RU"));
        assertEquals(4, gauge("border.national.entries", "window", "1h"));
        assertEquals(1, gauge("border.national.exits", "window", "1h"));
        assertEquals(3, gauge("border.national.net", "window", "1h"));
        assertEquals(epochSeconds("2022-09-21T05:00:00Z"), gauge("border.window.end", "window", "1h"));
        assertEquals(3, gauge("border.present.citizenship", "citizenship", "RU"));
        assertEquals(-1, gauge("border.present.citizenship", "citizenship", "BY"));
        assertEquals(-1, gauge("border.present.region", "region", "Kostanay"));
        assertEquals(epochSeconds("2022-09-21T05:20:00Z"), gauge("border.event.time", "stage", "flow"));
        // KAIRAK: 1 exit, 0 entries > threshold 0.
        assertEquals(1, count("border.alerts", "rule", RULE, "severity", "warning", "state", "raised"));
        assertEquals(1, gauge("border.alerts.firing", "rule", RULE, "severity", "warning"));

        // A crossing of the closed hour is late; the next hour has traffic only at KAIRAK.
        pipe(crossing("2022-09-21T04:55:00Z", Direction.ENTRY, "SYRYM", "RU", "0006"));
        assertEquals(1, count("border.late.records", "window", "1h", "stage", "flow"));
        assertEquals(4, gauge("border.checkpoint.entries", "window", "1h", "checkpoint", "SYRYM", "region", "West Kazakhstan"),
                "the restated last window");
        pipe(crossing("2022-09-21T05:30:00Z", Direction.ENTRY, "KAIRAK", "RU", "0007"));
        tick("2022-09-21T06:20:00Z");
        assertEquals(epochSeconds("2022-09-21T06:00:00Z"), gauge("border.window.end", "window", "1h"));
        assertEquals(0, gauge("border.checkpoint.entries", "window", "1h", "checkpoint", "SYRYM", "region", "West Kazakhstan"),
                "no crossing at SYRYM in the last closed hour");
        assertEquals(1, gauge("border.checkpoint.entries", "window", "1h", "checkpoint", "KAIRAK", "region", "Kostanay"));
        assertEquals(1, gauge("border.national.net", "window", "1h"));
        assertEquals(0, gauge("border.present.region", "region", "Kostanay"));
        assertEquals(5, gauge("border.present.citizenship", "citizenship", "RU"));
        assertEquals(1, count("border.alerts", "rule", RULE, "severity", "warning", "state", "resolved"));
        assertEquals(0, gauge("border.alerts.firing", "rule", RULE, "severity", "warning"));
        assertEquals(4, count("border.crossings", "direction", "entry", "checkpoint", "SYRYM"));
        assertEquals(1, count("border.crossings", "direction", "entry", "checkpoint", "KAIRAK"));

        // The local day (Asia/Almaty, UTC+6) 21 Sep ends 18:00Z and closes 2 h later.
        tick("2022-09-21T20:30:00Z");
        assertEquals(epochSeconds("2022-09-21T18:00:00Z"), gauge("border.window.end", "window", "1d"));
        assertEquals(6, gauge("border.national.entries", "window", "1d"));
        assertEquals(1, gauge("border.national.exits", "window", "1d"));
        assertEquals(4, gauge("border.checkpoint.entries", "window", "1d", "checkpoint", "SYRYM", "region", "West Kazakhstan"));
        assertEquals(0, gauge("border.checkpoint.entries", "window", "1h", "checkpoint", "KAIRAK", "region", "Kostanay"),
                "hours without any crossing closed since");
        assertEquals(0, gauge("border.national.entries", "window", "1h"));

        // Stay: five RU and one BY traveller, all compliant; the CN one has no status (a visa-free
        // stay entered before the 2023 rule has no rule).
        assertEquals(5, gauge("border.stay.travellers", "status", "compliant", "citizenship", "RU"));
        assertEquals(1, gauge("border.stay.travellers", "status", "compliant", "citizenship", "BY"));
        assertEquals(6, registry.find("border.stay.travellers").gauges().stream().mapToDouble(g -> g.value()).sum());
        assertNoTravellerIdInAnyTag();
    }

    // ---- stay compliance -----------------------------------------------------------------------

    @Test
    void stayGaugesMoveWithEachTravellersStatus() {
        pipe(crossing("2022-06-01T08:00:00Z", Direction.ENTRY, "SYRYM", "RU", "0101"));
        pipe(crossing("2022-06-02T08:00:00Z", Direction.ENTRY, "SYRYM", "RU", "0102"));
        pipe(crossing("2022-06-02T09:00:00Z", Direction.ENTRY, "KAIRAK", "KG", "0103"));
        assertEquals(2, gauge("border.stay.travellers", "status", "compliant", "citizenship", "RU"));
        assertEquals(1, gauge("border.stay.travellers", "status", "compliant", "citizenship", "KG"));
        assertEquals(epochSeconds("2022-06-02T09:00:00Z"), gauge("border.event.time", "stage", "stay"));

        // A residence permit exempts 0102.
        Registration permit = new Registration("reg-1", ID_PREFIX + "0102", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT,
                LocalDate.parse("2022-06-10"), LocalDate.parse("2023-06-09"), null, Instant.parse("2022-06-10T05:00:00Z"));
        registrations.pipeInput(new TestRecord<>(permit.getTravellerId().getBytes(StandardCharsets.UTF_8),
                AvroSerde.of(Registration.class).encode(permit), permit.getTime()));
        assertEquals(1, gauge("border.stay.travellers", "status", "compliant", "citizenship", "RU"));
        assertEquals(1, gauge("border.stay.travellers", "status", "exempt", "citizenship", "RU"));

        // 0101 and 0103 are still in the country 92 days later: the midnight sweep finds them overstaying.
        pipe(crossing("2022-09-01T08:00:00Z", Direction.ENTRY, "SYRYM", "AM", "0104"));
        assertEquals(1, gauge("border.stay.travellers", "status", "overstay", "citizenship", "RU"));
        assertEquals(1, gauge("border.stay.travellers", "status", "overstay", "citizenship", "KG"));
        assertEquals(0, gauge("border.stay.travellers", "status", "compliant", "citizenship", "RU"));
        assertEquals(0, gauge("border.stay.travellers", "status", "compliant", "citizenship", "KG"));
        assertEquals(1, gauge("border.stay.travellers", "status", "compliant", "citizenship", "AM"));
        assertEquals(2, count("border.alerts", "rule", "stay-overstay", "severity", "warning", "state", "raised"));
        assertEquals(2, gauge("border.alerts.firing", "rule", "stay-overstay", "severity", "warning"));

        // 0101 leaves: the alert resolves; the traveller stays counted under its last status.
        pipe(crossing("2022-09-02T08:00:00Z", Direction.EXIT, "SYRYM", "RU", "0101"));
        assertEquals(1, count("border.alerts", "rule", "stay-overstay", "severity", "warning", "state", "resolved"));
        assertEquals(1, gauge("border.alerts.firing", "rule", "stay-overstay", "severity", "warning"));
        assertEquals(1, gauge("border.stay.travellers", "status", "overstay", "citizenship", "RU"));
        // The same crossing again is a duplicate for the stay stage.
        pipe(crossing("2022-09-02T08:00:00Z", Direction.EXIT, "SYRYM", "RU", "0101"));
        assertEquals(1, count("border.duplicate.records", "stage", "stay"));
        double tracked = registry.find("border.stay.travellers").gauges().stream().mapToDouble(g -> g.value()).sum();
        assertEquals(4, tracked, "every traveller counted once");
        assertNoTravellerIdInAnyTag();
    }

    // ---- helpers -------------------------------------------------------------------------------

    private void assertNoTravellerIdInAnyTag() {
        assertFalse(registry.getMeters().isEmpty());
        for (Meter m : registry.getMeters()) {
            for (Tag t : m.getId().getTags()) {
                assertFalse(t.getValue().contains(ID_PREFIX) || t.getValue().contains("7f3a"),
                        m.getId() + " carries a traveller id");
            }
        }
    }

    private Crossing crossing(String time, Direction d, String checkpoint, String citizenship, String traveller) {
        return new Crossing("ev-" + (++seq), ID_PREFIX + traveller, citizenship, d, checkpoint, null, Mode.ROAD,
                Instant.parse(time));
    }

    private void pipe(Crossing c) {
        crossings.pipeInput(new TestRecord<>(c.getTravellerId().getBytes(StandardCharsets.UTF_8),
                AvroSerde.of(Crossing.class).encode(c), c.getTime()));
    }

    private void tick(String time) {
        for (TestInputTopic<byte[], byte[]> in : java.util.List.of(crossings, registrations)) {
            RecordHeaders h = new RecordHeaders();
            h.add(Watermarks.HEADER, Watermarks.bytes(Watermarks.TICK));
            in.pipeInput(new TestRecord<>("~watermark".getBytes(StandardCharsets.UTF_8), null, h, Instant.parse(time)));
        }
    }

    private static double epochSeconds(String time) {
        return Instant.parse(time).getEpochSecond();
    }

    private double count(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    private double gauge(String name, String... tags) {
        var g = registry.find(name).tags(tags).gauge();
        assertNotNull(g, name + " " + String.join(",", tags));
        return g.value();
    }

}
