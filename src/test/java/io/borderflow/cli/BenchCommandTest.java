package io.borderflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench}'s arguments; the run itself is BenchIT. */
class BenchCommandTest {
    @TempDir
    Path dir;

    @Test
    void helpListsTheOptions() {
        CliRun run = CliRun.of("bench", "--help");
        assertEquals(0, run.exitCode(), run.err());
        for (String option : List.of("--scenario", "--from", "--to", "--scale", "--repetitions", "--warmup", "--rate",
                "--latency-duration", "--latency-settle", "--skip-latency", "--output-dir")) {
            assertTrue(run.out().contains(option), option + " in " + run.out());
        }
    }

    @Test
    void badArgumentsGiveOneLineAndExitTwoBeforeAnythingStarts() {
        Path out = dir.resolve("results");
        for (List<String> args : List.of(List.of("--rate", "0"), List.of("--scale", "-1"), List.of("--scale", "lots"),
                List.of("--repetitions", "0"), List.of("--warmup", "-1"), List.of("--latency-duration", "PT0S"),
                List.of("--latency-settle", "-PT1S"),
                List.of("--scenario", "no-such-scenario"), List.of("--bootstrap-servers", "127.0.0.1:9092"))) {
            String[] argv = concat(args, "--output-dir", out.toString());
            CliRun run = CliRun.of(argv);
            assertEquals(2, run.exitCode(), args + " -> " + run.err());
            assertEquals(1, run.err().strip().lines().count(), args + " printed more than one line: " + run.err());
            assertTrue(run.err().startsWith("borderflow: "), run.err());
            assertFalse(run.err().contains("Exception"), run.err());
        }
        assertFalse(Files.exists(out), "nothing written for a run that did not start");
    }

    private static String[] concat(List<String> args, String... more) {
        String[] out = new String[args.size() + more.length + 1];
        out[0] = "bench";
        for (int i = 0; i < args.size(); i++) {
            out[i + 1] = args.get(i);
        }
        System.arraycopy(more, 0, out, args.size() + 1, more.length);
        return out;
    }
}
