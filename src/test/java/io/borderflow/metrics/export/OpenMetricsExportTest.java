package io.borderflow.metrics.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.replay.CheckpointCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenMetricsExportTest {
    private static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");

    private static String crossing(String id, String citizenship, String direction, String checkpoint, String time) {
        return "{\"type\":\"crossing\",\"eventId\":\"" + id + "\",\"travellerId\":\"t-" + id + "\",\"citizenship\":\""
                + citizenship + "\",\"direction\":\"" + direction + "\",\"checkpoint\":\"" + checkpoint
                + "\",\"region\":null,\"mode\":\"ROAD\",\"time\":\"" + time + "\"}";
    }

    private static final List<String> EVENTS = List.of(
            crossing("e1", "RU", "ENTRY", "SYRYM", "2022-09-21T10:15:00+06:00"),
            crossing("e2", "RU", "ENTRY", "SYRYM", "2022-09-21T10:45:00+06:00"),
            crossing("e3", "KG", "EXIT", "KAIRAK", "2022-09-21T11:05:00+06:00"),
            // The same event sent again: counted once.
            crossing("e1", "RU", "ENTRY", "SYRYM", "2022-09-21T10:15:00+06:00"),
            "{\"type\":\"registration\",\"eventId\":\"r1\",\"travellerId\":\"t-e1\",\"kind\":\"HOST_NOTIFICATION\",\"validFrom\":\"2022-09-21\",\"validTo\":null,\"region\":null,\"time\":\"2022-09-21T12:00:00+06:00\"}",
            "",
            // Next local day (19:00Z is 01:00 in Almaty), at a checkpoint not in the reference data.
            crossing("e4", "RU", "EXIT", "NOWHERE", "2022-09-22T01:00:00+06:00"));

    private static Path write(Path dir, List<String> lines) throws IOException {
        Path f = dir.resolve("events.jsonl");
        Files.write(f, lines);
        return f;
    }

    private static OpenMetricsExport export() {
        return new OpenMetricsExport(ALMATY, Clock.systemUTC(), CheckpointCatalog.builtIn());
    }

    private static long s(String instant) {
        return Instant.parse(instant).getEpochSecond();
    }

    /** series -> (timestamp -> value), failing on a series in two blocks or a timestamp out of order. */
    private static Map<String, Map<Long, Long>> parse(List<String> lines) {
        Map<String, Map<Long, Long>> series = new LinkedHashMap<>();
        Set<String> families = new HashSet<>();
        String current = null;
        String family = null;
        for (String line : lines) {
            if (line.startsWith("# TYPE ")) {
                family = line.split(" ")[2];
                assertTrue(families.add(family), "family " + family + " appears twice");
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            int sp2 = line.lastIndexOf(' ', sp - 1);
            String name = line.substring(0, sp2);
            assertTrue(name.startsWith(family), name + " outside its family " + family);
            long ts = Long.parseLong(line.substring(sp + 1));
            long value = Long.parseLong(line.substring(sp2 + 1, sp));
            if (!name.equals(current)) {
                assertFalse(series.containsKey(name), name + " is not contiguous");
                current = name;
            }
            Map<Long, Long> samples = series.computeIfAbsent(name, n -> new LinkedHashMap<>());
            long last = samples.keySet().stream().mapToLong(Long::longValue).max().orElse(Long.MIN_VALUE);
            assertTrue(ts > last, name + ": timestamp " + ts + " not after " + last);
            samples.put(ts, value);
        }
        return series;
    }

    @Test
    void writesCountersAndWindowGaugesAtEventTime(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out.om");
        OpenMetricsExport.Result r = export().run(write(dir, EVENTS), out);
        assertEquals(4, r.crossings());
        assertEquals(1, r.duplicates());
        assertEquals(1, r.otherEvents());

        List<String> lines = Files.readAllLines(out);
        assertEquals("# EOF", lines.get(lines.size() - 1));
        Map<String, Map<Long, Long>> series = parse(lines);
        assertEquals(r.samples(), series.values().stream().mapToLong(Map::size).sum());
        assertEquals(r.series(), series.size());

        // Counters: from the end of the first hour with a crossing, cumulative, to the end of the last local day.
        Map<Long, Long> syrym = series.get("border_crossings_total{direction=\"entry\",checkpoint=\"SYRYM\"}");
        assertEquals(2L, syrym.get(s("2022-09-21T05:00:00Z")));
        assertEquals(s("2022-09-21T05:00:00Z"), syrym.keySet().iterator().next());
        assertEquals(2L, syrym.get(s("2022-09-22T18:00:00Z")), "runs to the end of the last local day (23 Sep 00:00 +06)");
        assertFalse(syrym.containsKey(s("2022-09-22T19:00:00Z")));
        assertEquals(1L, series.get("border_crossings_total{direction=\"exit\",checkpoint=\"NOWHERE\"}").get(s("2022-09-21T20:00:00Z")));
        assertFalse(series.containsKey("border_crossings_total{direction=\"exit\",checkpoint=\"SYRYM\"}"),
                "no series for a direction never seen");

        // Hourly window: the hour ending at T; 0 for later hours without crossings.
        String syrym1h = "border_checkpoint_entries{window=\"1h\",checkpoint=\"SYRYM\",region=\"West Kazakhstan\"}";
        assertEquals(2L, series.get(syrym1h).get(s("2022-09-21T05:00:00Z")));
        assertEquals(0L, series.get(syrym1h).get(s("2022-09-21T06:00:00Z")));
        assertEquals(-1L, series.get("border_checkpoint_net{window=\"1h\",checkpoint=\"KAIRAK\",region=\"Kostanay\"}")
                .get(s("2022-09-21T06:00:00Z")));
        assertTrue(series.containsKey("border_checkpoint_exits{window=\"1h\",checkpoint=\"NOWHERE\",region=\"unknown\"}"),
                "an unknown checkpoint counts under region unknown");
        assertEquals(2L, series.get("border_region_entries{window=\"1h\",region=\"West Kazakhstan\"}").get(s("2022-09-21T05:00:00Z")));
        assertEquals(-1L, series.get("border_citizenship_net{window=\"1h\",citizenship=\"KG\"}").get(s("2022-09-21T06:00:00Z")));

        // Daily window: the local day 21 Sep closes at 22 Sep 00:00 +06 = 21 Sep 18:00Z and holds until the next closes.
        Map<Long, Long> nationalEntries = series.get("border_national_entries{window=\"1d\"}");
        assertEquals(s("2022-09-21T18:00:00Z"), nationalEntries.keySet().iterator().next());
        assertEquals(2L, nationalEntries.get(s("2022-09-21T18:00:00Z")));
        assertEquals(2L, nationalEntries.get(s("2022-09-22T17:00:00Z")));
        assertEquals(0L, nationalEntries.get(s("2022-09-22T18:00:00Z")));
        assertEquals(1L, series.get("border_national_net{window=\"1d\"}").get(s("2022-09-21T18:00:00Z")));
        assertEquals(-1L, series.get("border_national_net{window=\"1d\"}").get(s("2022-09-22T18:00:00Z")));
        assertEquals(s("2022-09-21T18:00:00Z"),
                series.get("border_window_end_seconds{window=\"1d\"}").get(s("2022-09-22T10:00:00Z")));
        assertEquals(s("2022-09-22T10:00:00Z"),
                series.get("border_window_end_seconds{window=\"1h\"}").get(s("2022-09-22T10:00:00Z")));

        // Present stock: cumulative net.
        Map<Long, Long> ru = series.get("border_present_citizenship{citizenship=\"RU\"}");
        assertEquals(2L, ru.get(s("2022-09-21T18:00:00Z")));
        assertEquals(1L, ru.get(s("2022-09-21T20:00:00Z")));
        assertEquals(-1L, series.get("border_present_region{region=\"Kostanay\"}").get(s("2022-09-22T18:00:00Z")));

        for (String name : series.keySet()) {
            assertFalse(name.contains("t-e"), "a traveller id in " + name);
        }
    }

    @Test
    void aBadLineStopsTheExportNamingFileAndLineAndWritesNothing(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>(EVENTS);
        lines.add(2, crossing("e9", "RU", "SIDEWAYS", "SYRYM", "2022-09-21T10:50:00+06:00"));
        Path in = write(dir, lines);
        Path out = dir.resolve("out.om");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> export().run(in, out));
        assertTrue(e.getMessage().startsWith(in + ":3: field \"direction\""), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(out));
        assertFalse(Files.exists(dir.resolve("out.om.tmp")));
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\"b\\\\c\\nd", OpenMetricsExport.escape("a\"b\\c\nd"));
        assertEquals("SYRYM", OpenMetricsExport.escape("SYRYM"));
    }

    @Test
    void anEmptyInputGivesAValidEmptyFile(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out.om");
        OpenMetricsExport.Result r = export().run(write(dir, List.of()), out);
        assertEquals(0, r.samples());
        List<String> lines = Files.readAllLines(out);
        assertEquals("# EOF", lines.get(lines.size() - 1));
        assertTrue(lines.stream().allMatch(l -> l.startsWith("#")));
    }
}
