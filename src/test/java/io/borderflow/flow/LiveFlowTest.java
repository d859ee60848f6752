package io.borderflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
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

/**
 * The live net-flow output ({@code border.net-flows-live.v1}) on the wall clock: what a dashboard watching the
 * border in real time sees. Input at the pace of real life stays within one hour for an hour, so the open hour's
 * counts must reach the live topic within a couple of live intervals, not when the hour is over.
 */
class LiveFlowTest {
    private static final Duration INTERVAL = Duration.ofSeconds(2);
    private static final String HOUR = "2022-09-21T04:00:00Z";
    private static final String DAY = "2022-09-20T18:00:00Z";

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> crossings;
    private TestOutputTopic<String, NetFlowWindow> live;
    private TestOutputTopic<String, NetFlowWindow> finals;
    private int seq;

    @BeforeEach
    void start() {
        BorderflowConfig config = BorderflowConfig.defaults().with(Map.of(FlowSettings.LIVE_INTERVAL, INTERVAL.toString()));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "live-flow-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(NetFlowTopology.build(config), p);
        ByteArraySerializer bytes = new ByteArraySerializer();
        crossings = driver.createInputTopic(Topics.CROSSINGS.name(), bytes, bytes);
        TestInputTopic<String, Checkpoint> ref = driver.createInputTopic(Topics.CHECKPOINTS.name(),
                Serdes.String().serializer(), AvroSerde.of(Checkpoint.class).serializer());
        ref.pipeInput("SYRYM", new Checkpoint("SYRYM", "Syrym", "West Kazakhstan", Mode.ROAD, "Mashtakovo"));
        StringDeserializer s = new StringDeserializer();
        live = driver.createOutputTopic(Topics.NET_FLOWS_LIVE.name(), s, AvroSerde.of(NetFlowWindow.class).deserializer());
        finals = driver.createOutputTopic(Topics.NET_FLOWS.name(), s, AvroSerde.of(NetFlowWindow.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void pipe(String time, Direction d) {
        Crossing c = new Crossing("ev-" + (++seq), "t" + seq, "RU", d, "SYRYM", null, Mode.ROAD,
                OffsetDateTime.parse(time).toInstant());
        crossings.pipeInput(new TestRecord<>(c.getTravellerId().getBytes(StandardCharsets.UTF_8),
                AvroSerde.of(Crossing.class).encode(c), c.getTime()));
    }

    /** Two live intervals of wall-clock time: the entrance hands over, then the aggregation emits. */
    private Map<String, NetFlowWindow> liveAfterTwoIntervals() {
        driver.advanceWallClockTime(INTERVAL);
        driver.advanceWallClockTime(INTERVAL);
        return live.readValuesToList().stream().collect(Collectors.toMap(
                w -> w.getDimension() + ":" + w.getKey() + "|" + w.getWindow() + "|" + w.getWindowStart(), w -> w,
                (a, b) -> b));
    }

    @Test
    void theOpenHourReachesTheLiveTopicWithinTwoIntervalsAndIsCountedOnce() {
        pipe("2022-09-21T10:05:00+06:00", Direction.ENTRY);
        pipe("2022-09-21T10:15:00+06:00", Direction.ENTRY);
        pipe("2022-09-21T10:20:00+06:00", Direction.EXIT);
        Map<String, NetFlowWindow> first = liveAfterTwoIntervals();
        NetFlowWindow hour = first.get("NATIONAL:KZ|1h|" + HOUR);
        assertTrue(hour != null, "the open hour is on the live topic before it ends: " + first.keySet());
        assertEquals(2, hour.getEntries());
        assertEquals(1, hour.getExits());
        assertFalse(hour.getFinal$());
        assertEquals(2, first.get("CHECKPOINT:SYRYM|1h|" + HOUR).getEntries());
        assertEquals(2, first.get("REGION:West Kazakhstan|1h|" + HOUR).getEntries());
        assertEquals(1, first.get("CITIZENSHIP:RU|1d|" + DAY).getExits());

        assertTrue(liveAfterTwoIntervals().isEmpty(), "nothing new, nothing sent");

        pipe("2022-09-21T10:40:00+06:00", Direction.ENTRY);
        NetFlowWindow later = liveAfterTwoIntervals().get("NATIONAL:KZ|1h|" + HOUR);
        assertEquals(3, later.getEntries(), "running counts, not the last interval's");
        assertEquals(1, later.getExits());

        pipe("2022-09-21T10:50:00+06:00", Direction.EXIT);
        watermark("2022-09-21T11:20:00+06:00");
        NetFlowWindow closed = finals.readValuesToList().stream()
                .filter(w -> w.getKey().equals("KZ") && w.getWindow().equals("1h")).findFirst().orElseThrow();
        assertEquals(3, closed.getEntries(), "what went on early is not counted again at the hand-over");
        assertEquals(2, closed.getExits());
    }

    private void watermark(String time) {
        RecordHeaders h = new RecordHeaders();
        h.add(Watermarks.HEADER, Watermarks.bytes(Watermarks.TICK));
        crossings.pipeInput(new TestRecord<>("~watermark".getBytes(StandardCharsets.UTF_8), null, h,
                OffsetDateTime.parse(time).toInstant()));
    }
}
