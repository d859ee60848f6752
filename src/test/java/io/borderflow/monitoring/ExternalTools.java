package io.borderflow.monitoring;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Debian Prometheus tools the monitoring tests run: {@code promtool}, {@code prometheus}
 * (package prometheus), {@code amtool}, {@code prometheus-alertmanager} (package
 * prometheus-alertmanager). Looked up on PATH. Absent outside CI, a test that needs one is skipped
 * with a printed message; under {@code CI=true} (.ci/run installs them) its absence fails the test.
 */
public final class ExternalTools {
    private ExternalTools() {
    }

    /** What a finished command printed and returned. */
    public record Result(int exitCode, String out, String err) {
        public String both() {
            return out + (err.isEmpty() ? "" : "\n" + err);
        }
    }

    /** The binary, or the test is skipped (outside CI) or failed (under CI=true). */
    public static Path require(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (dir.isEmpty()) {
                    continue;
                }
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        String message = "'" + name + "' not found on PATH: install the Debian packages prometheus and "
                + "prometheus-alertmanager (apt-get install --no-install-recommends prometheus prometheus-alertmanager)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: .ci/run installs them)");
        }
        System.out.println("SKIPPED: " + message);
        Assumptions.abort(message);
        return null;
    }

    /** Runs a command to its end in {@code dir}; fails the test if it outlasts {@code timeout}. */
    public static Result run(Path dir, Duration timeout, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("tool-", ".out");
        Path err = Files.createTempFile("tool-", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    public static Result run(Path dir, Duration timeout, Path binary, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.addAll(List.of(args));
        return run(dir, timeout, cmd);
    }

    /** The repository root (Maven's basedir). */
    public static Path repoRoot() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }
}
