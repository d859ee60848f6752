package io.borderflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CliTest {
    private static final String KEY = "--set=pseudonym.key=0123456789abcdef-test-key";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"", "demo", "broker", "replay", "run", "stream", "stay-check", "topics"})
    void everyCommandHasHelp(String command) {
        CliRun run = command.isEmpty() ? CliRun.of("--help") : CliRun.of(command, "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Usage: borderflow"), run.out());
    }

    @Test
    void badArgumentsGiveOneLineAndExitTwo() {
        for (List<String> args : List.of(List.of("replay", "--bogus"), List.of("replay", "--speed", "fast"),
                List.of("replay", "--from", "2022-13-01"), List.of("nosuchcommand"),
                List.of("replay", "--scenario", "no-such-scenario"),
                List.of("replay", "--set", "topics.partitions=zero", "--to-file", "x.jsonl"))) {
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), args + " -> " + run.err());
            assertEquals(1, run.err().strip().lines().count(), args + " printed more than one line: " + run.err());
            assertTrue(run.err().startsWith("borderflow: "), run.err());
            assertFalse(run.err().contains("Exception"), run.err());
        }
    }

    @Test
    void aMissingConfigFileIsNamed() {
        CliRun run = CliRun.of("replay", "--config", dir.resolve("nope.properties").toString(), "--to-file", "x");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("nope.properties"), run.err());
    }

    @Test
    void theSameSeedWritesByteIdenticalFiles() throws IOException {
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        Path c = dir.resolve("c.jsonl");
        String[] range = {"--scenario", "baseline", "--from", "2024-02-29", "--to", "2024-03-01", "--quiet"};
        assertEquals(0, CliRun.of(concat(new String[] {"replay", "--to-file", a.toString()}, range)).exitCode());
        assertEquals(0, CliRun.of(concat(new String[] {"replay", "--to-file", b.toString()}, range)).exitCode());
        assertEquals(0, CliRun.of(concat(new String[] {"replay", "--seed", "99", "--to-file", c.toString()}, range)).exitCode());
        byte[] first = Files.readAllBytes(a);
        assertTrue(first.length > 1_000_000, "two days of traffic");
        assertArrayEquals(first, Files.readAllBytes(b));
        assertFalse(java.util.Arrays.equals(first, Files.readAllBytes(c)));
        // 1 Mar 2024: Almaty moved from UTC+6 to UTC+5; local times carry the offset in force.
        String text = Files.readString(a);
        assertTrue(text.contains("\"time\":\"2024-02-29T") && text.contains("+06:00\""));
        assertTrue(text.contains("\"time\":\"2024-03-01T") && text.contains("+05:00\""));
    }

    @Test
    void badUserDataStopsBeforeAnythingIsProducedAndNamesTheLine() throws IOException {
        Path input = Files.write(dir.resolve("crossings.csv"), List.of(
                "time,direction,checkpoint,citizenship,traveller_id",
                "2022-09-21T10:00:00+06:00,ENTRY,SYRYM,RU,alice",
                "2022-09-21T11:00:00+06:00,INN,SYRYM,RU,bob",
                "2022-09-21T12:00:00+06:00,EXIT,KAIRAK,RU,carol"));
        Path out = dir.resolve("out.jsonl");
        CliRun run = CliRun.of("replay", KEY, "--input", input.toString(), "--to-file", out.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("crossings.csv:3:") && run.err().contains("direction"), run.err());
        assertTrue(run.err().contains("nothing was produced"), run.err());
        assertFalse(run.err().contains("bob"), "raw identities stay out of messages: " + run.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void skipBadKeepsEveryValidRecordAndWritesTheRejects() throws IOException {
        Path input = Files.write(dir.resolve("crossings.csv"), List.of(
                "time,direction,checkpoint,citizenship,traveller_id",
                "2022-09-21T10:00:00+06:00,ENTRY,SYRYM,RU,alice",
                "1985-01-01T11:00:00+06:00,ENTRY,SYRYM,RU,bob",
                "2022-09-21T12:00:00+06:00,EXIT,KAIRAK,RU,carol"));
        Path out = dir.resolve("out.jsonl");
        Path rejects = dir.resolve("rejects.jsonl");
        CliRun run = CliRun.of("replay", KEY, "--input", input.toString(), "--to-file", out.toString(), "--skip-bad",
                "--rejects", rejects.toString());
        assertEquals(0, run.exitCode(), run.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).contains("\"checkpoint\":\"SYRYM\"") && lines.get(1).contains("\"checkpoint\":\"KAIRAK\""));
        assertFalse(Files.readString(out).contains("alice"), "traveller ids are pseudonymised");
        assertTrue(Files.readString(out).contains("\"travellerId\":\"p-"));
        List<String> rejected = Files.readAllLines(rejects);
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).contains("\"line\":3") && rejected.get(0).contains("1990"), rejected.get(0));
        assertTrue(run.out().contains("1 bad record(s) skipped"), run.out());
    }

    @Test
    void userDataWithoutAPseudonymisationKeyIsRefused() throws IOException {
        Path input = Files.write(dir.resolve("c.csv"), List.of("time,direction,checkpoint,citizenship,traveller_id",
                "2022-09-21T10:00:00+06:00,ENTRY,SYRYM,RU,alice"));
        CliRun run = CliRun.of("replay", "--input", input.toString(), "--to-file", dir.resolve("o.jsonl").toString());
        if (System.getenv("BORDERFLOW_PSEUDONYM_KEY") == null) {
            assertEquals(2, run.exitCode());
            assertTrue(run.err().contains("BORDERFLOW_PSEUDONYM_KEY"), run.err());
        }
    }

    @Test
    void anExportedFileReplaysToTheSameEvents() throws IOException {
        Path first = dir.resolve("first.jsonl");
        Path second = dir.resolve("second.jsonl");
        assertEquals(0, CliRun.of("replay", "--scenario", "baseline", "--from", "2024-01-05", "--to", "2024-01-05",
                "--quiet", "--to-file", first.toString()).exitCode());
        CliRun run = CliRun.of("replay", "--input", first.toString(), "--pseudonymised-ids", "--quiet",
                "--to-file", second.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(Files.readAllLines(first), Files.readAllLines(second));
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
