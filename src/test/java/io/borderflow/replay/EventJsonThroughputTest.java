package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints single-thread throughput of {@link EventJson} on ~1M crossings. Asserts only correctness, never timing.
 * Off by default; run with {@code -Dborderflow.perf=true}.
 */
@EnabledIfSystemProperty(named = "borderflow.perf", matches = "true")
class EventJsonThroughputTest {
    static final int N = 1_000_000;
    static final String[] CHECKPOINTS = {"KAIRAK", "ATA-MEKEN", "SYRYM", "ALA", "PETROPAVL-RAIL"};
    static final String[] COUNTRIES = {"RU", "KZ", "UZ", "BY", "DE"};

    @TempDir
    Path dir;

    static Crossing crossing(int i) {
        return new Crossing("evt-" + i, i % 10 == 0 ? null : "p-" + Integer.toString(i * 7919, 36) + "AbCdEfGhIjKlMn",
                COUNTRIES[i % 5], i % 2 == 0 ? Direction.ENTRY : Direction.EXIT, CHECKPOINTS[i % 5],
                i % 3 == 0 ? null : "Kostanay", i % 3 == 0 ? null : Mode.ROAD,
                Instant.ofEpochMilli(1_663_700_000_000L + i * 1_237L));
    }

    @Test
    void throughput() throws IOException {
        EventJson json = new EventJson(ZoneId.of("Asia/Almaty"), Clock.systemUTC());
        Crossing[] events = new Crossing[N];
        for (int i = 0; i < N; i++) {
            events[i] = crossing(i);
        }
        Path file = dir.resolve("perf.jsonl");
        for (int round = 1; round <= 4; round++) { // early rounds warm up the JIT
            // write to memory (a Writer that discards): the generator's own speed
            long t0 = System.nanoTime();
            try (EventJson.LineWriter w = json.newWriter(Writer.nullWriter())) {
                for (Crossing c : events) {
                    w.write(c);
                }
            }
            long t1 = System.nanoTime();
            // write to a file (UTF-8 encoding + disk)
            try (EventJson.LineWriter w = json.newWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
                for (Crossing c : events) {
                    w.write(c);
                }
            }
            long t2 = System.nanoTime();
            // parse (reading lines from the file included)
            int k = 0;
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    EventJson.Parsed p = json.parse(line);
                    if (round == 4) {
                        assertEquals(events[k], p.event());
                    }
                    k++;
                }
            }
            long t3 = System.nanoTime();
            // the whole JsonLinesSource (line reader, parse, validation, identity pseudonymiser)
            int m = 0;
            try (JsonLinesSource s = new JsonLinesSource(file, r -> {
                throw new AssertionError(r.describe());
            }, UnaryOperator.identity(), ZoneId.of("Asia/Almaty"), Clock.systemUTC())) {
                while (s.next() != null) {
                    m++;
                }
            }
            long t4 = System.nanoTime();
            assertEquals(N, k);
            assertEquals(N, m);
            System.out.printf("round %d: write(null writer) %,.0f ev/s | write(file) %,.0f ev/s (%,d MB) | parse(file)"
                            + " %,.0f ev/s | JsonLinesSource %,.0f ev/s%n", round, rate(t0, t1), rate(t1, t2),
                    Files.size(file) >> 20, rate(t2, t3), rate(t3, t4));
        }
        Pseudonymiser p = Pseudonymiser.of("perf-key-0123456789abcdef");
        for (int round = 1; round <= 2; round++) {
            long t0 = System.nanoTime();
            int h = 0;
            for (int i = 0; i < N; i++) {
                h += p.apply("KZ" + i).length();
            }
            long t1 = System.nanoTime();
            System.out.printf("round %d: pseudonymiser %,.0f ids/s (%d)%n", round, rate(t0, t1), h);
        }
    }

    private static double rate(long from, long to) {
        return N / ((to - from) / 1e9);
    }
}
