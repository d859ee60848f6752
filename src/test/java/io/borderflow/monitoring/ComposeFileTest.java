package io.borderflow.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.borderflow.api.HttpHost;
import io.borderflow.cli.ReplayCommand;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigLoader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml, without Docker (no engine here): every mounted host file exists (the jar:
 * is what {@code mvn package} builds), every host name and port that the app config, the
 * Prometheus scrape targets, the Alertmanager target and the Grafana datasource name is a service
 * of the file listening there, ports are published on 127.0.0.1 only, and the app's settings as
 * the containers get them load through the app's own config loader.
 */
class ComposeFileTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = ExternalTools.repoRoot();
    /** Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}. */
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    private static JsonNode services;

    @BeforeAll
    static void parse() throws IOException {
        JsonNode compose = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        services = compose.path("services");
        assertTrue(services.isObject() && services.size() > 0, "services");
    }

    @Test
    void theStackHasItsServices() {
        Set<String> names = new TreeSet<>();
        services.fieldNames().forEachRemaining(names::add);
        assertTrue(names.containsAll(Set.of("kafka", "stream", "replay", "prometheus", "alertmanager", "grafana")), "services: " + names);
        assertTrue(services.path("kafka").path("image").asText().startsWith("apache/kafka:"));
        assertEquals("eclipse-temurin:17-jre", services.path("stream").path("image").asText());
        assertEquals("eclipse-temurin:17-jre", services.path("replay").path("image").asText());
        assertEquals("\"no\"", "\"" + services.path("replay").path("restart").asText() + "\"", "the replay runs once");
    }

    @Test
    void everyMountedHostPathExists() throws IOException {
        String finalName = pomFinalName();
        for (Map.Entry<String, JsonNode> s : iterable(services)) {
            for (Mount m : mounts(s.getValue())) {
                if (!m.bind()) {
                    continue;
                }
                Path host = ROOT.resolve(m.source()).normalize();
                if (m.source().startsWith("./target/")) {
                    // Built by `mvn package`, not kept in the repository.
                    assertEquals("./target/" + finalName + ".jar", m.source(), s.getKey() + ": the jar mvn package builds");
                    assertTrue(m.readOnly(), s.getKey() + ": the jar is mounted read-only");
                    continue;
                }
                assertTrue(Files.exists(host), s.getKey() + ": mounted " + m.source() + " does not exist");
            }
        }
    }

    @Test
    void publishedPortsAreOnLoopbackOnly() {
        for (Map.Entry<String, JsonNode> s : iterable(services)) {
            for (JsonNode p : s.getValue().path("ports")) {
                assertTrue(p.asText().startsWith("127.0.0.1:"), s.getKey() + " publishes " + p.asText() + " beyond 127.0.0.1");
            }
        }
    }

    @Test
    void appConfigLoadsThroughTheAppsLoaderAsEachContainerGetsIt() throws Exception {
        for (String service : List.of("stream", "replay")) {
            BorderflowConfig config = appConfig(service);
            assertEquals("kafka:9092", config.bootstrapServers().orElseThrow(), service + ": bootstrap servers");
            assertListens("kafka", 9092);
            String bind = config.get(HttpHost.BIND).orElse(HttpHost.DEFAULT_BIND);
            if (!InetAddress.getByName(bind).isLoopbackAddress()) {
                assertFalse(config.get(HttpHost.TOKEN).orElse("").isBlank(),
                        service + ": http.bind " + bind + " needs http.token, or the app refuses to start");
            }
            int port = httpPort(service, config);
            assertTrue(exposed(service).contains(port), service + " serves on " + port + " but exposes " + exposed(service));
        }
        assertEquals(8088, httpPort("stream", appConfig("stream")));
        assertEquals(8089, httpPort("replay", appConfig("replay")));
    }

    @Test
    void prometheusScrapesTheAppsAndAlertsTheAlertmanagerOfTheStack() throws IOException {
        JsonNode prom = YAML.readTree(containerFile("prometheus", "--config.file").toFile());
        Map<String, String> targets = new TreeMap<>();
        for (JsonNode job : prom.path("scrape_configs")) {
            for (JsonNode sc : job.path("static_configs")) {
                for (JsonNode t : sc.path("targets")) {
                    targets.put(job.path("job_name").asText(), t.asText());
                }
            }
        }
        assertEquals(Map.of("borderflow-stream", "stream:8088", "borderflow-replay", "replay:8089"), targets);
        for (String target : targets.values()) {
            String[] hp = target.split(":");
            assertListens(hp[0], Integer.parseInt(hp[1]));
        }
        String am = prom.path("alerting").path("alertmanagers").path(0).path("static_configs").path(0).path("targets").path(0).asText();
        String[] hp = am.split(":");
        assertListens(hp[0], Integer.parseInt(hp[1]));
        assertEquals("alertmanager", hp[0]);
        // The config in the container finds its rules in the mounted directory.
        assertEquals("rules/*.yml", prom.path("rule_files").path(0).asText());
        assertTrue(Files.isDirectory(containerFile("prometheus", "--config.file").getParent().resolve("rules")));
    }

    @Test
    void composeAndLocalPrometheusConfigsDifferOnlyInTargets() throws IOException {
        JsonNode local = YAML.readTree(ROOT.resolve("prometheus/prometheus.yml").toFile());
        JsonNode compose = YAML.readTree(ROOT.resolve("prometheus/prometheus-compose.yml").toFile());
        assertEquals(local.path("global"), compose.path("global"));
        assertEquals(local.path("rule_files"), compose.path("rule_files"));
        List<String> localJobs = new ArrayList<>();
        local.path("scrape_configs").forEach(j -> localJobs.add(j.path("job_name").asText() + " " + j.path("metrics_path").asText()));
        List<String> composeJobs = new ArrayList<>();
        compose.path("scrape_configs").forEach(j -> composeJobs.add(j.path("job_name").asText() + " " + j.path("metrics_path").asText()));
        assertEquals(localJobs, composeJobs);
    }

    @Test
    void grafanaReadsTheProvisionedDatasourceAndDashboards() throws IOException {
        Path provisioning = hostPathOf("grafana", "/etc/grafana/provisioning");
        assertNotNull(provisioning, "grafana mounts its provisioning at /etc/grafana/provisioning");
        JsonNode ds = YAML.readTree(provisioning.resolve("datasources/prometheus.yml").toFile());
        URI url = URI.create(ds.path("datasources").path(0).path("url").asText());
        assertListens(url.getHost(), url.getPort());
        assertEquals("prometheus", url.getHost());
        JsonNode provider = YAML.readTree(provisioning.resolve("dashboards/borderflow.yml").toFile());
        String path = provider.path("providers").path(0).path("options").path("path").asText();
        Path dashboards = hostPathOf("grafana", path);
        assertNotNull(dashboards, "grafana mounts the dashboards at the provider's path " + path);
        assertEquals(ROOT.resolve("grafana/dashboards").normalize(), dashboards.normalize());
        assertTrue(Files.list(dashboards).anyMatch(p -> p.toString().endsWith(".json")));
    }

    @Test
    void alertmanagerRunsTheRepositoryConfig() {
        Path config = containerFile("alertmanager", "--config.file");
        assertEquals(ROOT.resolve("alertmanager/alertmanager.yml").normalize(), config.normalize());
        assertTrue(command("alertmanager").contains("--cluster.listen-address="), "single instance, no cluster port");
    }

    // ------------------------------------------------------------------ helpers

    /** The app config a container runs with: its --config file through ConfigLoader, then --set and --bootstrap-servers. */
    private static BorderflowConfig appConfig(String service) {
        List<String> cmd = command(service);
        int jar = cmd.indexOf("-jar");
        assertTrue(jar >= 0, service + " runs java -jar");
        assertTrue(mounts(services.path(service)).stream().anyMatch(m -> m.target().equals(cmd.get(jar + 1))),
                service + ": " + cmd.get(jar + 1) + " is mounted");
        Path file = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < cmd.size() - 1; i++) {
            switch (cmd.get(i)) {
                case "--config" -> file = hostPath(service, cmd.get(i + 1));
                case "--set" -> {
                    String[] kv = cmd.get(i + 1).split("=", 2);
                    overrides.put(kv[0], kv[1]);
                }
                case "--bootstrap-servers" -> overrides.put(BorderflowConfig.BOOTSTRAP_SERVERS, cmd.get(i + 1));
                default -> { }
            }
        }
        assertNotNull(file, service + " passes --config");
        BorderflowConfig fromFile = ConfigLoader.load(file, Map.of());
        assertEquals("kafka:9092", fromFile.bootstrapServers().orElseThrow(), file + ": bootstrap.servers");
        return ConfigLoader.load(file, overrides);
    }

    /** The port the command in {@code service} serves /metrics on: the replay has a key of its own. */
    private static int httpPort(String service, BorderflowConfig config) {
        boolean replay = command(service).contains("replay");
        String value = replay
                ? config.get(ReplayCommand.HTTP_PORT).orElse(Integer.toString(ReplayCommand.DEFAULT_HTTP_PORT))
                : config.get(HttpHost.PORT).orElse(Integer.toString(HttpHost.DEFAULT_PORT));
        return Integer.parseInt(value.trim());
    }

    /** The service's command with compose's variables interpolated (a required one gets a sample value). */
    private static List<String> command(String service) {
        List<String> out = new ArrayList<>();
        JsonNode c = services.path(service).path("command");
        if (c.isTextual()) {
            fail(service + ": give the command as a list");
        }
        c.forEach(a -> out.add(interpolate(a.asText())));
        return out;
    }

    static String interpolate(String s) {
        Matcher m = INTERPOLATION.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String op = m.group(2);
            String value = op != null && op.endsWith("-") ? m.group(3) : "sample-" + m.group(1).toLowerCase();
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString().replace("$$", "$");
    }

    private static Path containerFile(String service, String flag) {
        for (String a : command(service)) {
            if (a.startsWith(flag + "=")) {
                Path p = hostPath(service, a.substring(flag.length() + 1));
                assertTrue(Files.isRegularFile(p), service + ": " + a + " is " + p + ", which does not exist");
                return p;
            }
        }
        fail(service + " has no " + flag);
        return null;
    }

    /** The host file behind a container path, through the service's bind mounts; fails if none. */
    private static Path hostPath(String service, String containerPath) {
        Path p = hostPathOf(service, containerPath);
        assertNotNull(p, service + ": nothing mounted at " + containerPath);
        return p;
    }

    private static Path hostPathOf(String service, String containerPath) {
        Mount best = null;
        for (Mount m : mounts(services.path(service))) {
            if (m.bind() && (containerPath.equals(m.target()) || containerPath.startsWith(m.target() + "/"))
                    && (best == null || m.target().length() > best.target().length())) {
                best = m;
            }
        }
        if (best == null) {
            return null;
        }
        String rest = containerPath.substring(best.target().length());
        return ROOT.resolve(best.source() + rest).normalize();
    }

    private static void assertListens(String host, int port) {
        assertTrue(services.has(host), host + " is not a service of docker-compose.yml");
        assertTrue(exposed(host).contains(port), host + " does not listen on " + port + " (exposes " + exposed(host) + ")");
    }

    /** Container ports a service listens on: expose, the container side of ports, Kafka's advertised listeners. */
    private static Set<Integer> exposed(String service) {
        JsonNode s = services.path(service);
        Set<Integer> ports = new TreeSet<>();
        s.path("expose").forEach(p -> ports.add(Integer.parseInt(p.asText())));
        for (JsonNode p : s.path("ports")) {
            String[] parts = p.asText().split(":");
            ports.add(Integer.parseInt(parts[parts.length - 1].replaceAll("/.*", "")));
        }
        String advertised = s.path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText("");
        Matcher m = Pattern.compile("//" + Pattern.quote(service) + ":(\\d+)").matcher(advertised);
        boolean kafka = false;
        while (m.find()) {
            kafka = true;
            ports.add(Integer.parseInt(m.group(1)));
        }
        if (s.path("image").asText().startsWith("apache/kafka") && !kafka) {
            fail(service + ": no listener advertised as " + service + ":PORT");
        }
        return ports;
    }

    record Mount(String source, String target, boolean readOnly, boolean bind) {
    }

    private static List<Mount> mounts(JsonNode service) {
        List<Mount> out = new ArrayList<>();
        for (JsonNode v : service.path("volumes")) {
            String[] parts = v.asText().split(":");
            String source = parts[0];
            boolean bind = source.startsWith(".") || source.startsWith("/");
            out.add(new Mount(source, parts.length > 1 ? parts[1] : parts[0], parts.length > 2 && parts[2].contains("ro"), bind));
        }
        return out;
    }

    private static String pomFinalName() throws IOException {
        Matcher m = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has a finalName");
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        assertTrue(pom.contains("<build.dir>${project.basedir}/target</build.dir>"), "pom.xml builds into target/ by default");
        return m.group(1);
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
        return node::fields;
    }
}
