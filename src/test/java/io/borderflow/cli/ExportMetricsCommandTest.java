package io.borderflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportMetricsCommandTest {
    private static final String GOOD = "{\"type\":\"crossing\",\"eventId\":\"e1\",\"travellerId\":null,\"citizenship\":\"RU\","
            + "\"direction\":\"ENTRY\",\"checkpoint\":\"SYRYM\",\"region\":null,\"mode\":null,\"time\":\"2022-09-21T10:15:00+06:00\"}";

    @Test
    void writesTheFileAndSaysWhatItDid(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("events.jsonl");
        Files.write(in, List.of(GOOD));
        Path out = dir.resolve("metrics.om");
        CliRun r = CliRun.of("export-metrics", "--input", in.toString(), "--output", out.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("1 crossings"), r.out());
        assertTrue(Files.readString(out).endsWith("# EOF\n"));
    }

    @Test
    void badLineExitsTwoWithFileAndLine(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("events.jsonl");
        Files.write(in, List.of(GOOD, "{\"type\":\"crossing\",", GOOD));
        Path out = dir.resolve("metrics.om");
        CliRun r = CliRun.of("export-metrics", "--input", in.toString(), "--output", out.toString());
        assertEquals(2, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("borderflow: " + in + ":2: malformed JSON"), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingInputAndUnknownZoneExitTwo(@TempDir Path dir) {
        CliRun missing = CliRun.of("export-metrics", "--input", dir.resolve("nope.jsonl").toString(), "--output", dir.resolve("o").toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().contains("--input: no such file"), missing.err());
        CliRun zone = CliRun.of("export-metrics", "--input", "x", "--output", "y", "--zone", "Mars/Olympus");
        assertEquals(2, zone.exitCode());
        assertTrue(zone.err().contains("--zone: unknown time zone"), zone.err());
    }
}
