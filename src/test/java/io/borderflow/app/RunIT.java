package io.borderflow.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.avro.Crossing;
import io.borderflow.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code borderflow run} on the embedded broker: every final net-flow window equals the oracle,
 * and the surge replay raises the surge alert on 21-22 September and the net-outflow alert from
 * early October.
 */
class RunIT {
    private static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void finalWindowsEqualAPlainComputationAndTheSurgeRaisesItsAlerts() throws Exception {
        Path events = dir.resolve("surge.jsonl");
        assertEquals(0, Main.run("replay", "--scenario", "sept-2022-surge", "--from", "2022-09-01", "--to", "2022-10-06",
                "--quiet", "--to-file", events.toString()));
        Path out = dir.resolve("out");
        assertEquals(0, Main.run("run", "--input", events.toString(), "--pseudonymised-ids", "--quiet",
                "--output-dir", out.toString()));

        List<SpecificRecord> all = NetFlowOracle.readEvents(events, ALMATY);
        List<Crossing> crossings = NetFlowOracle.crossings(all);
        Map<String, long[]> expected = NetFlowOracle.compute(crossings, ALMATY);
        Map<String, long[]> actual = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("border.net-flows.v1.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            assertTrue(n.get("final").asBoolean());
            assertEquals(n.get("entries").asLong() - n.get("exits").asLong(), n.get("net").asLong());
            String key = n.get("window").asText() + "|" + n.get("windowStart").asText() + "|" + n.get("dimension").asText()
                    + "|" + n.get("key").asText();
            long[] before = actual.put(key, new long[] {n.get("entries").asLong(), n.get("exits").asLong()});
            assertEquals(null, before, "one final result per window and key: " + key);
        }
        assertTrue(Files.readAllLines(out.resolve("border.net-flow-corrections.v1.jsonl")).isEmpty(),
                "an ordered replay has no late events to restate");
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] a = actual.get(e.getKey());
            assertEquals(e.getValue()[0], a[0], "entries of " + e.getKey());
            assertEquals(e.getValue()[1], a[1], "exits of " + e.getKey());
        }

        List<JsonNode> raised = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("border.alerts.v1.jsonl"))) {
            JsonNode n = JSON.readTree(line);
            if (n.get("state").asText().equals("RAISED")) {
                raised.add(n);
            }
        }
        assertTrue(raised.stream().anyMatch(a -> a.get("rule").asText().contains("surge")
                        && a.get("key").asText().equals("RU")
                        && (a.get("start").asText().startsWith("2022-09-21") || a.get("start").asText().startsWith("2022-09-22"))),
                "surge alert for Russians on 21-22 Sep: " + raised);
        JsonNode outflow = raised.stream().filter(a -> a.get("rule").asText().contains("net-outflow")
                && a.get("dimension").asText().equals("national")).findFirst().orElseThrow(
                        () -> new AssertionError("no national net-outflow alert: " + raised));
        String start = outflow.get("start").asText();
        assertTrue(start.compareTo("2022-10-01") >= 0 && start.compareTo("2022-10-05") < 0,
                "net outflow from about 3 October: " + start);
        assertEquals(1, raised.stream().filter(a -> a.get("rule").asText().contains("net-outflow")
                && a.get("dimension").asText().equals("national")).count(), "raised once, no alert storm");

        Map<String, JsonNode> last = new HashMap<>();
        for (String line : Files.readAllLines(out.resolve("border.stay-status.v1.jsonl"))) {
            StayOracle.keepLatest(last, JSON.readTree(line));
        }
        StayOracle oracle = StayOracle.of(all, ALMATY);
        int judged = oracle.assertLastStatuses(last);
        assertTrue(judged > 10_000, "a replay of five weeks judges many travellers: " + judged);
        long dataQuality = 0;
        for (String line : Files.readAllLines(out.resolve("border.data-quality.v1.jsonl"))) {
            if (line.contains("WITHOUT_ENTRY") || line.contains("WHILE_PRESENT")) {
                dataQuality++;
            }
        }
        assertTrue(dataQuality >= oracle.unclean(), "every unclean history is reported: " + dataQuality + " < "
                + oracle.unclean());
    }
}
