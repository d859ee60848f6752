package io.borderflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.stay.PermitPeriod;
import io.borderflow.stay.RuleFamily;
import io.borderflow.stay.RuleVersion;
import io.borderflow.stay.Stay;
import io.borderflow.stay.StayCalculator;
import io.borderflow.stay.StayPlan;
import io.borderflow.stay.StayRules;
import io.borderflow.stay.StayStatus;
import io.borderflow.stay.TravelHistory;
import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The stay-rules engine as a command, used the way the EU short-stay calculator is. */
@Command(name = "stay-check", mixinStandardHelpOptions = true,
        description = {"Check a traveller's stays against a stay rule: days used on a date (--on),",
                "or the longest stay allowed for a planned entry (--enter)."},
        footer = {"", "Examples:",
                "  borderflow stay-check --stay 2024-01-01/2024-03-15 --stay 2024-05-01/ --on 2024-06-01",
                "  borderflow stay-check --rule schengen --stay 2024-01-01/2024-03-30 --enter 2024-06-29 --json",
                "  borderflow stay-check --rule-version kz-eaeu-2023 --stay 2022-10-01/2022-12-29 --enter 2023-01-02"})
public final class StayCheckCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--stay", paramLabel = "ENTRY/EXIT",
            description = "A stay, entry and exit day included (repeatable); ENTRY/ for a stay still going on.")
    List<String> stays = new ArrayList<>();

    @Option(names = "--permit", paramLabel = "FROM/TO",
            description = "A residence-permit period whose days do not count (repeatable); FROM/ when open-ended.")
    List<String> permits = new ArrayList<>();

    @Option(names = "--rule", paramLabel = "schengen|kz-eaeu|kz-visa-free",
            description = "Rule family; the version in force is picked by date (default: kz-eaeu).")
    String rule;

    @Option(names = "--rule-version", paramLabel = "VERSION",
            description = "What-if: apply this version whatever the dates (kz-eaeu-2022, kz-eaeu-2023, kz-visa-free-2023, schengen).")
    String ruleVersion;

    @Option(names = "--effective-date", paramLabel = "DATE",
            description = "Date the 2023 Kazakh rules took effect (default: ${DEFAULT-VALUE}).")
    LocalDate effectiveDate = StayRules.DEFAULT_EFFECTIVE_DATE;

    @Option(names = "--on", paramLabel = "DATE", description = "Control: the traveller's standing on this day.")
    LocalDate on;

    @Option(names = "--enter", paramLabel = "DATE", description = "Planning: the longest stay for an entry on this day.")
    LocalDate enter;

    @Option(names = "--json", description = "Print one JSON object instead of the summary.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if ((on == null) == (enter == null)) {
            throw new IllegalArgumentException(on == null ? "give --on DATE (control) or --enter DATE (planning)"
                    : "give either --on or --enter, not both");
        }
        List<Stay> stayList = new ArrayList<>();
        for (String s : stays) {
            LocalDate[] r = range("--stay", s);
            stayList.add(new Stay(r[0], r[1]));
        }
        List<PermitPeriod> permitList = new ArrayList<>();
        for (String p : permits) {
            LocalDate[] r = range("--permit", p);
            permitList.add(new PermitPeriod(r[0], r[1]));
        }
        TravelHistory history = TravelHistory.of(stayList, permitList);
        StayCalculator calculator = new StayCalculator(rules());
        PrintStream out = System.out;
        if (on != null) {
            StayStatus s = calculator.control(history, on);
            out.println(json ? JSON.writeValueAsString(json(s)) : summary(s));
        } else {
            StayPlan p = calculator.plan(history, enter);
            out.println(json ? JSON.writeValueAsString(json(p)) : summary(p));
        }
        return 0;
    }

    StayRules rules() {
        RuleFamily family = rule == null ? null : RuleFamily.fromId(rule);
        StayRules rules;
        if (ruleVersion != null) {
            RuleVersion v = RuleVersion.fromId(ruleVersion);
            if (family != null && v.family() != family) {
                throw new IllegalArgumentException("--rule-version " + v.id() + " is not a version of --rule " + family.id());
            }
            rules = StayRules.whatIf(v);
        } else {
            rules = StayRules.inForce(family == null ? RuleFamily.KZ_EAEU : family);
        }
        return rules.withEffectiveDate(effectiveDate);
    }

    /** "FROM/TO" or "FROM/" (open); the second date is null when open. */
    static LocalDate[] range(String option, String value) {
        String v = value.strip();
        int slash = v.indexOf('/');
        if (slash < 0 || v.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException(option + " '" + value + "' must be FROM/TO or FROM/ (dates YYYY-MM-DD)");
        }
        LocalDate from = date(option, value, v.substring(0, slash));
        String to = v.substring(slash + 1).strip();
        return new LocalDate[] {from, to.isEmpty() ? null : date(option, value, to)};
    }

    private static LocalDate date(String option, String value, String s) {
        try {
            return LocalDate.parse(s.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " '" + value + "': '" + s + "' is not a date (YYYY-MM-DD)");
        }
    }

    static Map<String, Object> json(StayStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", s.rule().id());
        m.put("on", s.on().toString());
        m.put("windowStart", str(s.windowStart()));
        m.put("daysUsed", s.daysUsed());
        m.put("daysRemaining", s.daysRemaining());
        m.put("overstayDays", s.overstayDays());
        m.put("mustLeaveBy", str(s.mustLeaveBy()));
        m.put("maxStayDays", null);
        return m;
    }

    static Map<String, Object> json(StayPlan p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", p.rule().id());
        m.put("enter", p.enter().toString());
        m.put("windowStart", str(p.windowStart()));
        m.put("daysUsed", p.daysUsed());
        m.put("daysRemaining", p.daysRemaining());
        m.put("overstayDays", p.overstayDays());
        m.put("mustLeaveBy", str(p.lastDay()));
        m.put("maxStayDays", p.maxStayDays());
        return m;
    }

    private static String str(LocalDate d) {
        return d == null ? null : d.toString();
    }

    private static String ruleLine(RuleVersion rule, boolean whatIf, String mode, LocalDate day) {
        return "rule " + rule.id() + (whatIf ? " (what-if: forced whatever the dates)" : " (in force)") + ", " + mode + " " + day;
    }

    private static String used(RuleVersion rule, LocalDate windowStart, LocalDate end, int used, int remaining) {
        String period = rule.hasWindowLimit() ? "in the 180 days " + windowStart + " to " + end
                : windowStart == null ? "in the current stay (none)" : "in the stay since " + windowStart;
        return used + " day(s) used " + period + ", " + remaining + " remaining";
    }

    static String summary(StayStatus s) {
        StringBuilder b = new StringBuilder(ruleLine(s.rule(), s.whatIf(), "control on", s.on())).append('\n');
        b.append(s.present() ? "in the country since " + s.stayEntry() + " (day " + s.stayDays() + " of this stay)"
                : "not in the country on " + s.on());
        if (s.exempt()) {
            b.append("; residence permit valid: days do not count");
        }
        b.append('\n').append(used(s.rule(), s.windowStart(), s.on(), s.daysUsed(), s.daysRemaining())).append('\n');
        b.append(s.overLimit() ? "OVERSTAY: over the limit on " + s.on() + ", " + s.overstayDays() + " overstay day(s) so far"
                : s.overstayDays() == 0 ? "no overstay" : s.overstayDays() + " overstay day(s) in the past");
        if (s.present() && !s.exempt()) {
            b.append(s.mustLeaveBy() == null ? "; no limit reached (permit ahead)"
                    : s.overLimit() ? "; should have left by " + s.mustLeaveBy() : "; must leave by " + s.mustLeaveBy());
        }
        return b.toString();
    }

    static String summary(StayPlan p) {
        StringBuilder b = new StringBuilder(ruleLine(p.rule(), p.whatIf(), "planned entry on", p.enter())).append('\n');
        b.append(used(p.rule(), p.windowStart(), p.enter(), p.daysUsed(), p.daysRemaining())).append(" before entering");
        if (p.overstayDays() > 0) {
            b.append(" (").append(p.overstayDays()).append(" overstay day(s) in the history)");
        }
        b.append('\n');
        if (p.unlimited()) {
            b.append("longest stay: no limit (a residence permit covers it)");
        } else if (p.maxStayDays() == 0) {
            b.append("longest stay: 0 days: entering on ").append(p.enter()).append(" would already break the rule");
        } else {
            b.append("longest stay: ").append(p.maxStayDays()).append(" day(s), last day ").append(p.lastDay());
        }
        return b.toString();
    }
}
