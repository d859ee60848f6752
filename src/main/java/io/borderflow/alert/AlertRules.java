package io.borderflow.alert;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.Severity;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The alert rules in force and the zone their day windows are counted in.
 *
 * <p>The built-in rules are in the resource {@value #DEFAULT_RESOURCE}, which documents the file
 * format. A user file named by the config key {@value #RULES_FILE} (YAML, or JSON when it ends in
 * {@code .json}) replaces them as a whole. Any problem in a rule file is a {@link ConfigException}
 * whose one-line message names the file and the field.
 */
public final class AlertRules {
    /** Config key: path of a rule file that replaces the built-in rules. */
    public static final String RULES_FILE = "alerts.rules.file";
    /** Classpath resource with the built-in rules. */
    public static final String DEFAULT_RESOURCE = "alert-rules.yaml";

    private static final Set<String> TOP_FIELDS = Set.of("rules");
    private static final List<String> COMMON_FIELDS = List.of("name", "type", "severity", "dimension", "window",
            "keys");
    private static final Map<AlertRule.Type, List<String>> TYPE_FIELDS = Map.of(
            AlertRule.Type.NET_OUTFLOW, List.of("threshold"),
            AlertRule.Type.SURGE, List.of("factor", "history", "minEntries"),
            AlertRule.Type.SILENT, List.of("hours", "minPerHour", "baselineHours"));

    private final ZoneId zone;
    private final List<AlertRule> rules;
    private final Map<String, AlertRule> byName;
    private final Map<FlowDimension, Map<WindowSize, List<AlertRule>>> index = new EnumMap<>(FlowDimension.class);

    private AlertRules(ZoneId zone, List<AlertRule> rules) {
        this.zone = zone;
        this.rules = List.copyOf(rules);
        Map<String, AlertRule> names = new LinkedHashMap<>();
        for (AlertRule r : this.rules) {
            if (names.putIfAbsent(r.name(), r) != null) {
                throw new IllegalArgumentException("rule name '" + r.name() + "' is used twice");
            }
            index.computeIfAbsent(r.dimension(), d -> new EnumMap<>(WindowSize.class))
                    .computeIfAbsent(r.window(), w -> new ArrayList<>()).add(r);
        }
        this.byName = Collections.unmodifiableMap(names);
    }

    /** These rules, with day windows in {@code zone}. Names must be unique. */
    public static AlertRules of(ZoneId zone, List<AlertRule> rules) {
        return new AlertRules(zone, rules);
    }

    /** The built-in rules, days in Asia/Almaty. */
    public static AlertRules defaults() {
        return defaults(BorderflowConfig.defaults().zone());
    }

    /** The built-in rules, days in {@code zone}. */
    public static AlertRules defaults(ZoneId zone) {
        try (InputStream in = AlertRules.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DEFAULT_RESOURCE + " is missing from the classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return parse(text, false, DEFAULT_RESOURCE + " (built-in)", zone);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + DEFAULT_RESOURCE, e);
        }
    }

    /** The rules of {@value #RULES_FILE} if set, else the built-in ones; days in the configured zone. */
    public static AlertRules fromConfig(BorderflowConfig config) {
        Optional<String> file = config.get(RULES_FILE).map(String::trim).filter(s -> !s.isEmpty());
        return file.isPresent() ? load(Path.of(file.get()), config.zone()) : defaults(config.zone());
    }

    /** Reads a rule file: JSON when its name ends in {@code .json}, YAML otherwise. */
    public static AlertRules load(Path file, ZoneId zone) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(RULES_FILE + ": rule file not found: " + file);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read rule file: " + oneLine(e.getMessage()), e);
        }
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        return parse(text, json, file.toString(), zone);
    }

    /**
     * Parses rule file text; {@code source} names it in error messages.
     *
     * @throws ConfigException for any problem, naming {@code source} and the field
     */
    public static AlertRules parse(String text, boolean json, String source, ZoneId zone) {
        ObjectMapper mapper = json
                ? JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build()
                : YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(source + ": not valid " + (json ? "JSON" : "YAML") + where + ": "
                    + oneLine(e.getOriginalMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(source + ": the rule file is empty; expected 'rules:' with a list of rules");
        }
        if (!root.isObject()) {
            throw new ConfigException(source + ": expected a mapping with the field 'rules' at the top");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_FIELDS.contains(f)) {
                throw new ConfigException(source + ": unknown field '" + f + "' at the top (known: rules)");
            }
        }
        JsonNode list = root.get("rules");
        if (list == null || list.isNull()) {
            throw new ConfigException(source + ": field 'rules' is missing");
        }
        if (!list.isArray()) {
            throw new ConfigException(source + ": field 'rules' must be a list of rules");
        }
        List<AlertRule> rules = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < list.size(); i++) {
            AlertRule rule = parseRule(list.get(i), new Where(source, i));
            Integer before = seen.putIfAbsent(rule.name(), i);
            if (before != null) {
                throw new ConfigException(new Where(source, i).named(rule.name()).field("name")
                        + "'" + rule.name() + "' is already used by rules[" + before + "]");
            }
            rules.add(rule);
        }
        return new AlertRules(zone, rules);
    }

    /** Location of a rule in its file, for messages. */
    private record Where(String source, int index, String name) {
        Where(String source, int index) {
            this(source, index, null);
        }

        Where named(String n) {
            return new Where(source, index, n);
        }

        String rule() {
            return source + ": rules[" + index + "]" + (name == null ? "" : " (" + name + ")");
        }

        String field(String f) {
            return rule() + ": field '" + f + "': ";
        }
    }

    private static AlertRule parseRule(JsonNode node, Where where) {
        if (node == null || !node.isObject()) {
            throw new ConfigException(where.rule() + ": expected a mapping (name, type, severity, ...)");
        }
        String name = text(node, "name", where);
        where = where.named(name);
        String typeId = text(node, "type", where);
        AlertRule.Type type = AlertRule.Type.fromId(typeId);
        if (type == null) {
            throw new ConfigException(where.field("type") + "unknown type '" + typeId
                    + "' (use net-outflow, surge or silent)");
        }
        Set<String> known = new LinkedHashSet<>(COMMON_FIELDS);
        known.addAll(TYPE_FIELDS.get(type));
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new ConfigException(where.rule() + ": unknown field '" + f + "' for a " + typeId
                        + " rule (known: " + String.join(", ", known) + ")");
            }
        }
        Severity severity = enumValue(node, "severity", Severity.class, where);
        FlowDimension dimension = enumValue(node, "dimension", FlowDimension.class, where);
        String windowId = text(node, "window", where);
        WindowSize window = WindowSize.fromId(windowId);
        if (window == null) {
            throw new ConfigException(where.field("window") + "unknown window '" + windowId + "' (use 1h or 1d)");
        }
        Set<String> keys = keys(node, where);
        try {
            AlertRule rule = switch (type) {
                case NET_OUTFLOW -> AlertRule.netOutflow(name, severity, dimension, window,
                        number(node, "threshold", null, where));
                case SURGE -> AlertRule.surge(name, severity, dimension, window,
                        number(node, "factor", null, where),
                        (int) integer(node, "history", (long) AlertRule.DEFAULT_SURGE_HISTORY, where),
                        integer(node, "minEntries", 0L, where));
                case SILENT -> {
                    if (window != WindowSize.HOUR) {
                        throw new ConfigException(where.field("window") + "a silent rule looks at 1h windows, got '"
                                + windowId + "'");
                    }
                    yield AlertRule.silent(name, severity, dimension,
                            (int) integer(node, "hours", (long) AlertRule.DEFAULT_SILENT_HOURS, where),
                            number(node, "minPerHour", AlertRule.DEFAULT_MIN_PER_HOUR, where),
                            (int) integer(node, "baselineHours", (long) AlertRule.DEFAULT_BASELINE_HOURS, where));
                }
            };
            return rule.withKeys(keys);
        } catch (IllegalArgumentException e) {
            // The rule's own checks; their messages start with the field name.
            String message = e.getMessage();
            int space = message.indexOf(' ');
            String field = space < 0 ? message : message.substring(0, space);
            throw new ConfigException(where.field(field) + message.substring(space + 1));
        }
    }

    private static JsonNode required(JsonNode node, String field, Where where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new ConfigException(where.field(field) + "is missing");
        }
        return v;
    }

    private static String text(JsonNode node, String field, Where where) {
        JsonNode v = required(node, field, where);
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new ConfigException(where.field(field) + "must be a non-empty string, got " + shown(v));
        }
        return v.asText().trim();
    }

    private static <E extends Enum<E>> E enumValue(JsonNode node, String field, Class<E> type, Where where) {
        String v = text(node, field, where);
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name());
        }
        throw new ConfigException(where.field(field) + "unknown value '" + v + "' (use one of "
                + String.join(", ", names) + ")");
    }

    private static double number(JsonNode node, String field, Double fallback, Where where) {
        JsonNode v = node.get(field);
        if ((v == null || v.isNull()) && fallback != null) {
            return fallback;
        }
        v = required(node, field, where);
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new ConfigException(where.field(field) + "must be a number, got " + shown(v));
        }
        return v.asDouble();
    }

    private static long integer(JsonNode node, String field, Long fallback, Where where) {
        JsonNode v = node.get(field);
        if ((v == null || v.isNull()) && fallback != null) {
            return fallback;
        }
        v = required(node, field, where);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ConfigException(where.field(field) + "must be a whole number, got " + shown(v));
        }
        return v.asLong();
    }

    private static Set<String> keys(JsonNode node, Where where) {
        JsonNode v = node.get("keys");
        if (v == null || v.isNull()) {
            return Set.of();
        }
        Set<String> keys = new LinkedHashSet<>();
        if (v.isTextual()) {
            keys.add(v.asText().trim());
        } else if (v.isArray()) {
            for (JsonNode k : v) {
                if (!k.isTextual() && !k.isNumber()) {
                    throw new ConfigException(where.field("keys") + "must be a list of strings, got an element "
                            + shown(k));
                }
                keys.add(k.asText().trim());
            }
        } else {
            throw new ConfigException(where.field("keys") + "must be a list of strings, got " + shown(v));
        }
        if (keys.contains("")) {
            throw new ConfigException(where.field("keys") + "must not contain an empty key");
        }
        return keys;
    }

    /** A value as written, shortened: messages stay one short line. */
    private static String shown(JsonNode v) {
        String s = v.isContainerNode() ? (v.isArray() ? "a list" : "a mapping") : "'" + oneLine(v.asText()) + "'";
        return s.length() > 60 ? s.substring(0, 57) + "...'" : s;
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    public ZoneId zone() {
        return zone;
    }

    public List<AlertRule> rules() {
        return rules;
    }

    public Optional<AlertRule> rule(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The rules that look at windows of this dimension, size and key, in file order. */
    public List<AlertRule> matching(FlowDimension dimension, WindowSize size, String key) {
        Map<WindowSize, List<AlertRule>> bySize = index.get(dimension);
        List<AlertRule> candidates = bySize == null ? null : bySize.get(size);
        if (candidates == null) {
            return List.of();
        }
        List<AlertRule> out = new ArrayList<>(candidates.size());
        for (AlertRule r : candidates) {
            if (r.keys().isEmpty() || r.keys().contains(key)) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        List<String> names = new ArrayList<>(byName.keySet());
        return "AlertRules" + names + " in " + zone;
    }
}
