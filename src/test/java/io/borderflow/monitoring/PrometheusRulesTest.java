package io.borderflow.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prometheus/: both configs and the rule files pass {@code promtool check}, every alert rule has
 * a unit test that makes it fire and one that keeps it quiet, and those tests pass under
 * {@code promtool test rules}; thresholds, metric names and rule files agree with each other.
 */
class PrometheusRulesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = ExternalTools.repoRoot();
    private static final Path PROMETHEUS = ROOT.resolve("prometheus");
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern THRESHOLD = Pattern.compile("borderflow:threshold:[a-z0-9_]+");

    @Test
    void promtoolAcceptsBothConfigs() throws Exception {
        Path promtool = ExternalTools.require("promtool");
        for (String config : List.of("prometheus.yml", "prometheus-compose.yml")) {
            ExternalTools.Result r = ExternalTools.run(PROMETHEUS, TIMEOUT, promtool, "check", "config", config);
            assertEquals(0, r.exitCode(), config + ": " + r.both());
            assertTrue(r.out().contains("3 rule files found"), config + " should load the three rule files: " + r.out());
        }
    }

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Path promtool = ExternalTools.require("promtool");
        List<String> args = new ArrayList<>(List.of(promtool.toString(), "check", "rules"));
        ruleFiles().forEach(p -> args.add(PROMETHEUS.relativize(p).toString()));
        ExternalTools.Result r = ExternalTools.run(PROMETHEUS, TIMEOUT, args);
        assertEquals(0, r.exitCode(), r.both());
    }

    @Test
    void ruleUnitTestsPass() throws Exception {
        Path promtool = ExternalTools.require("promtool");
        List<String> args = new ArrayList<>(List.of(promtool.toString(), "test", "rules"));
        testFiles().forEach(p -> args.add(PROMETHEUS.relativize(p).toString()));
        ExternalTools.Result r = ExternalTools.run(PROMETHEUS, TIMEOUT, args);
        assertEquals(0, r.exitCode(), r.both());
        assertFalse(r.both().contains("FAILED"), r.both());
    }

    /** The unit tests pin the rules: the same tests against a changed threshold must fail. */
    @Test
    void ruleUnitTestsNoticeAChangedThreshold(@TempDir Path tmp) throws Exception {
        Path promtool = ExternalTools.require("promtool");
        Files.createDirectories(tmp.resolve("rules"));
        Files.createDirectories(tmp.resolve("tests"));
        for (Path rule : ruleFiles()) {
            String text = Files.readString(rule);
            if (rule.getFileName().toString().equals("thresholds.yml")) {
                String changed = text.replace("national_net_outflow_1d\n        expr: vector(1000)",
                        "national_net_outflow_1d\n        expr: vector(1300)");
                assertNotEquals(text, changed, "thresholds.yml no longer has the daily net-outflow threshold 1000");
                text = changed;
            }
            Files.writeString(tmp.resolve("rules").resolve(rule.getFileName()), text);
        }
        Path test = PROMETHEUS.resolve("tests/national-net-outflow-daily.yml");
        Files.copy(test, tmp.resolve("tests").resolve(test.getFileName()));
        ExternalTools.Result r = ExternalTools.run(tmp, TIMEOUT, promtool, "test", "rules", "tests/national-net-outflow-daily.yml");
        assertNotEquals(0, r.exitCode(), "the test should fail with the threshold at 1300: " + r.both());
        assertTrue(r.both().contains("BorderflowNationalNetOutflowDaily"), r.both());
    }

    @Test
    void everyAlertHasATestThatFiresItAndOneThatDoesNot() throws IOException {
        Set<String> alerts = alertNames();
        assertTrue(alerts.size() >= 10, "alerts: " + alerts);
        Map<String, int[]> seen = new TreeMap<>();
        for (Path test : testFiles()) {
            JsonNode doc = YAML.readTree(test.toFile());
            List<String> files = new ArrayList<>();
            doc.path("rule_files").forEach(f -> files.add(f.asText()));
            assertEquals(List.of("../rules/thresholds.yml", "../rules/recording.yml", "../rules/alerts.yml"), files,
                    test + " should load all three rule files, as Prometheus does");
            assertTrue(doc.has("group_eval_order"), test + " should fix group_eval_order");
            for (JsonNode t : doc.path("tests")) {
                for (JsonNode a : t.path("alert_rule_test")) {
                    String name = a.path("alertname").asText();
                    assertTrue(alerts.contains(name), test + " tests an unknown alert " + name);
                    int[] counts = seen.computeIfAbsent(name, n -> new int[2]);
                    counts[a.path("exp_alerts").isEmpty() ? 1 : 0]++;
                }
            }
        }
        for (String alert : alerts) {
            int[] c = seen.getOrDefault(alert, new int[2]);
            assertTrue(c[0] > 0, alert + " has no test where it fires");
            assertTrue(c[1] > 0, alert + " has no test where it stays quiet");
        }
    }

    @Test
    void everyThresholdIsDefinedOnceAndUsed() throws IOException {
        JsonNode thresholds = YAML.readTree(PROMETHEUS.resolve("rules/thresholds.yml").toFile());
        Set<String> defined = new TreeSet<>();
        for (JsonNode g : thresholds.path("groups")) {
            for (JsonNode r : g.path("rules")) {
                String name = r.path("record").asText();
                assertTrue(THRESHOLD.matcher(name).matches(), "not a threshold name: " + name);
                assertTrue(r.path("expr").asText().matches("vector\\([0-9.]+\\)"), name + " should be a constant");
                assertTrue(defined.add(name), name + " defined twice");
            }
        }
        Set<String> used = new TreeSet<>();
        Matcher m = THRESHOLD.matcher(Files.readString(PROMETHEUS.resolve("rules/alerts.yml")));
        while (m.find()) {
            used.add(m.group());
        }
        assertEquals(defined, used, "thresholds.yml and alerts.yml should name the same thresholds");
    }

    @Test
    void rulesUseOnlyDocumentedBorderMetrics() throws IOException {
        Set<String> documented = DocumentedMetrics.names(ROOT.resolve("docs/metrics.md"));
        assertTrue(documented.contains("border_checkpoint_exits"), "docs/metrics.md parsed: " + documented);
        for (Path rule : ruleFiles()) {
            Set<String> used = DocumentedMetrics.usedIn(Files.readString(rule));
            used.removeAll(documented);
            assertEquals(Set.of(), used, rule + " uses metrics docs/metrics.md does not list");
        }
    }

    @Test
    void amtoolAcceptsTheAlertmanagerConfig() throws Exception {
        Path amtool = ExternalTools.require("amtool");
        ExternalTools.Result r = ExternalTools.run(ROOT, TIMEOUT, amtool, "check-config", "alertmanager/alertmanager.yml");
        assertEquals(0, r.exitCode(), r.both());
    }

    @Test
    void alertmanagerSendsEveryAlertToTheWebhook() throws IOException {
        JsonNode am = YAML.readTree(ROOT.resolve("alertmanager/alertmanager.yml").toFile());
        String receiver = am.path("route").path("receiver").asText();
        JsonNode webhook = null;
        for (JsonNode r : am.path("receivers")) {
            if (r.path("name").asText().equals(receiver)) {
                webhook = r.path("webhook_configs").path(0);
            }
        }
        assertTrue(webhook != null && webhook.path("url").asText().startsWith("http"), "default receiver has a webhook URL");
        for (JsonNode sub : am.path("route").path("routes")) {
            assertEquals(receiver, sub.path("receiver").asText(), "every route ends at the webhook");
        }
    }

    static List<Path> ruleFiles() throws IOException {
        try (Stream<Path> s = Files.list(PROMETHEUS.resolve("rules"))) {
            return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static List<Path> testFiles() throws IOException {
        try (Stream<Path> s = Files.list(PROMETHEUS.resolve("tests"))) {
            return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    static Set<String> alertNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode g : YAML.readTree(PROMETHEUS.resolve("rules/alerts.yml").toFile()).path("groups")) {
            for (JsonNode r : g.path("rules")) {
                if (r.has("alert")) {
                    names.add(r.path("alert").asText());
                }
            }
        }
        return names;
    }
}
