package io.borderflow.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.api.HttpHost;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.cli.Main;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Personal data and secrets stay out of logs, metrics and outputs: a replay of user data with raw
 * traveller ids, run verbosely with a pseudonymisation key and a client password configured. The raw
 * ids, the key and the password must appear in none of the log output, the {@code /metrics} page or
 * the output files.
 */
class PrivacyIT {
    private static final String KEY = "pseudonym-key-9f2c41d7e8";
    private static final String PASSWORD = "ssl-password-7731a";
    private static final Pattern TRAVELLER = Pattern.compile("\"travellerId\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void rawIdsTheKeyAndPasswordsAppearInNoLogMetricOrOutput() throws Exception {
        // A day of user data whose traveller ids are the raw ones (passport-like), not pseudonyms.
        Path generated = dir.resolve("generated.jsonl");
        assertEquals(0, Main.run("replay", "--scenario", "sept-2022-surge", "--from", "2022-09-22", "--to", "2022-09-22",
                "--quiet", "--to-file", generated.toString()));
        Path input = dir.resolve("user-data.jsonl");
        Set<String> rawIds = new LinkedHashSet<>();
        List<String> lines = new ArrayList<>();
        // The first 5,000 events of the day are plenty and keep the test short.
        for (String line : Files.readAllLines(generated).subList(0, 5_000)) {
            Matcher m = TRAVELLER.matcher(line);
            if (m.find()) {
                String raw = "P" + m.group(1).substring(1).toUpperCase(); // e.g. PA42BE32475E1EC71
                rawIds.add(raw);
                line = line.substring(0, m.start(1)) + raw + line.substring(m.end(1));
            }
            lines.add(line);
        }
        Files.write(input, lines);
        assertTrue(rawIds.size() > 1_000, "raw ids in the input: " + rawIds.size());

        // 1. `run`, verbose, in its own JVM so that every log line it writes is captured.
        Path out = dir.resolve("out");
        Path log = dir.resolve("run.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process run = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "-v", "run", "--input", input.toString(), "--output-dir", out.toString(), "--quiet",
                "--set", "pseudonym.key=" + KEY, "--set", "kafka.ssl.key.password=" + PASSWORD)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(run.waitFor(10, TimeUnit.MINUTES), "run finished");
        String logText = Files.readString(log);
        assertEquals(0, run.exitValue(), logText);
        assertTrue(logText.contains("INFO"), "verbose: Kafka's own INFO lines (e.g. client configs) are there");
        assertNoneIn("the log of a verbose run", logText, rawIds);
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.toList()) {
                assertNoneIn(f.getFileName().toString(), Files.readString(f), rawIds);
            }
        }
        assertTrue(Files.size(out.resolve(Topics.STAY_STATUS.name() + ".jsonl")) > 0, "statuses were written");

        // 2. The stream app's /metrics while it has processed the same data.
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            BorderflowConfig config = BorderflowConfig.defaults().with(HttpHost.PORT, "0")
                    .with(BorderflowConfig.PSEUDONYM_KEY, KEY).with(StreamApp.APPLICATION_ID, "privacy-it");
            TestKafka.prepare(broker.bootstrapServers(), config);
            try (StreamApp app = StreamApp.start(config, broker.bootstrapServers(), dir.resolve("state"),
                    Duration.ofMinutes(2))) {
                assertEquals(0, Main.run("replay", "--input", input.toString(), "--bootstrap-servers",
                        broker.bootstrapServers(), "--quiet", "--set", "pseudonym.key=" + KEY,
                        "--set", "replay.http.port=0"));
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers()))) {
                    Progression.awaitProcessed(admin, app.applicationId(), List.of(Topics.CROSSINGS.name(),
                            Topics.REGISTRATIONS.name(), Topics.IIN_APPLICATIONS.name()), Duration.ofMinutes(5));
                }
                URI metrics = app.http().baseUri().resolve("/metrics");
                String page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(metrics).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(page.contains("border_crossings_total"), "the page has the domain metrics");
                assertNoneIn("/metrics", page, rawIds);
            }
        }
    }

    private static void assertNoneIn(String where, String text, Set<String> rawIds) {
        assertFalse(text.contains(KEY), "the pseudonymisation key is in " + where);
        assertFalse(text.contains(PASSWORD), "a client password is in " + where);
        for (String raw : rawIds) {
            if (text.contains(raw)) {
                throw new AssertionError("raw traveller id " + raw + " is in " + where);
            }
        }
    }
}
