package io.borderflow.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.config.Watermarks;
import io.borderflow.replay.Events;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioLoader;
import io.borderflow.serde.AvroSerde;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's parts that need no broker: its input file, statistics and state sizes. */
class BenchFiguresTest {
    @TempDir
    Path dir;

    @Test
    void inputFileHoldsWhatTheReplaySendsEventsThenEndWatermarksOnEveryPartition() throws Exception {
        Scenario b = ScenarioLoader.builtIn("baseline");
        LocalDate day = LocalDate.of(2024, 1, 10);
        Scenario s = new Scenario(b.name(), b.description(), b.zone(), day, day, 0, b.seed(), b.eaeuCapFrom(),
                b.eaeu(), b.pedestrianShare(), b.iinIssuance(), b.segments());
        Map<String, Integer> partitions = Map.of("border.crossings.v1", 4, "border.registrations.v1", 2,
                "border.iin-applications.v1", 3);
        InputFile input = InputFile.generate(s, dir.resolve("in.bin"), partitions,
                new PrintStream(OutputStream.nullOutputStream()));

        AvroSerde<Crossing> crossings = AvroSerde.of(Crossing.class);
        long events = 0;
        long records = 0;
        long ticks = 0;
        List<InputFile.Entry> ends = new ArrayList<>();
        try (InputFile.Reader r = input.open()) {
            InputFile.Entry e;
            while ((e = r.next()) != null) {
                records++;
                if (e.isEvent()) {
                    assertTrue(ends.isEmpty(), "no event after the end of the input");
                    assertNull(e.partition(), "events are partitioned by key when sent");
                    events++;
                    if (e.topic() == 0) {
                        Crossing c = crossings.decode(e.value());
                        assertEquals(Events.time(c).toEpochMilli(), e.timestamp());
                        assertArrayEquals(Events.key(c).getBytes(StandardCharsets.UTF_8), e.key());
                    }
                } else {
                    String wm = Watermarks.value(e.headers());
                    if (Watermarks.isEnd(wm)) {
                        ends.add(e);
                    } else {
                        ticks++;
                    }
                }
            }
        }
        assertEquals(input.events(), events);
        assertEquals(input.records(), records);
        assertTrue(events > 10_000, "a day of baseline traffic: " + events);
        assertTrue(ticks >= 23 * 9, "a tick per hour on each of the 9 partitions: " + ticks);
        Set<String> ended = new HashSet<>();
        for (InputFile.Entry e : ends) {
            String topic = InputFile.TOPICS.get(e.topic()).name();
            int[] pn = Watermarks.endPartition(Watermarks.value(e.headers()));
            assertEquals(e.partition(), pn[0]);
            assertEquals(partitions.get(topic), pn[1]);
            ended.add(topic + "/" + pn[0]);
        }
        assertEquals(9, ended.size(), "every partition of every input topic ends: " + ended);
    }

    @Test
    void percentilesAreNearestRank() {
        long[] values = new long[100];
        for (int i = 0; i < 100; i++) {
            values[i] = i + 1;
        }
        assertEquals(50, LatencyProbe.percentile(values, 0.50));
        assertEquals(99, LatencyProbe.percentile(values, 0.99));
        assertEquals(7, LatencyProbe.percentile(new long[] {7}, 0.99));
        BenchResult.LatencyFigures f = LatencyProbe.figures(120, new long[] {3_000_000, 1_000_000, 2_000_000});
        assertEquals(120, f.samples());
        assertEquals(3, f.matched());
        assertEquals(2.0, f.p50Ms());
        assertEquals(3.0, f.p99Ms());
        assertEquals(3.0, f.maxMs());
        assertNull(LatencyProbe.figures(5, new long[0]).p50Ms(), "nothing matched: no figure");
    }

