package io.borderflow.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.Severity;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AlertRulesTest {

    @TempDir
    Path dir;

    @Test
    void builtInRulesAreTheDocumentedDefaults() {
        AlertRules rules = AlertRules.defaults();
        assertEquals(ZoneId.of("Asia/Almaty"), rules.zone());
        assertEquals(List.of("national-net-outflow-daily", "checkpoint-net-outflow-hourly", "citizenship-surge-daily",
                "national-surge-daily", "checkpoint-silent"), rules.rules().stream().map(AlertRule::name).toList());

        AlertRule national = rules.rule("national-net-outflow-daily").orElseThrow();
        assertEquals(AlertRule.netOutflow("national-net-outflow-daily", Severity.CRITICAL, FlowDimension.NATIONAL,
                WindowSize.DAY, 1000), national);
        assertEquals(AlertRule.netOutflow("checkpoint-net-outflow-hourly", Severity.WARNING, FlowDimension.CHECKPOINT,
                WindowSize.HOUR, 300), rules.rule("checkpoint-net-outflow-hourly").orElseThrow());
        assertEquals(AlertRule.surge("citizenship-surge-daily", Severity.WARNING, FlowDimension.CITIZENSHIP,
                WindowSize.DAY, 1.15, 7, 500), rules.rule("citizenship-surge-daily").orElseThrow());
        assertEquals(AlertRule.surge("national-surge-daily", Severity.CRITICAL, FlowDimension.NATIONAL,
                WindowSize.DAY, 1.2, 7, 0), rules.rule("national-surge-daily").orElseThrow());
        assertEquals(AlertRule.silent("checkpoint-silent", Severity.WARNING, FlowDimension.CHECKPOINT, 6, 5, 168),
                rules.rule("checkpoint-silent").orElseThrow());

        assertEquals(List.of(national, rules.rule("national-surge-daily").orElseThrow()),
                rules.matching(FlowDimension.NATIONAL, WindowSize.DAY, "KZ"));
        assertEquals(List.of(), rules.matching(FlowDimension.REGION, WindowSize.DAY, "Almaty"));
    }

    @Test
    void defaultsFollowTheConfiguredZone() {
        BorderflowConfig config = BorderflowConfig.defaults().with(BorderflowConfig.ZONE, "Asia/Tashkent");
        assertEquals(ZoneId.of("Asia/Tashkent"), AlertRules.fromConfig(config).zone());
        assertEquals(5, AlertRules.fromConfig(BorderflowConfig.defaults()).rules().size());
    }

    @Test
    void aUserYamlFileReplacesTheDefaults() throws Exception {
        Path file = dir.resolve("my-rules.yaml");
        Files.writeString(file, """
                # only what we watch
                rules:
                  - name: ru-surge
                    type: surge
                    severity: critical        # case does not matter
                    dimension: citizenship
                    window: 1d
                    factor: 1.5
                    keys: [RU, BY]
                  - name: syrym-silent
                    type: silent
                    severity: INFO
                    dimension: CHECKPOINT
                    window: 1h
                    keys: SYRYM
                """);
        AlertRules rules = AlertRules.fromConfig(BorderflowConfig.defaults().with(AlertRules.RULES_FILE, file.toString()));
        assertEquals(2, rules.rules().size());
        AlertRule surge = rules.rule("ru-surge").orElseThrow();
        assertEquals(Severity.CRITICAL, surge.severity());
        assertEquals(1.5, surge.factor());
        assertEquals(AlertRule.DEFAULT_SURGE_HISTORY, surge.history());
        assertEquals(0, surge.minEntries());
        assertEquals(Set.of("RU", "BY"), surge.keys());
        AlertRule silent = rules.rule("syrym-silent").orElseThrow();
        assertEquals(6, silent.hours());
        assertEquals(5.0, silent.minPerHour());
        assertEquals(168, silent.baselineHours());
        assertEquals(Set.of("SYRYM"), silent.keys());
        assertEquals(List.of(silent), rules.matching(FlowDimension.CHECKPOINT, WindowSize.HOUR, "SYRYM"));
        assertEquals(List.of(), rules.matching(FlowDimension.CHECKPOINT, WindowSize.HOUR, "KAIRAK"));
        assertFalse(rules.rule("national-net-outflow-daily").isPresent(), "defaults are replaced, not merged");
    }

    @Test
    void jsonFilesToo() throws Exception {
        Path file = dir.resolve("rules.json");
        Files.writeString(file, """
                {"rules": [{"name": "cp-out", "type": "net-outflow", "severity": "WARNING",
                            "dimension": "CHECKPOINT", "window": "1h", "threshold": 250.5}]}
                """);
        AlertRules rules = AlertRules.load(file, ZoneId.of("Asia/Almaty"));
        assertEquals(250.5, rules.rule("cp-out").orElseThrow().threshold());
    }

    @Test
    void anEmptyListMeansNoAlerts() {
        assertEquals(List.of(), AlertRules.parse("rules: []", false, "none.yaml", ZoneId.of("UTC")).rules());
    }

    static final String GOOD = """
            rules:
              - name: cp-out
                type: net-outflow
                severity: WARNING
                dimension: CHECKPOINT
                window: 1h
                threshold: 300
            """;

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("", "the rule file is empty"),
                Arguments.of("- a\n- b\n", "expected a mapping with the field 'rules'"),
                Arguments.of("rule: []\n", "unknown field 'rule' at the top"),
                Arguments.of("rules: {}\n", "field 'rules' must be a list"),
                Arguments.of("rules:\n  - name: [\n", "not valid YAML at line"),
                Arguments.of("rules:\n  - name: x\n    name: y\n", "not valid YAML"),
                Arguments.of("rules:\n  - 42\n", "rules[0]: expected a mapping"),
                Arguments.of(GOOD.replace("- name: cp-out\n    type:", "- type:"), "rules[0]: field 'name': is missing"),
                Arguments.of(GOOD.replace("cp-out", "cp out"), "rules[0] (cp out): field 'name': must be letters"),
                Arguments.of(GOOD.replace("cp-out", "a|b"), "field 'name'"),
                Arguments.of(GOOD.replace("net-outflow", "netoutflow"),
                        "rules[0] (cp-out): field 'type': unknown type 'netoutflow' (use net-outflow, surge or silent)"),
                Arguments.of(GOOD.replace("WARNING", "LOUD"), "field 'severity': unknown value 'LOUD'"),
                Arguments.of(GOOD.replace("CHECKPOINT", "AIRPORT"), "field 'dimension': unknown value 'AIRPORT'"),
                Arguments.of(GOOD.replace("window: 1h", "window: 2h"), "field 'window': unknown window '2h'"),
                Arguments.of(GOOD.replace("window: 1h", "window: 7d"), "field 'window': unknown window '7d'"),
                Arguments.of(GOOD.replace("threshold: 300", "threshold: lots"), "field 'threshold': must be a number, got 'lots'"),
                Arguments.of(GOOD.replace("threshold: 300", "threshold: -1"), "field 'threshold': must be a number >= 0"),
                Arguments.of(GOOD.replace("    threshold: 300\n", ""), "field 'threshold': is missing"),
                Arguments.of(GOOD.replace("threshold: 300", "treshold: 300"),
                        "rules[0] (cp-out): unknown field 'treshold' for a net-outflow rule (known: name, type,"),
                Arguments.of(GOOD + "    factor: 1.2\n", "unknown field 'factor' for a net-outflow rule"),
                Arguments.of(GOOD + "    keys: {a: b}\n", "field 'keys': must be a list of strings"),
                Arguments.of(GOOD + "    keys: ['']\n", "field 'keys': must not contain an empty key"),
                Arguments.of(GOOD + GOOD.replace("rules:\n", ""), "rules[1] (cp-out): field 'name': 'cp-out' is already used by rules[0]"),
                Arguments.of("""
                        rules:
                          - {name: s, type: surge, severity: INFO, dimension: NATIONAL, window: 1d, factor: 0}
                        """, "rules[0] (s): field 'factor': must be a number > 0"),
                Arguments.of("""
                        rules:
                          - {name: s, type: surge, severity: INFO, dimension: NATIONAL, window: 1d, factor: 1.2, history: 2.5}
                        """, "field 'history': must be a whole number, got '2.5'"),
                Arguments.of("""
                        rules:
                          - {name: s, type: surge, severity: INFO, dimension: NATIONAL, window: 1d, factor: 1.2, history: 0}
                        """, "field 'history': must be between 1 and 1000"),
                Arguments.of("""
                        rules:
                          - {name: q, type: silent, severity: INFO, dimension: CHECKPOINT, window: 1d}
                        """, "rules[0] (q): field 'window': a silent rule looks at 1h windows"),
                Arguments.of("""
                        rules:
                          - {name: q, type: silent, severity: INFO, dimension: CHECKPOINT, window: 1h, hours: 0}
                        """, "field 'hours': must be between 1 and 744"),
                Arguments.of("""
                        rules:
                          - {name: q, type: silent, severity: INFO, dimension: CHECKPOINT, window: 1h, minPerHour: "5"}
                        """, "field 'minPerHour': must be a number, got '5'"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badFiles")
    void badRuleFilesAreOneLineErrorsNamingFileAndField(String text, String expected) throws Exception {
        Path file = dir.resolve("bad-rules.yaml");
        Files.writeString(file, text);
        ConfigException e = assertThrows(ConfigException.class, () -> AlertRules.load(file, ZoneId.of("UTC")));
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertTrue(message.contains(expected), message);
        assertFalse(message.contains("\n"), "one line: " + message);
    }

    @Test
    void badJsonIsNamedAsJson() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{\"rules\": [");
        ConfigException e = assertThrows(ConfigException.class, () -> AlertRules.load(file, ZoneId.of("UTC")));
        assertTrue(e.getMessage().startsWith(file + ": not valid JSON at line 1"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");
        BorderflowConfig config = BorderflowConfig.of(Map.of(AlertRules.RULES_FILE, missing.toString()));
        ConfigException e = assertThrows(ConfigException.class, () -> AlertRules.fromConfig(config));
        assertEquals("alerts.rules.file: rule file not found: " + missing, e.getMessage());
    }

    @Test
    void rulesBuiltInCodeAreCheckedToo() {
        assertThrows(IllegalArgumentException.class, () -> AlertRules.of(ZoneId.of("UTC"), List.of(
                AlertRule.netOutflow("a", Severity.INFO, FlowDimension.NATIONAL, WindowSize.DAY, 1),
                AlertRule.netOutflow("a", Severity.INFO, FlowDimension.NATIONAL, WindowSize.HOUR, 1))));
        assertThrows(IllegalArgumentException.class, () ->
                AlertRule.surge("s", Severity.INFO, FlowDimension.NATIONAL, WindowSize.DAY, Double.NaN, 7, 0));
    }
}
