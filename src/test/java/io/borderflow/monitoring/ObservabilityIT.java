package io.borderflow.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.borderflow.app.StreamApp;
import io.borderflow.app.TestKafka;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.cli.Main;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.api.HttpHost;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole observability path with real servers on 127.0.0.1: the stream app on the embedded broker,
 * a real Prometheus scraping its {@code /metrics} with the project's rule files, and a real
 * Alertmanager with the project's routing, its webhook pointed at a receiver in this test. A replay of
 * early October 2022 (net outflow after the mobilization surge) must page through to the webhook, and
 * every Grafana dashboard query must succeed against that Prometheus with a non-empty result.
 */
class ObservabilityIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aNetOutflowReplayPagesThroughPrometheusAndAlertmanagerAndEveryDashboardQueryAnswers() throws Exception {
        Path prometheus = ExternalTools.require("prometheus");
        Path alertmanager = ExternalTools.require("prometheus-alertmanager");

        List<JsonNode> notifications = new CopyOnWriteArrayList<>();
        HttpServer webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        webhook.createContext("/hook", exchange -> {
            try (exchange) {
                notifications.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        webhook.start();
        Process am = null;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            BorderflowConfig config = BorderflowConfig.defaults().with(HttpHost.PORT, "0")
                    .with(StreamApp.APPLICATION_ID, "borderflow-observability-it");
            TestKafka.prepare(broker.bootstrapServers(), config);
            try (StreamApp app = StreamApp.start(config, broker.bootstrapServers(), dir.resolve("state"),
                    Duration.ofMinutes(2))) {
                int amPort = freePort();
                am = startAlertmanager(alertmanager, amPort, webhook.getAddress().getPort());
                Path promConfig = prometheusConfig(app.http().port(), amPort);
                try (PrometheusServer prom = PrometheusServer.start(prometheus, promConfig, dir.resolve("tsdb"))) {
                    assertEquals(0, Main.run("replay", "--scenario", "sept-2022-surge", "--from", "2022-10-01",
                            "--to", "2022-10-04", "--bootstrap-servers", broker.bootstrapServers(), "--quiet",
                            "--set", "replay.http.port=0"));

                    JsonNode alert = awaitNotification(notifications, "BorderflowNationalNetOutflowDaily",
                            Duration.ofMinutes(6), am);
                    assertEquals("firing", alert.get("status").asText());
                    assertEquals("critical", alert.get("labels").get("severity").asText());
                    System.out.printf("[ObservabilityIT] webhook got %s: %s%n", alert.get("labels").get("alertname"),
                            alert.get("annotations"));

                    assertEveryDashboardQueryAnswers(prom);
                }
            }
        } finally {
            webhook.stop(0);
            if (am != null) {
                am.destroy();
                if (!am.waitFor(10, TimeUnit.SECONDS)) {
                    am.destroyForcibly();
                }
            }
        }
    }

    /** Every panel and variable query of every dashboard, Grafana's variables substituted. */
    private static void assertEveryDashboardQueryAnswers(PrometheusServer prom) throws Exception {
        List<String> empty = new ArrayList<>();
        List<DashboardQueries.Query> queries = DashboardQueries.all();
        assertTrue(queries.size() >= 10, "dashboards have queries: " + queries.size());
        for (DashboardQueries.Query q : queries) {
            JsonNode data = prom.query(q.expr(), Instant.now()); // fails the test unless Prometheus accepts it
            // An annotation marks alerts: empty while none fires, which is the normal case.
            if (q.kind() != DashboardQueries.Kind.ANNOTATION && data.get("result").isEmpty()) {
                empty.add(q.toString());
            }
        }
        assertTrue(empty.isEmpty(), "dashboard queries without data after the replay:\n  "
                + String.join("\n  ", empty));
        System.out.printf("[ObservabilityIT] %d dashboard queries answered (panels and variables with data)%n", queries.size());
    }

    private Process startAlertmanager(Path binary, int port, int webhookPort) throws IOException, InterruptedException {
        String config = Files.readString(ExternalTools.repoRoot().resolve("alertmanager/alertmanager.yml"))
                .replaceAll("url: http://\\S+", "url: http://127.0.0.1:" + webhookPort + "/hook")
                .replaceAll("group_wait: \\S+", "group_wait: 1s");
        Path file = dir.resolve("alertmanager.yml");
        Files.writeString(file, config);
        Path log = dir.resolve("alertmanager.log");
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + file,
                "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=",
                "--storage.path=" + dir.resolve("am-data"), "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!p.isAlive()) {
                fail("alertmanager exited: " + Files.readString(log));
            }
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                assertTrue(System.nanoTime() < deadline, "alertmanager did not listen: " + Files.readString(log));
                Thread.sleep(200);
            }
        }
    }

    /** The project's rule files, scraping the app every second and evaluating every second. */
    private Path prometheusConfig(int appPort, int amPort) throws IOException {
        Path rules = ExternalTools.repoRoot().resolve("prometheus/rules");
        String ruleFiles;
        try (var files = Files.list(rules)) {
            ruleFiles = files.filter(f -> f.toString().endsWith(".yml")).sorted()
                    .map(f -> "  - " + f.toAbsolutePath()).collect(Collectors.joining("\n"));
        }
        String yaml = """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                %s
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ["127.0.0.1:%d"]
                scrape_configs:
                  - job_name: borderflow-stream
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(ruleFiles, amPort, appPort);
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    private static JsonNode awaitNotification(List<JsonNode> notifications, String alertName, Duration timeout,
                                              Process am) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode n : notifications) {
                for (JsonNode a : n.path("alerts")) {
                    if (alertName.equals(a.path("labels").path("alertname").asText())) {
                        return a;
                    }
                }
            }
            assertTrue(am.isAlive(), "alertmanager died");
            Thread.sleep(500);
        }
        throw new AssertionError("no " + alertName + " notification within " + timeout + "; got " + notifications);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
