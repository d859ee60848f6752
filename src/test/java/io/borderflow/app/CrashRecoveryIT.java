package io.borderflow.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.StayStatus;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.cli.Main;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under crashes: the stream app runs as a separate JVM against the embedded broker, is
 * killed with SIGKILL at random points of a paced replay and restarted; afterwards every final net-flow
 * window and every traveller's last stay status equal the oracles (nothing lost, nothing counted twice).
 * A second case restarts the broker itself in the middle of the replay.
 */
class CrashRecoveryIT {
    private static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP_ID = "borderflow-crash-it";

    @TempDir
    Path dir;

    private EmbeddedKafkaBroker broker;
    private Process app;
    /** How many times the app was started; the current one logs to app-N.log. */
    private int appStarts;
    private long appStartedAt;

    @AfterEach
    void stop() {
        if (app != null) {
            app.destroyForcibly();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void sigkillOfTheStreamAppThreeTimesMidReplayLosesAndDoublesNothing() throws Exception {
        Path events = events("2022-09-19", "2022-09-24");
        broker = EmbeddedKafkaBroker.start(dir.resolve("broker"), 0, 0);
        TestKafka.prepare(broker.bootstrapServers(), BorderflowConfig.defaults());
        startApp();
        // About 20 s of event time per wall second: the replay lasts ~25 s, the app lags behind it.
        CompletableFuture<Integer> replay = replay(events, "20000");
        Random random = new Random(Long.getLong("crash.seed", System.nanoTime()));
        for (int kill = 1; kill <= 3; kill++) {
            awaitRunning();
            long waitMs = 1_000 + random.nextInt(5_000); // a random point while it processes
            Thread.sleep(waitMs);
            long pid = app.pid();
            app.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no clean close
            System.out.printf("[CrashRecoveryIT] SIGKILL %d of the stream app (pid %d) after %d ms%n", kill, pid, waitMs);
            startApp();
        }
        awaitRunning();
        assertEquals(0, replay.get(5, TimeUnit.MINUTES), "the replay finishes");
        awaitProcessed();
        assertResultsEqualTheOracles(events);
    }

    @Test
    void aBrokerRestartMidReplayIsRecoveredFrom() throws Exception {
        Path events = events("2022-09-20", "2022-09-23");
        int port = freePort();
        int controllerPort = freePort();
        Path data = dir.resolve("broker");
        broker = EmbeddedKafkaBroker.start(data, port, controllerPort);
        TestKafka.prepare(broker.bootstrapServers(), BorderflowConfig.defaults());
        startApp();
        awaitRunning();
        CompletableFuture<Integer> replay = replay(events, "20000");
        Thread.sleep(6_000);
        broker.close();
        broker = null;
        System.out.println("[CrashRecoveryIT] broker stopped mid-replay; restarting it in 3 s");
        Thread.sleep(3_000);
        broker = EmbeddedKafkaBroker.start(data, port, controllerPort);
        assertEquals(0, replay.get(5, TimeUnit.MINUTES), "the replay's producer rides out the restart");
        assertTrue(app.isAlive(), "the stream app rides out the restart");
        awaitProcessed();
        assertResultsEqualTheOracles(events);
    }

    // ---- steps --------------------------------------------------------------------------------

    private Path events(String from, String to) {
        Path events = dir.resolve("events-" + from + ".jsonl");
        assertEquals(0, Main.run("replay", "--scenario", "sept-2022-surge", "--from", from, "--to", to, "--quiet",
                "--to-file", events.toString()));
        return events;
    }

    /** The stream app in its own JVM, as a user runs it ({@code borderflow stream}), on the test's classpath. */
    private void startApp() throws IOException {
        appStarts++;
        appStartedAt = System.nanoTime();
        Path log = dir.resolve("app-" + appStarts + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        app = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "stream", "--bootstrap-servers", broker.bootstrapServers(), "--state-dir", dir.resolve("state").toString(),
                "--set", "streams.application.id=" + APP_ID, "--set", "http.port=0",
                // A killed member holds its partitions until its session times out: keep that short.
                "--set", "streams.consumer.session.timeout.ms=6000", "--set", "streams.consumer.heartbeat.interval.ms=1500")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Until the app says it runs (tasks assigned, state restored), so a kill hits it while processing. */
    private void awaitRunning() throws IOException, InterruptedException {
        Path log = dir.resolve("app-" + appStarts + ".log");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!Files.readString(log).contains("running against")) {
            assertTrue(app.isAlive(), "the stream app exited: " + Files.readString(log));
            assertTrue(System.nanoTime() < deadline, "the stream app did not start: " + Files.readString(log));
            Thread.sleep(100);
        }
        // JVM start, group join and restoring the state a SIGKILL left behind (the checkpoint is stale).
        System.out.printf("[CrashRecoveryIT] app start %d running after %d ms%n", appStarts,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - appStartedAt));
    }

    private CompletableFuture<Integer> replay(Path events, String speed) {
        String bootstrap = broker.bootstrapServers();
        return CompletableFuture.supplyAsync(() -> Main.run("replay", "--input", events.toString(),
                "--pseudonymised-ids", "--bootstrap-servers", bootstrap, "--speed", speed, "--quiet"));
    }

    private void awaitProcessed() throws InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            Progression.awaitProcessed(admin, APP_ID, List.of(Topics.CROSSINGS.name(), Topics.REGISTRATIONS.name(),
                    Topics.IIN_APPLICATIONS.name()), Duration.ofMinutes(8));
        }
    }

    // ---- checks -------------------------------------------------------------------------------

    private void assertResultsEqualTheOracles(Path eventsFile) throws Exception {
        List<SpecificRecord> events = NetFlowOracle.readEvents(eventsFile, ALMATY);
        List<Crossing> crossings = NetFlowOracle.crossings(events);

        Map<String, long[]> expected = NetFlowOracle.compute(crossings, ALMATY);
        Map<String, long[]> actual = new TreeMap<>();
        AvroSerde<NetFlowWindow> windows = AvroSerde.of(NetFlowWindow.class);
        for (ConsumerRecord<byte[], byte[]> r : TestKafka.readCommitted(broker.bootstrapServers(), Topics.NET_FLOWS.name())) {
            NetFlowWindow w = windows.decode(r.value());
            OutputJson out = new OutputJson(ALMATY);
            JsonNode n = JSON.readTree(out.line(w));
            String key = n.get("window").asText() + "|" + n.get("windowStart").asText() + "|"
                    + n.get("dimension").asText() + "|" + n.get("key").asText();
            long[] before = actual.put(key, new long[] {w.getEntries(), w.getExits()});
            assertNull(before, "one final result per window and key, even across crashes: " + key);
        }
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertEquals(e.getValue()[0], actual.get(e.getKey())[0], "entries of " + e.getKey());
            assertEquals(e.getValue()[1], actual.get(e.getKey())[1], "exits of " + e.getKey());
        }

        AvroSerde<StayStatus> statuses = AvroSerde.of(StayStatus.class);
        OutputJson out = new OutputJson(ALMATY);
        Map<String, JsonNode> last = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TestKafka.readCommitted(broker.bootstrapServers(), Topics.STAY_STATUS.name())) {
            StayOracle.keepLatest(last, JSON.readTree(out.line(statuses.decode(r.value()))));
        }
        int judged = StayOracle.of(events, ALMATY).assertLastStatuses(last);
        assertTrue(judged > 1_000, "travellers judged: " + judged);
        System.out.printf("[CrashRecoveryIT] %,d final windows and %,d travellers' last statuses equal the oracles"
                + " after %d app starts%n", actual.size(), judged, appStarts);
    }


    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
