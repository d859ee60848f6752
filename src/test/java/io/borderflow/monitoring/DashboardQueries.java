package io.borderflow.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every PromQL expression of the Grafana dashboards in grafana/dashboards, with Grafana's variables
 * replaced by what they stand for when "All" is selected, so a test can evaluate them against a
 * real Prometheus: template variables by their {@code allValue} (e.g. {@code .*}; a variable
 * without one by its current value), {@code $__rate_interval} and {@code $__interval} by
 * {@code 1m}, {@code $__range} by {@code 1h}.
 */
public final class DashboardQueries {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code $name}, {@code ${name}}, {@code ${name:format}}, {@code [[name]]}. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::[^}]*)?}|\\$([A-Za-z0-9_]+)|\\[\\[([A-Za-z0-9_]+)]]");
    static final Map<String, String> BUILT_INS = Map.of(
            "__rate_interval", "1m",
            "__interval", "1m",
            "__interval_ms", "60000",
            "__range", "1h",
            "__range_s", "3600",
            "__range_ms", "3600000");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.+),\\s*[A-Za-z0-9_]+\\s*\\)\\s*$");

    public enum Kind { PANEL, ANNOTATION, VARIABLE }

    /**
     * One expression: {@code raw} as written in the dashboard, {@code expr} with the variables
     * replaced. For a {@link Kind#VARIABLE} the expr is the series selector of its
     * {@code label_values(...)} query. An {@link Kind#ANNOTATION} on {@code ALERTS} is empty
     * unless an alert fires.
     */
    public record Query(String dashboard, String panel, Kind kind, String raw, String expr) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + " (" + kind.name().toLowerCase() + "): " + expr;
        }
    }

    private DashboardQueries() {
    }

    public static Path dashboardsDir() {
        return ExternalTools.repoRoot().resolve("grafana/dashboards");
    }

    public static List<Path> dashboardFiles() {
        try (Stream<Path> s = Files.list(dashboardsDir())) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every query of every dashboard. */
    public static List<Query> all() {
        List<Query> all = new ArrayList<>();
        for (Path f : dashboardFiles()) {
            try {
                all.addAll(of(JSON.readTree(f.toFile())));
            } catch (IOException e) {
                throw new UncheckedIOException(f + ": " + e.getMessage(), e);
            }
        }
        return all;
    }

    /** Only the panels' queries (what a dashboard shows), without annotations and variables. */
    public static List<Query> panels() {
        return all().stream().filter(q -> q.kind() == Kind.PANEL).toList();
    }

    static List<Query> of(JsonNode dashboard) {
        String title = dashboard.path("title").asText();
        Map<String, String> values = variableValues(dashboard);
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : panelsOf(dashboard)) {
            for (JsonNode t : panel.path("targets")) {
                String raw = t.path("expr").asText("");
                out.add(new Query(title, panel.path("title").asText(), Kind.PANEL, raw, substitute(raw, values)));
            }
        }
        for (JsonNode a : dashboard.path("annotations").path("list")) {
            if ("prometheus".equals(a.path("datasource").path("type").asText())) {
                String raw = a.path("expr").asText("");
                out.add(new Query(title, a.path("name").asText(), Kind.ANNOTATION, raw, substitute(raw, values)));
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if ("query".equals(v.path("type").asText())) {
                String raw = variableQuery(v);
                Matcher m = LABEL_VALUES.matcher(raw);
                if (m.matches()) {
                    out.add(new Query(title, "$" + v.path("name").asText(), Kind.VARIABLE, raw, substitute(m.group(1), values)));
                }
            }
        }
        return out;
    }

    /** Panels at the top level and inside collapsed rows. */
    static List<JsonNode> panelsOf(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            out.add(p);
            p.path("panels").forEach(out::add);
        }
        return out;
    }

    static String variableQuery(JsonNode variable) {
        JsonNode q = variable.path("query");
        return q.isObject() ? q.path("query").asText("") : q.asText("");
    }

    /** The value each template variable stands for with "All" selected. */
    static Map<String, String> variableValues(JsonNode dashboard) {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode v : dashboard.path("templating").path("list")) {
            String name = v.path("name").asText();
            String value;
            if (v.path("includeAll").asBoolean(false)) {
                value = v.path("allValue").asText(".*");
            } else {
                JsonNode current = v.path("current").path("value");
                value = current.isArray() ? current.path(0).asText() : current.asText();
            }
            values.put(name, value);
        }
        return values;
    }

    /** Replaces Grafana's variables; an unknown one is left as it is (so a test can find it). */
    public static String substitute(String expr, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = BUILT_INS.containsKey(name) ? BUILT_INS.get(name) : variables.get(name);
            m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** The variable names an expression refers to. */
    static List<String> referencedVariables(String expr) {
        List<String> names = new ArrayList<>();
        Matcher m = VARIABLE.matcher(expr);
        while (m.find()) {
            names.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
        }
        return names;
    }
}
