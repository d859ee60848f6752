package io.borderflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code borderflow bench} end to end on a tiny input (half the travellers of one baseline day, one repetition,
 * no warm-up, a short latency phase), so the benchmark cannot rot: every figure is in the JSON with a sane value.
 * Timings are figures, never assertions.
 */
class BenchIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void benchWritesEveryFigure() throws Exception {
        Path out = dir.resolve("results");
        assertEquals(0, Main.run("bench", "--scenario", "baseline", "--from", "2024-01-10", "--to", "2024-01-10",
                "--scale", "0.5", "--repetitions", "1", "--warmup", "0", "--rate", "5000", "--latency-duration", "PT2S",
                "--latency-samples", "100", "--latency-settle", "PT1S", "--timeout", "PT3M", "--output-dir", out.toString()));

        List<Path> files;
        try (Stream<Path> s = Files.list(out)) {
            files = s.sorted().toList();
        }
        assertEquals(2, files.size(), "one JSON and one markdown file: " + files);
        JsonNode r = JSON.readTree(files.stream().filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow().toFile());
        String md = Files.readString(files.stream().filter(f -> f.toString().endsWith(".md")).findFirst().orElseThrow());

        assertEquals(0.5, r.at("/settings/scale").asDouble());
        assertEquals("baseline", r.at("/settings/scenario").asText());
        assertEquals("exactly_once_v2", r.at("/settings/processingGuarantee").asText());
        assertEquals(Math.min(4, Runtime.getRuntime().availableProcessors()), r.at("/settings/streamThreads").asInt(),
                "one stream thread per core, at most one per input partition (4 by default)");
        assertTrue(md.contains(r.at("/settings/streamThreads").asInt() + " stream thread(s)"), md);
        assertTrue(r.at("/machine/cores").asInt() >= 1);
        assertFalse(r.at("/jvm/javaVersion").asText().isEmpty());
        assertTrue(r.at("/jvm/inputArguments").isArray());
        assertTrue(r.at("/command").isArray() && r.at("/command").toString().contains("--scale"));

        long events = r.at("/input/events").asLong();
        long crossings = r.at("/input/crossings").asLong();
        assertTrue(events > 1000, "half a baseline day: " + events);
        assertEquals(events, crossings + r.at("/input/registrations").asLong() + r.at("/input/iinEvents").asLong());
        assertTrue(r.at("/input/records").asLong() > events, "watermarks go along with the events");
        assertEquals(events, r.at("/throughput/events").asLong());

        for (String phase : List.of("rawProduce", "rawPassThrough", "borderflow", "borderflowSeconds")) {
            JsonNode s = r.at("/throughput/" + phase);
            assertTrue(s.get("median").asDouble() > 0, phase + " " + s);
            assertTrue(s.get("min").asDouble() <= s.get("median").asDouble(), phase + " " + s);
            assertTrue(s.get("median").asDouble() <= s.get("max").asDouble(), phase + " " + s);
            assertEquals(1, s.get("repetitions").size(), phase + " " + s);
        }
        double ratio = r.at("/throughput/borderflow/median").asDouble() / r.at("/throughput/rawPassThrough/median").asDouble();
        assertEquals(ratio, r.at("/throughput/ratioBorderflowToPassThrough").asDouble(), 0.001);
        assertEquals(events, Math.round(r.at("/throughput/borderflow/median").asDouble()
                * r.at("/throughput/borderflowSeconds/median").asDouble()), events * 0.01);

        JsonNode latency = r.at("/latency");
        assertEquals(5000, latency.get("targetRate").asDouble());
        assertTrue(latency.get("achievedRate").asDouble() > 0);
        assertTrue(latency.get("events").asLong() > 0 && latency.get("events").asLong() <= events);
        JsonNode flow = latency.get("netFlow");
        assertTrue(flow.get("samples").asLong() > 0);
        assertEquals(flow.get("samples").asLong(), flow.get("matched").asLong(),
                "every (checkpoint, hour) window shows its full counts once the input has ended");
        assertEquals(flow.get("matched").asLong(),
                latency.get("netFlowViaLive").asLong() + latency.get("netFlowViaFinal").asLong());
        assertOrdered(flow);
        JsonNode status = latency.get("stayStatus");
        assertTrue(status.get("matched").asLong() > 0 && status.get("matched").asLong() <= status.get("samples").asLong(),
                status.toString());
        assertOrdered(status);
        JsonNode settled = latency.get("netFlowSettled");
        assertEquals(1.0, latency.get("settleSeconds").asDouble());
        assertTrue(settled.get("samples").asLong() > 0 && settled.get("samples").asLong() < flow.get("samples").asLong(),
                "the samples sent after the first second: " + settled);
        assertOrdered(settled);
        assertTrue(latency.get("stayStatusSettled").get("samples").asLong() < status.get("samples").asLong());
        long timelineFlowSamples = 0;
        for (JsonNode second : latency.get("timeline")) {
            timelineFlowSamples += second.at("/netFlow/samples").asLong();
        }
        assertEquals(flow.get("samples").asLong(), timelineFlowSamples, "the timeline holds every sample once");

        assertTrue(r.at("/memory/peakHeapBytes").asLong() > 0);
        assertTrue(r.at("/memory/peakHeapBytes").asLong() <= r.at("/memory/maxHeapBytes").asLong());
        assertTrue(r.at("/memory/heapAfterGcBytes").asLong() > 0);
        assertTrue(r.at("/memory/rssPeakBytes").asLong() > 0);

        long travellers = r.at("/state/trackedTravellers").asLong();
        // A traveller is tracked from any of their events (a crossing, a permit, an IIN application).
        assertTrue(travellers > 0 && travellers <= events, "tracked travellers " + travellers);
        assertTrue(r.at("/state/trackedTravellersApprox").asLong() > 0);
        assertTrue(r.at("/state/rocksDbBytes").asLong() > 0);
        assertTrue(r.at("/state/stateDirBytes").asLong() >= r.at("/state/rocksDbBytes").asLong());
        assertTrue(r.at("/state/storeBytes/stay-travellers").asLong() > 0);
        assertTrue(r.at("/state/rocksDbBytesPerTrackedTraveller").asDouble() > 0);
        assertTrue(r.at("/state/travellerStoreBytesPerTrackedTraveller").asDouble() > 0);
        assertTrue(r.at("/state/compacted/rocksDbBytes").asLong() > 0);
        assertTrue(r.at("/state/compacted/storeBytes/stay-travellers").asLong() > 0);
        assertTrue(r.at("/state/compacted/rocksDbBytesPerTrackedTraveller").asDouble() > 0);
        assertTrue(r.at("/method/latency").asText().contains("first committed"));

        assertTrue(md.contains("| borderflow end to end, events/s |"), md);
        assertTrue(md.contains("| produce to stay status |"), md);
        assertTrue(md.contains("bytes per tracked traveller"), md);
        assertTrue(md.contains("| after a full compaction: RocksDB"), md);
    }

    private static void assertOrdered(JsonNode f) {
        double p50 = f.get("p50Ms").asDouble();
        double p99 = f.get("p99Ms").asDouble();
        double max = f.get("maxMs").asDouble();
        assertTrue(p50 > 0 && p50 <= p99 && p99 <= max, f.toString());
    }
}
