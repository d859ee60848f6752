package io.borderflow.metrics.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.cli.Main;
import io.borderflow.monitoring.ExternalTools;
import io.borderflow.monitoring.PrometheusServer;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The surge's first days through {@code borderflow export-metrics}, the real
 * {@code promtool tsdb create-blocks-from openmetrics} and a real Prometheus on 127.0.0.1 over the
 * blocks: queries at 2022 dates return what the event file holds (counted here independently).
 */
class ExportMetricsPrometheusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");

    @Test
    void backfilledSurgeIsQueryableAtItsRealDates(@TempDir Path dir) throws Exception {
        Path promtool = ExternalTools.require("promtool");
        Path prometheus = ExternalTools.require("prometheus");

        Path events = dir.resolve("surge.jsonl");
        assertEquals(0, Main.run("replay", "--from", "2022-09-20", "--to", "2022-09-22", "--to-file", events.toString(), "--quiet"));
        Map<String, Long> expected = count(events);

        Path om = dir.resolve("surge.om");
        assertEquals(0, Main.run("export-metrics", "--input", events.toString(), "--output", om.toString()));

        Path tsdb = dir.resolve("tsdb");
        ExternalTools.Result blocks = ExternalTools.run(dir, Duration.ofMinutes(5), promtool, "tsdb", "create-blocks-from",
                "openmetrics", "--max-block-duration=720h", om.toString(), tsdb.toString());
        assertEquals(0, blocks.exitCode(), blocks.both());

        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global: {}\n");
        try (PrometheusServer server = PrometheusServer.start(prometheus, config, tsdb,
                "--storage.tsdb.retention.time=100y", "--query.lookback-delta=1h")) {
            // 21 Sep 2022, the day mobilisation was announced, closes at 22 Sep 00:00 Almaty time.
            Instant dayClosed = ZonedDateTime.of(2022, 9, 22, 0, 0, 0, 0, ALMATY).toInstant();
            assertEquals(expected.get("2022-09-21 ENTRY"), value(server.query("border_national_entries{window=\"1d\"}", dayClosed)));
            assertEquals(expected.get("2022-09-21 EXIT"), value(server.query("border_national_exits{window=\"1d\"}", dayClosed)));
            // Between hourly samples, with the lookback of one hour the README recommends for browsing.
            Instant midMorning = dayClosed.plus(Duration.ofMinutes(9 * 60 + 30));
            assertEquals(expected.get("2022-09-21 ENTRY") - expected.get("2022-09-21 EXIT"),
                    value(server.query("border_national_net{window=\"1d\"}", midMorning)));

            // The counters at the end of the data equal the crossings per direction.
            Instant end = ZonedDateTime.of(2022, 9, 23, 0, 0, 0, 0, ALMATY).toInstant();
            assertEquals(expected.get("ENTRY"), value(server.query("sum(border_crossings_total{direction=\"entry\"})", end)));
            assertEquals(expected.get("EXIT"), value(server.query("sum(border_crossings_total{direction=\"exit\"})", end)));

            // An hour of 21 Sep: the checkpoints add up to the nation, and equal the file's count.
            Instant hour = ZonedDateTime.of(2022, 9, 21, 15, 0, 0, 0, ALMATY).toInstant();
            long hourEntries = expected.get("2022-09-21T14 ENTRY");
            assertEquals(hourEntries, value(server.query("border_national_entries{window=\"1h\"}", hour)));
            assertEquals(hourEntries, value(server.query("sum(border_checkpoint_entries{window=\"1h\"})", hour)));
            assertTrue(hourEntries > 100, "a surge hour has traffic: " + hourEntries);
        }
    }

    /** Crossings of the file per direction, per local day and direction, per local hour and direction. */
    private static Map<String, Long> count(Path events) throws Exception {
        Map<String, Long> n = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(events)) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode e = JSON.readTree(line);
                if (!"crossing".equals(e.path("type").asText())) {
                    continue;
                }
                String dir = e.path("direction").asText();
                ZonedDateTime t = ZonedDateTime.parse(e.path("time").asText()).withZoneSameInstant(ALMATY);
                LocalDate day = t.toLocalDate();
                n.merge(dir, 1L, Long::sum);
                n.merge(day + " " + dir, 1L, Long::sum);
                n.merge(day + "T" + String.format("%02d", t.getHour()) + " " + dir, 1L, Long::sum);
            }
        }
        return n;
    }

    private static long value(JsonNode data) {
        JsonNode result = data.path("result");
        assertEquals(1, result.size(), "one series expected: " + data);
        return Long.parseLong(result.path(0).path("value").path(1).asText());
    }
}
