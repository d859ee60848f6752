package io.borderflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DailyCount;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.PresentStock;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
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

class NetFlowTopologyTest {
    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> crossings;
    private TestInputTopic<byte[], byte[]> iins;
    private TestOutputTopic<String, NetFlowWindow> finals;
    private TestOutputTopic<String, NetFlowWindow> corrections;
    private TestOutputTopic<String, DeadLetter> late;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private TestOutputTopic<String, DeadLetter> quality;
    private TestOutputTopic<String, PresentStock> stock;
    private TestOutputTopic<String, DailyCount> daily;
    private int seq;

    @BeforeEach
    void start() {
        BorderflowConfig config = BorderflowConfig.defaults().with(Map.of(FlowSettings.LIVE_INTERVAL, "PT0S"));
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "flow-test");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(NetFlowTopology.build(config), p);
        ByteArraySerializer bytes = new ByteArraySerializer();
        crossings = driver.createInputTopic(Topics.CROSSINGS.name(), bytes, bytes);
        iins = driver.createInputTopic(Topics.IIN_APPLICATIONS.name(), bytes, bytes);
        Checkpoint syrym = new Checkpoint("SYRYM", "Syrym", "West Kazakhstan", Mode.ROAD, "Mashtakovo");
        Checkpoint kairak = new Checkpoint("KAIRAK", "Kairak", "Kostanay", Mode.ROAD, null);
        TestInputTopic<String, Checkpoint> ref = driver.createInputTopic(Topics.CHECKPOINTS.name(),
                Serdes.String().serializer(), AvroSerde.of(Checkpoint.class).serializer());
        ref.pipeInput("SYRYM", syrym);
        ref.pipeInput("KAIRAK", kairak);
        StringDeserializer s = new StringDeserializer();
        finals = driver.createOutputTopic(Topics.NET_FLOWS.name(), s, AvroSerde.of(NetFlowWindow.class).deserializer());
        corrections = driver.createOutputTopic(Topics.NET_FLOW_CORRECTIONS.name(), s, AvroSerde.of(NetFlowWindow.class).deserializer());
        late = driver.createOutputTopic(Topics.LATE_EVENTS.name(), s, AvroSerde.of(DeadLetter.class).deserializer());
        deadLetters = driver.createOutputTopic(Topics.DEAD_LETTERS.name(), s, AvroSerde.of(DeadLetter.class).deserializer());
        quality = driver.createOutputTopic(Topics.DATA_QUALITY.name(), s, AvroSerde.of(DeadLetter.class).deserializer());
        stock = driver.createOutputTopic(Topics.PRESENT_STOCK.name(), s, AvroSerde.of(PresentStock.class).deserializer());
        daily = driver.createOutputTopic(Topics.DAILY_COUNTS.name(), s, AvroSerde.of(DailyCount.class).deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private Crossing crossing(String time, Direction d, String checkpoint, String citizenship) {
        return new Crossing("ev-" + (++seq), "t" + seq, citizenship, d, checkpoint, null, Mode.ROAD,
                OffsetDateTime.parse(time).toInstant());
    }

    private void pipe(Crossing c) {
        crossings.pipeInput(new TestRecord<>(c.getTravellerId().getBytes(StandardCharsets.UTF_8),
                AvroSerde.of(Crossing.class).encode(c), c.getTime()));
    }

    private void tick(String time) {
        watermark(Topics.CROSSINGS.name(), crossings, Watermarks.TICK, time);
    }

    private void end(String time) {
        watermark(Topics.CROSSINGS.name(), crossings, Watermarks.end(0, 1), time);
        watermark(Topics.IIN_APPLICATIONS.name(), iins, Watermarks.end(0, 1), time);
    }

    private static void watermark(String topic, TestInputTopic<byte[], byte[]> in, String value, String time) {
        RecordHeaders h = new RecordHeaders();
        h.add(Watermarks.HEADER, Watermarks.bytes(value));
        in.pipeInput(new TestRecord<>("~watermark".getBytes(StandardCharsets.UTF_8), null, h,
                OffsetDateTime.parse(time).toInstant()));
    }

    /** A flow metric summed over tasks. */
    private double metric(String name) {
        return driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals("stream-flow-metrics") && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static Map<String, NetFlowWindow> byWindow(List<NetFlowWindow> out) {
        return out.stream().collect(Collectors.toMap(
                w -> w.getDimension() + ":" + w.getKey() + "|" + w.getWindow() + "|" + w.getWindowStart(), w -> w,
                (a, b) -> b));
    }

    @Test
    void countsEntriesExitsAndNetPerDimensionAndWindowOnceTheWindowCloses() {
        pipe(crossing("2022-09-21T10:05:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        pipe(crossing("2022-09-21T10:15:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        pipe(crossing("2022-09-21T10:45:00+06:00", Direction.EXIT, "KAIRAK", "KZ"));
        assertTrue(finals.isEmpty(), "nothing is final while the hour is open");
        tick("2022-09-21T11:20:00+06:00");
        Map<String, NetFlowWindow> hour = byWindow(finals.readValuesToList());
        NetFlowWindow syrym = hour.get("CHECKPOINT:SYRYM|1h|2022-09-21T04:00:00Z");
        assertEquals(2, syrym.getEntries());
        assertEquals(0, syrym.getExits());
        assertEquals(2, syrym.getNet());
        NetFlowWindow national = hour.get("NATIONAL:KZ|1h|2022-09-21T04:00:00Z");
        assertEquals(2, national.getEntries());
        assertEquals(1, national.getExits());
        assertEquals(1, national.getNet());
        assertEquals(1, hour.get("REGION:Kostanay|1h|2022-09-21T04:00:00Z").getExits());
        assertEquals(2, hour.get("CITIZENSHIP:RU|1h|2022-09-21T04:00:00Z").getEntries());
        assertEquals(7, hour.size(), "checkpoint x2, region x2, citizenship x2 and national: " + hour.keySet());
        assertTrue(hour.values().stream().allMatch(w -> w.getFinal$() && w.getRevision() == 0));

        // The local day (UTC+6 in 2022) closes 2 h (grace) after local midnight.
        tick("2022-09-22T01:59:00+06:00");
        assertTrue(finals.readValuesToList().stream().noneMatch(w -> w.getWindow().equals("1d")));
        tick("2022-09-22T02:01:00+06:00");
        Map<String, NetFlowWindow> day = byWindow(finals.readValuesToList());
        NetFlowWindow nationalDay = day.get("NATIONAL:KZ|1d|2022-09-20T18:00:00Z");
        assertEquals(Instant.parse("2022-09-21T18:00:00Z"), nationalDay.getWindowEnd());
        assertEquals(1, nationalDay.getNet());
        NetFlowWindow week = day.get("NATIONAL:KZ|7d|2022-09-14T18:00:00Z");
        assertEquals(Instant.parse("2022-09-21T18:00:00Z"), week.getWindowEnd(), "7 local days ending with the 21st");
        assertEquals(2, week.getEntries());
    }

    @Test
    void anHourClosesOnceItsGraceHasPassedNotAtTheNextHour() {
        pipe(crossing("2022-09-21T10:05:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        pipe(crossing("2022-09-21T11:10:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        assertTrue(finals.readValuesToList().stream().noneMatch(w -> w.getWindow().equals("1h")),
                "within the grace (PT15M) the hour is still open");
        pipe(crossing("2022-09-21T11:16:00+06:00", Direction.EXIT, "SYRYM", "RU"));
        // At the pace of real life that is 11:16, not after noon: alerts on the hour come 15 minutes after it.
        NetFlowWindow hour = byWindow(finals.readValuesToList()).get("NATIONAL:KZ|1h|2022-09-21T04:00:00Z");
        assertTrue(hour != null, "the 10:00 hour is final once the partition is past 11:15");
        assertEquals(1, hour.getEntries());
        assertEquals(0, hour.getExits());
        end("2022-09-21T11:16:00+06:00");
        NetFlowWindow next = byWindow(finals.readValuesToList()).get("NATIONAL:KZ|1h|2022-09-21T05:00:00Z");
        assertEquals(1, next.getEntries());
        assertEquals(1, next.getExits());
    }

    @Test
    void theDayOfAlmatysOffsetChangeIsOneLocalDayOf25Hours() {
        // 1 Mar 2024 00:00 +06:00 became 29 Feb 23:00 +05:00: 29 Feb 2024 lasted 25 hours.
        pipe(crossing("2024-02-29T23:30:00+05:00", Direction.ENTRY, "SYRYM", "RU"));
        pipe(crossing("2024-03-01T00:30:00+05:00", Direction.ENTRY, "SYRYM", "RU"));
        end("2024-03-01T00:30:00+05:00");
        Map<String, NetFlowWindow> out = byWindow(finals.readValuesToList());
        NetFlowWindow feb29 = out.get("NATIONAL:KZ|1d|2024-02-28T18:00:00Z");
        assertEquals(Instant.parse("2024-02-29T19:00:00Z"), feb29.getWindowEnd());
        assertEquals(1, feb29.getEntries());
        NetFlowWindow mar1 = out.get("NATIONAL:KZ|1d|2024-02-29T19:00:00Z");
        assertEquals(Instant.parse("2024-03-01T19:00:00Z"), mar1.getWindowEnd());
        assertEquals(1, mar1.getEntries());
    }

    @Test
    void theEndOfInputClosesEveryOpenWindow() {
        pipe(crossing("2022-09-21T10:05:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        end("2022-09-21T10:05:00+06:00");
        List<NetFlowWindow> out = finals.readValuesToList();
        assertTrue(out.stream().anyMatch(w -> w.getWindow().equals("1h")));
        assertTrue(out.stream().anyMatch(w -> w.getWindow().equals("1d")));
        assertTrue(out.stream().anyMatch(w -> w.getWindow().equals("7d")));
        List<PresentStock> present = stock.readValuesToList();
        assertTrue(present.stream().anyMatch(p -> p.getKey().equals("RU") && p.getPresent() == 1), present.toString());
    }

    @Test
    void aLateCrossingRestatesItsWindowAndIsReportedNotDropped() {
        pipe(crossing("2022-09-21T10:05:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        pipe(crossing("2022-09-21T12:30:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        assertEquals(1, finals.readValuesToList().stream().filter(w -> w.getKey().equals("KZ")).count());
        Crossing lateOne = crossing("2022-09-21T10:10:00+06:00", Direction.EXIT, "SYRYM", "RU");
        pipe(lateOne);
        Map<String, NetFlowWindow> restated = byWindow(corrections.readValuesToList());
        NetFlowWindow nat = restated.get("NATIONAL:KZ|1h|2022-09-21T04:00:00Z");
        assertEquals(1, nat.getEntries());
        assertEquals(1, nat.getExits());
        assertEquals(1, nat.getRevision());
        List<DeadLetter> reported = late.readValuesToList();
        assertEquals(1, reported.size(), "reported once, not once per dimension");
        assertEquals(1.0, metric("late-total"), "counted in a metric");
        assertEquals("LATE", reported.get(0).getReason());
        Crossing reportedCrossing = AvroSerde.of(Crossing.class).decode(reported.get(0).getValue().array());
        assertEquals(lateOne.getEventId(), reportedCrossing.getEventId());
        assertEquals(lateOne.getTime(), reportedCrossing.getTime());
        // The day was still open: the late crossing counts in it normally.
        end("2022-09-21T12:30:00+06:00");
        NetFlowWindow day = byWindow(finals.readValuesToList()).get("NATIONAL:KZ|1d|2022-09-20T18:00:00Z");
        assertEquals(2, day.getEntries());
        assertEquals(1, day.getExits());
    }

    @Test
    void duplicatesAreCountedOnceAndDeadLettered() {
        Crossing c = crossing("2022-09-21T10:05:00+06:00", Direction.ENTRY, "SYRYM", "RU");
        pipe(c);
        pipe(c);
        end("2022-09-21T10:05:00+06:00");
        NetFlowWindow nat = byWindow(finals.readValuesToList()).get("NATIONAL:KZ|1h|2022-09-21T04:00:00Z");
        assertEquals(1, nat.getEntries());
        List<DeadLetter> dl = deadLetters.readValuesToList();
        assertEquals(1, dl.size());
        assertEquals("DUPLICATE", dl.get(0).getReason());
        assertEquals(Topics.CROSSINGS.name(), dl.get(0).getSourceTopic());
        assertEquals(1.0, metric("duplicate-total"), "counted in a metric");
        assertEquals(0.0, metric("late-total"));
    }

    @Test
    void duplicatesAreFoundInEveryBatchAndHourWithinTheHorizonAndNotBeyondIt() {
        List<Crossing> sent = new ArrayList<>();
        OffsetDateTime start = OffsetDateTime.parse("2022-09-21T10:00:00+06:00");
        // More ids than a batch holds, over three hours.
        for (int i = 0; i < 2 * DedupeBatches.BATCH + 20; i++) {
            Crossing c = crossing(start.plusSeconds(80L * i).toString(), Direction.ENTRY, "SYRYM", "RU");
            sent.add(c);
            pipe(c);
        }
        pipe(sent.get(0));
        pipe(sent.get(DedupeBatches.BATCH + 3));
        pipe(sent.get(sent.size() - 1));
        Crossing resentLater = Crossing.newBuilder(sent.get(5)).setTime(sent.get(5).getTime().plus(Duration.ofDays(6)))
                .build();
        pipe(resentLater);
        Crossing resentBeyond = Crossing.newBuilder(sent.get(7)).setTime(sent.get(7).getTime().plus(Duration.ofDays(8)))
                .build();
        pipe(resentBeyond);
        List<DeadLetter> dl = deadLetters.readValuesToList();
        assertEquals(4, dl.size(), "three re-sent as they were, one six days later; eight days later is new");
        dl.forEach(d -> assertEquals("DUPLICATE", d.getReason()));
        assertTrue(dl.get(3).getDetail().contains(sent.get(5).getTime().toString()), dl.get(3).getDetail());
        assertEquals(4.0, metric("duplicate-total"));
        end(resentBeyond.getTime().atOffset(ZoneOffset.ofHours(6)).toString());
        long entries = byWindow(finals.readValuesToList()).entrySet().stream()
                .filter(e -> e.getKey().startsWith("NATIONAL:KZ|1h|")).mapToLong(e -> e.getValue().getEntries()).sum();
        assertEquals(sent.size() + 1, entries);
    }

    @Test
    void anUnknownCheckpointIsCountedUnderUnknownAndReported() {
        pipe(crossing("2022-09-21T10:05:00+06:00", Direction.ENTRY, "NEW-POST", "RU"));
        end("2022-09-21T10:05:00+06:00");
        Map<String, NetFlowWindow> out = byWindow(finals.readValuesToList());
        assertEquals(1, out.get("REGION:unknown|1h|2022-09-21T04:00:00Z").getEntries());
        assertEquals(1, out.get("CHECKPOINT:NEW-POST|1h|2022-09-21T04:00:00Z").getEntries());
        List<DeadLetter> q = quality.readValuesToList();
        assertEquals(1, q.size());
        assertEquals("UNKNOWN_CHECKPOINT", q.get(0).getReason());
    }

    @Test
    void undecodableRecordsGoToTheDeadLetterTopicAndTheRestGoesOn() {
        crossings.pipeInput(new TestRecord<>("k".getBytes(StandardCharsets.UTF_8), "{not avro}".getBytes(StandardCharsets.UTF_8),
                Instant.parse("2022-09-21T04:00:00Z")));
        pipe(crossing("2022-09-21T10:05:00+06:00", Direction.ENTRY, "SYRYM", "RU"));
        end("2022-09-21T10:05:00+06:00");
        List<DeadLetter> dl = deadLetters.readValuesToList();
        assertEquals(1, dl.size());
        assertEquals("DESERIALIZATION", dl.get(0).getReason());
        assertTrue(dl.get(0).getDetail().contains("border.crossings.v1"), dl.get(0).getDetail());
        assertEquals(1, byWindow(finals.readValuesToList()).get("NATIONAL:KZ|1h|2022-09-21T04:00:00Z").getEntries());
    }

    @Test
    void iinApplicationsAreCountedPerLocalDayRegionAndCitizenship() {
        for (int i = 0; i < 3; i++) {
            IinApplication a = new IinApplication("iin-" + i, "t" + i, "RU", "Almaty", IinStage.APPLIED,
                    OffsetDateTime.parse("2022-09-23T1" + i + ":00:00+06:00").toInstant());
            iins.pipeInput(new TestRecord<>(a.getTravellerId().getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(IinApplication.class).encode(a), a.getTime()));
        }
        end("2022-09-23T12:00:00+06:00");
        List<DailyCount> counts = daily.readValuesToList();
        assertEquals(1, counts.size(), counts.toString());
        assertEquals("iin.APPLIED", counts.get(0).getStream());
        assertEquals("Almaty|RU", counts.get(0).getKey());
        assertEquals(3, counts.get(0).getCount());
        assertEquals(java.time.LocalDate.of(2022, 9, 23), counts.get(0).getDay());
    }

    @Test
    void countsSentOnPerHourStillAddUpWhenAnEventComesAfterItsHourWentOn() {
        // 10:00, 11:00, 11:30, then 10:30 (its hour already handed over by the 11:00 event), then 14:00
        String[] times = {"10:00", "11:00", "11:30", "10:30", "14:00"};
        for (int i = 0; i < times.length; i++) {
            IinApplication a = new IinApplication("iin-" + i, "t" + i, "RU", "Almaty", IinStage.APPLIED,
                    OffsetDateTime.parse("2022-09-23T" + times[i] + ":00+06:00").toInstant());
            iins.pipeInput(new TestRecord<>(a.getTravellerId().getBytes(StandardCharsets.UTF_8),
                    AvroSerde.of(IinApplication.class).encode(a), a.getTime()));
        }
        end("2022-09-23T14:00:00+06:00");
        List<DailyCount> counts = daily.readValuesToList();
        assertEquals(1, counts.size(), counts.toString());
        assertEquals(5, counts.get(0).getCount());
        assertTrue(counts.get(0).getFinal$());
    }
}