    @Test
    void timelineGroupsSamplesByTheSecondTheyWereSentIn() {
        long start = 5_000_000_000L;
        long ms = 1_000_000L;
        // Net flow: two samples in second 0 (10 and 30 ms), none in second 1, one unmatched in second 2.
        AtomicLongArray flowSent = new AtomicLongArray(new long[] {start, start + 900 * ms, start + 2_100 * ms, 0});
        AtomicLongArray flowSeen = new AtomicLongArray(new long[] {start + 10 * ms, start + 930 * ms, 0, 0});
        // Stay status: one in second 1, 2 s late (a stall shows in the second it hit).
        AtomicLongArray statusSent = new AtomicLongArray(new long[] {start + 1_500 * ms});
        AtomicLongArray statusSeen = new AtomicLongArray(new long[] {start + 3_500 * ms});
        List<BenchResult.LatencySecond> t = LatencyProbe.timeline(start, flowSent, flowSeen, statusSent, statusSeen);
        assertEquals(List.of(0L, 1L, 2L), t.stream().map(BenchResult.LatencySecond::second).toList());
        assertEquals(2, t.get(0).netFlow().matched());
        assertEquals(30.0, t.get(0).netFlow().maxMs());
        assertEquals(0, t.get(0).stayStatus().samples());
        assertEquals(0, t.get(1).netFlow().samples());
        assertEquals(2000.0, t.get(1).stayStatus().p99Ms());
        assertEquals(1, t.get(2).netFlow().samples(), "the unmatched sample is counted in its second");
        assertNull(t.get(2).netFlow().maxMs());
        assertEquals(List.of(), LatencyProbe.timeline(start, new AtomicLongArray(0), new AtomicLongArray(0),
                new AtomicLongArray(0), new AtomicLongArray(0)));
    }

    @Test
    void settledFiguresLeaveOutTheSamplesSentBeforeTheSettleTime() {
        AtomicLongArray sent = new AtomicLongArray(new long[] {100, 200, 300, 0});
        AtomicLongArray seen = new AtomicLongArray(new long[] {150, 0, 310, 0});
        assertArrayEquals(new long[] {50, 10}, LatencyProbe.latencies(sent, seen, Long.MIN_VALUE));
        assertArrayEquals(new long[] {10}, LatencyProbe.latencies(sent, seen, 200), "sent at 200 is in, but unmatched");
        assertEquals(2, LatencyProbe.sentFrom(sent, 200));
        assertEquals(0, LatencyProbe.sentFrom(sent, 301));
    }

    @Test
    void spreadIsMedianMinMaxInRunOrder() {
        BenchResult.Spread odd = BenchResult.Spread.of(List.of(30.0, 10.0, 20.0));
        assertEquals(20.0, odd.median());
        assertEquals(10.0, odd.min());
        assertEquals(30.0, odd.max());
        assertEquals(List.of(30.0, 10.0, 20.0), odd.repetitions());
        assertEquals(15.0, BenchResult.Spread.of(List.of(20.0, 10.0)).median());
    }

    @Test
    void settingsThatChangeFiguresAreRecordedCredentialsNever() {
        for (String yes : List.of("streams.producer.linger.ms", "kafka.fetch.max.bytes", "flow.live.interval",
                "stay.warning.days", "alerts.rules.file", "topics.partitions")) {
            assertTrue(Bench.recorded(yes), yes);
        }
        for (String no : List.of("kafka.sasl.jaas.config", "kafka.ssl.keystore.password", "streams.ssl.key.password",
                "pseudonym.key", "pseudonym.key.file", "http.port", "kafka.basic.auth.user.info.secret")) {
            assertTrue(!Bench.recorded(no), no);
        }
    }

    @Test
    void stateSizeCountsRocksDbFilesPerStoreOverTasks() throws Exception {
        write("app/0_0/rocksdb/stay-travellers/000001.sst", 10);
        write("app/0_1/rocksdb/stay-travellers/000002.sst", 5);
        // Kafka Streams keeps a segmented (window) store's segments beside rocksdb/, not in it.
        write("app/0_0/flow-dedupe/flow-dedupe.1700000000000/000003.sst", 7);
        write("app/0_0/.checkpoint", 3);
        write("app/global/rocksdb/checkpoints-store/000004.sst", 2);
        StateSize size = StateSize.of(dir);
        assertEquals(27, size.totalBytes());
        assertEquals(24, size.rocksDbBytes());
        assertEquals(Map.of("stay-travellers", 15L, "flow-dedupe", 7L, "checkpoints-store", 2L), size.storeBytes());
        assertEquals(0, StateSize.of(dir.resolve("missing")).totalBytes());
    }

    private void write(String path, int bytes) throws Exception {
        Path p = dir.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, new byte[bytes]);
    }
}
