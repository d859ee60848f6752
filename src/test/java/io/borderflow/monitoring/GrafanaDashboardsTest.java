package io.borderflow.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grafana/: the provisioning files and the structure of every dashboard, without a Grafana server
 * (none can be installed here): parses, uid/title/schema, panels with a non-overlapping gridPos,
 * every datasource the provisioned one, every target an expression, every variable used defined
 * and every one defined used, no UI-export leftovers; the expressions are valid PromQL (promtool)
 * and name only documented metrics. Evaluating them against a live Prometheus is for an
 * end-to-end test ({@link DashboardQueries} lists them).
 */
class GrafanaDashboardsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = ExternalTools.repoRoot();

    @Test
    void datasourceIsProvisionedWithAFixedUid() throws IOException {
        JsonNode ds = YAML.readTree(ROOT.resolve("grafana/provisioning/datasources/prometheus.yml").toFile());
        assertEquals(1, ds.path("apiVersion").asInt());
        assertEquals(1, ds.path("datasources").size());
        JsonNode prom = ds.path("datasources").path(0);
        assertEquals("prometheus", prom.path("type").asText());
        assertEquals("borderflow-prom", prom.path("uid").asText());
        assertTrue(prom.path("url").asText().startsWith("http://"), "datasource URL");
    }

    @Test
    void dashboardProviderLoadsTheJsonFiles() throws IOException {
        JsonNode p = YAML.readTree(ROOT.resolve("grafana/provisioning/dashboards/borderflow.yml").toFile());
        assertEquals(1, p.path("apiVersion").asInt());
        JsonNode provider = p.path("providers").path(0);
        assertEquals("file", provider.path("type").asText());
        assertFalse(provider.path("options").path("path").asText().isBlank(), "provider path");
    }

    @Test
    void theThreeDashboardsExistWithUniqueUids() throws IOException {
        Set<String> titles = new TreeSet<>();
        Set<String> uids = new HashSet<>();
        for (Path f : DashboardQueries.dashboardFiles()) {
            JsonNode d = JSON.readTree(f.toFile());
            titles.add(d.path("title").asText());
            assertTrue(uids.add(d.path("uid").asText()), f + ": duplicate uid");
        }
        assertEquals(Set.of("Border flows", "Stay compliance", "Pipeline health"), titles);
    }

    @Test
    void everyDashboardIsWellFormed() throws IOException {
        String uid = provisionedUid();
        List<String> problems = new ArrayList<>();
        for (Path f : DashboardQueries.dashboardFiles()) {
            check(f.getFileName().toString(), Files.readString(f), uid, problems);
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void flowsDashboardFiltersByCheckpointAndRegion() throws IOException {
        JsonNode d = JSON.readTree(DashboardQueries.dashboardsDir().resolve("border-flows.json").toFile());
        Set<String> vars = new TreeSet<>();
        d.path("templating").path("list").forEach(v -> vars.add(v.path("name").asText()));
        assertEquals(Set.of("checkpoint", "region"), vars);
        boolean alertAnnotation = false;
        for (JsonNode a : d.path("annotations").path("list")) {
            alertAnnotation |= a.path("expr").asText().startsWith("ALERTS{");
        }
        assertTrue(alertAnnotation, "alert annotations on Border flows");
    }

    /** The checker itself: a dashboard with each kind of fault is refused. */
    @Test
    void checkerRefusesBrokenDashboards() throws IOException {
        String good = Files.readString(DashboardQueries.dashboardsDir().resolve("border-flows.json"));
        Map<String, String> faults = Map.of(
                "export leftover", good.replaceFirst("\\{", "{\"__inputs\": [],"),
                "foreign datasource", good.replaceFirst("\"uid\": \"borderflow-prom\"", "\"uid\": \"other\""),
                "overlap", good.replaceFirst("\"x\": 4,", "\"x\": 2,"),
                "undefined variable", good.replaceFirst("checkpoint=~\\\\\"\\$checkpoint\\\\\"", "checkpoint=~\\\\\"\\$gate\\\\\""),
                "empty expr", good.replaceFirst("\"expr\": \"border_national_exits\\{window=\\\\\"1d\\\\\"}\"", "\"expr\": \"\""));
        for (Map.Entry<String, String> fault : faults.entrySet()) {
            assertFalse(fault.getValue().equals(good), fault.getKey() + ": the fault was not injected");
            List<String> problems = new ArrayList<>();
            check("broken.json", fault.getValue(), provisionedUid(), problems);
            assertFalse(problems.isEmpty(), fault.getKey() + " was not noticed");
        }
    }

    @Test
    void expressionsAreValidPromQl(@TempDir Path tmp) throws Exception {
        Path promtool = ExternalTools.require("promtool");
        List<DashboardQueries.Query> queries = DashboardQueries.all();
        assertTrue(queries.size() > 40, "queries: " + queries.size());
        // promtool has no expression checker; a rule file with one recording rule per expression does it.
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboards\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            DashboardQueries.Query q = queries.get(i);
            assertFalse(q.expr().contains("$"), q + ": variable left after substitution");
            rules.append("      - record: dashboard:query:").append(i).append('\n')
                    .append("        expr: ").append(JSON.writeValueAsString(q.expr())).append('\n');
        }
        Path file = tmp.resolve("dashboards.yml");
        Files.writeString(file, rules);
        ExternalTools.Result r = ExternalTools.run(tmp, Duration.ofMinutes(1), promtool, "check", "rules", file.toString());
        assertEquals(0, r.exitCode(), "promtool refused a dashboard expression (dashboard:query:N is "
                + "DashboardQueries.all().get(N)): " + r.both());
    }

    @Test
    void expressionsNameOnlyDocumentedMetrics() throws IOException {
        Set<String> documented = DocumentedMetrics.names(ROOT.resolve("docs/metrics.md"));
        for (DashboardQueries.Query q : DashboardQueries.all()) {
            Set<String> used = DocumentedMetrics.usedIn(q.expr());
            used.removeAll(documented);
            assertEquals(Set.of(), used, q + " uses metrics docs/metrics.md does not list");
        }
    }

    @Test
    void substitutionReplacesGrafanaVariables() {
        assertEquals("rate(x{checkpoint=~\".*\"}[1m]) [1h] .* .*",
                DashboardQueries.substitute("rate(x{checkpoint=~\"$checkpoint\"}[$__rate_interval]) [$__range] ${checkpoint} [[checkpoint]]",
                        Map.of("checkpoint", ".*")));
        assertEquals("$unknown", DashboardQueries.substitute("$unknown", Map.of()));
    }

    static String provisionedUid() throws IOException {
        return YAML.readTree(ROOT.resolve("grafana/provisioning/datasources/prometheus.yml").toFile())
                .path("datasources").path(0).path("uid").asText();
    }

    /** Adds one line per problem of the dashboard {@code text} to {@code problems}. */
    static void check(String file, String text, String uid, List<String> problems) throws IOException {
        JsonNode d;
        try {
            d = JSON.readTree(text);
        } catch (IOException e) {
            problems.add(file + ": not JSON: " + e.getMessage());
            return;
        }
        for (String leftover : List.of("__inputs", "__requires", "__elements", "gnetId", "iteration")) {
            if (d.has(leftover)) {
                problems.add(file + ": UI-export leftover '" + leftover + "'");
            }
        }
        if (text.contains("${DS_")) {
            problems.add(file + ": export-time datasource placeholder ${DS_...}");
        }
        if (d.has("id") && !d.get("id").isNull()) {
            problems.add(file + ": a database id (provisioned dashboards have none)");
        }
        if (d.path("uid").asText().isBlank() || d.path("uid").asText().length() > 40) {
            problems.add(file + ": uid missing or longer than 40 characters");
        }
        if (d.path("title").asText().isBlank()) {
            problems.add(file + ": no title");
        }
        int schema = d.path("schemaVersion").asInt();
        if (schema < 36 || schema > 41) {
            problems.add(file + ": schemaVersion " + schema);
        }
        List<JsonNode> panels = DashboardQueries.panelsOf(d);
        if (panels.isEmpty()) {
            problems.add(file + ": no panels");
        }
        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        List<String> boxNames = new ArrayList<>();
        for (JsonNode p : panels) {
            String name = file + " panel '" + p.path("title").asText() + "'";
            if (!ids.add(p.path("id").asInt(-1))) {
                problems.add(name + ": id missing or repeated");
            }
            if (p.path("type").asText().isBlank() || p.path("title").asText().isBlank()) {
                problems.add(name + ": type and title required");
            }
            JsonNode g = p.path("gridPos");
            int h = g.path("h").asInt(0), w = g.path("w").asInt(0), x = g.path("x").asInt(-1), y = g.path("y").asInt(-1);
            if (h <= 0 || w <= 0 || x < 0 || y < 0 || x + w > 24) {
                problems.add(name + ": bad gridPos " + g);
            }
            for (int i = 0; i < boxes.size(); i++) {
                int[] b = boxes.get(i);
                if (x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h) {
                    problems.add(name + ": overlaps '" + boxNames.get(i) + "'");
                }
            }
            boxes.add(new int[] {x, y, w, h});
            boxNames.add(p.path("title").asText());
            if ("row".equals(p.path("type").asText())) {
                continue;
            }
            datasource(name, p.path("datasource"), uid, problems);
            JsonNode targets = p.path("targets");
            if (targets.isEmpty()) {
                problems.add(name + ": no targets");
            }
            Set<String> refIds = new HashSet<>();
            for (JsonNode t : targets) {
                if (t.path("expr").asText().isBlank()) {
                    problems.add(name + ": a target without expr");
                }
                if (!refIds.add(t.path("refId").asText())) {
                    problems.add(name + ": repeated refId");
                }
                if (t.has("datasource")) {
                    datasource(name + " target", t.path("datasource"), uid, problems);
                }
            }
        }
        Set<String> defined = new TreeSet<>();
        for (JsonNode v : d.path("templating").path("list")) {
            defined.add(v.path("name").asText());
            if ("query".equals(v.path("type").asText())) {
                datasource(file + " variable " + v.path("name").asText(), v.path("datasource"), uid, problems);
            }
        }
        for (JsonNode a : d.path("annotations").path("list")) {
            if (!a.path("builtIn").asBoolean(false)) {
                datasource(file + " annotation '" + a.path("name").asText() + "'", a.path("datasource"), uid, problems);
                if (a.path("expr").asText().isBlank()) {
                    problems.add(file + " annotation '" + a.path("name").asText() + "': no expr");
                }
            }
        }
        Set<String> used = new TreeSet<>();
        for (DashboardQueries.Query q : DashboardQueries.of(d)) {
            for (String v : DashboardQueries.referencedVariables(q.raw())) {
                if (!DashboardQueries.BUILT_INS.containsKey(v)) {
                    used.add(v);
                    if (!defined.contains(v)) {
                        problems.add(file + " " + q.panel() + ": variable $" + v + " is not defined");
                    }
                }
            }
        }
        for (String v : defined) {
            if (!used.contains(v)) {
                problems.add(file + ": variable $" + v + " is defined but never used");
            }
        }
    }

    private static void datasource(String where, JsonNode ds, String uid, List<String> problems) {
        if (!"prometheus".equals(ds.path("type").asText()) || !uid.equals(ds.path("uid").asText())) {
            problems.add(where + ": datasource " + ds + " is not the provisioned {type: prometheus, uid: " + uid + "}");
        }
    }

    @Test
    void queriesAreListedForEveryPanel() throws IOException {
        int targets = 0;
        for (Path f : DashboardQueries.dashboardFiles()) {
            for (JsonNode p : DashboardQueries.panelsOf(JSON.readTree(f.toFile()))) {
                targets += p.path("targets").size();
            }
        }
        assertEquals(targets, DashboardQueries.panels().size());
        if (DashboardQueries.panels().stream().anyMatch(q -> q.expr().isBlank())) {
            fail("blank expression listed");
        }
    }
}
