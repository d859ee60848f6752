package io.borderflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StayCheckCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String... args) throws Exception {
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertEquals(1, run.out().strip().lines().count(), "one JSON object on one line: " + run.out());
        return MAPPER.readTree(run.out());
    }

    private static List<String> fields(JsonNode n) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    @Test
    void controlJsonHasExactlyTheFieldsAndValues() throws Exception {
        JsonNode n = json("stay-check", "--stay", "2024-01-01/2024-03-15", "--stay", "2024-05-01/", "--on", "2024-06-01", "--json");
        assertEquals(List.of("rule", "on", "windowStart", "daysUsed", "daysRemaining", "overstayDays", "mustLeaveBy", "maxStayDays"),
                fields(n));
        assertEquals("kz-eaeu-2023", n.get("rule").asText());
        assertEquals("2024-06-01", n.get("on").asText());
        assertEquals("2023-12-05", n.get("windowStart").asText());
        assertEquals(75 + 32, n.get("daysUsed").asInt());
        assertEquals(0, n.get("daysRemaining").asInt());
        assertEquals(17, n.get("overstayDays").asInt(), "16 May (day 91) to 1 June");
        assertEquals("2024-05-15", n.get("mustLeaveBy").asText());
        assertTrue(n.get("maxStayDays").isNull());
    }

    @Test
    void controlJsonForALegalStayAndForAnAbsentTraveller() throws Exception {
        JsonNode n = json("stay-check", "--rule", "schengen", "--stay", "2024-01-01/", "--on", "2024-02-01", "--json");
        assertEquals("schengen", n.get("rule").asText());
        assertEquals(32, n.get("daysUsed").asInt());
        assertEquals(58, n.get("daysRemaining").asInt());
        assertEquals(0, n.get("overstayDays").asInt());
        assertEquals("2024-03-30", n.get("mustLeaveBy").asText());

        JsonNode away = json("stay-check", "--stay", "2024-01-01/2024-01-10", "--on", "2024-02-01", "--json");
        assertEquals(10, away.get("daysUsed").asInt());
        assertEquals(80, away.get("daysRemaining").asInt());
        assertTrue(away.get("mustLeaveBy").isNull(), "not in the country");
    }

    @Test
    void planningJsonHasEnterInsteadOfOn() throws Exception {
        JsonNode n = json("stay-check", "--rule", "schengen", "--stay", "2024-01-01/2024-03-30", "--enter", "2024-06-29", "--json");
        assertEquals(List.of("rule", "enter", "windowStart", "daysUsed", "daysRemaining", "overstayDays", "mustLeaveBy", "maxStayDays"),
                fields(n));
        assertEquals("2024-06-29", n.get("enter").asText());
        assertEquals("2024-01-02", n.get("windowStart").asText());
        assertEquals(89, n.get("daysUsed").asInt());
        assertEquals(90, n.get("maxStayDays").asInt());
        assertEquals("2024-09-26", n.get("mustLeaveBy").asText(), "the last day of the longest stay");

        JsonNode day91 = json("stay-check", "--rule", "schengen", "--stay", "2024-01-01/2024-03-30", "--enter", "2024-06-28", "--json");
        assertEquals(0, day91.get("maxStayDays").asInt());
        assertTrue(day91.get("mustLeaveBy").isNull());

        JsonNode permit = json("stay-check", "--stay", "2024-01-01/2024-01-10", "--permit", "2024-02-01/", "--enter", "2024-03-01", "--json");
        assertTrue(permit.get("maxStayDays").isNull(), "no limit under an open permit");
    }

    @Test
    void theTransitionAndTheWhatIf() throws Exception {
        String[] history = {"--stay", "2022-08-01/2022-10-29", "--stay", "2022-11-01/2023-01-29"};
        JsonNode inForce = json(concat(new String[] {"stay-check", "--enter", "2023-02-01", "--json"}, history));
        assertEquals("kz-eaeu-2023", inForce.get("rule").asText());
        assertEquals(3, inForce.get("daysUsed").asInt());
        assertEquals(87, inForce.get("maxStayDays").asInt());
        assertEquals(0, inForce.get("overstayDays").asInt());

        JsonNode whatIf = json(concat(new String[] {"stay-check", "--rule-version", "kz-eaeu-2023", "--enter", "2023-02-01", "--json"}, history));
        assertEquals(0, whatIf.get("maxStayDays").asInt());
        assertEquals(90, whatIf.get("overstayDays").asInt());

        JsonNode straddling = json("stay-check", "--stay", "2022-11-01/", "--on", "2023-01-27", "--json");
        assertEquals("kz-eaeu-2022", straddling.get("rule").asText());
        assertEquals("2022-11-01", straddling.get("windowStart").asText(), "2022 rule: the current stay");
        assertEquals("2023-01-29", straddling.get("mustLeaveBy").asText());

        JsonNode jan26 = json("stay-check", "--stay", "2023-01-26/", "--on", "2023-02-01", "--effective-date", "2023-01-26", "--json");
        assertEquals("kz-eaeu-2023", jan26.get("rule").asText());
        JsonNode jan27 = json("stay-check", "--stay", "2023-01-26/", "--on", "2023-02-01", "--json");
        assertEquals("kz-eaeu-2022", jan27.get("rule").asText());
    }

    @Test
    void humanSummaryIsShort() {
        CliRun run = CliRun.of("stay-check", "--stay", "2024-01-01/2024-03-15", "--stay", "2024-05-01/", "--on", "2024-06-01");
        assertEquals(0, run.exitCode(), run.err());
        long lines = run.out().strip().lines().count();
        assertTrue(lines >= 3 && lines <= 5, run.out());
        assertTrue(run.out().contains("kz-eaeu-2023"), run.out());
        assertTrue(run.out().contains("107 day(s) used in the 180 days 2023-12-05 to 2024-06-01, 0 remaining"), run.out());
        assertTrue(run.out().contains("OVERSTAY") && run.out().contains("17 overstay day(s)"), run.out());
        assertTrue(run.out().contains("should have left by 2024-05-15"), run.out());

        CliRun plan = CliRun.of("stay-check", "--rule", "kz-visa-free", "--stay", "2024-01-01/2024-01-20", "--enter", "2024-02-01");
        assertEquals(0, plan.exitCode(), plan.err());
        long planLines = plan.out().strip().lines().count();
        assertTrue(planLines >= 3 && planLines <= 5, plan.out());
        assertTrue(plan.out().contains("longest stay: 30 day(s), last day 2024-03-01"), plan.out());

        CliRun whatIf = CliRun.of("stay-check", "--rule-version", "kz-eaeu-2023", "--stay", "2022-10-01/", "--on", "2022-10-05");
        assertTrue(whatIf.out().contains("what-if"), whatIf.out());
    }

    @Test
    void helpWorks() {
        CliRun run = CliRun.of("stay-check", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("Usage: borderflow stay-check") && run.out().contains("2023-01-27"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--stay 2024-01-10/2024-01-01 --on 2024-02-01|ends (2024-01-01) before it starts",
            "--stay 2024-01-01/2024-01-10 --stay 2024-01-05/2024-01-20 --on 2024-02-01|stays overlap: 2024-01-01/2024-01-10 and 2024-01-05/2024-01-20",
            "--stay 2024-01-01/ --stay 2024-02-01/2024-02-03 --on 2024-03-01|stays overlap",
            "--stay 2024-01-01/2024-01-10 --on 2024-02-01 --enter 2024-03-01|not both",
            "--stay 2024-01-01/2024-01-10|give --on DATE (control) or --enter DATE (planning)",
            "--stay 2024-13-01/2024-01-10 --on 2024-02-01|'2024-13-01' is not a date",
            "--stay 2024-01-01 --on 2024-02-01|must be FROM/TO or FROM/",
            "--stay 2024-01-01/2024-01-05/2024-01-09 --on 2024-02-01|must be FROM/TO or FROM/",
            "--stay 2024-01-01/ --on 2024-02-31|'2024-02-31' is not a date",
            "--on 2024-02-01 --enter yesterday|'yesterday' is not a date",
            "--permit 2024-03-01/2024-02-01 --on 2024-02-01|permit 2024-03-01/2024-02-01 ends",
            "--permit x/ --on 2024-02-01|--permit 'x/'",
            "--effective-date 26.01.2023 --on 2024-02-01|'26.01.2023' is not a date",
            "--rule eaeu --on 2024-02-01|unknown rule 'eaeu'",
            "--rule-version kz-eaeu-2021 --on 2024-02-01|unknown rule version 'kz-eaeu-2021'",
            "--rule schengen --rule-version kz-eaeu-2023 --on 2024-02-01|not a version of --rule schengen",
            "--stay 2024-01-01/ --enter 2024-02-01|has no exit",
            "--stay 2024-01-01/2024-03-01 --enter 2024-02-01|ends after it",
            "--rule kz-visa-free --stay 2022-10-01/ --on 2022-10-10|no kz-visa-free rule governs a stay entered on 2022-10-01",
            "--stay 2024-01-01/+99999-01-01 --on 2024-02-01|out of range",
            "--on 2024-02-01 --bogus|Unknown option"})
    void badInputIsOneLineAndExitTwo(String spec) {
        String[] parts = spec.split("\\|");
        List<String> args = new ArrayList<>(List.of("stay-check"));
        args.addAll(List.of(parts[0].split(" ")));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, run.exitCode(), args + " -> " + run.err());
        assertEquals(1, run.err().strip().lines().count(), args + " printed more than one line: " + run.err());
        assertTrue(run.err().startsWith("borderflow: "), run.err());
        assertTrue(run.err().contains(parts[1]), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
        assertEquals("", run.out());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
