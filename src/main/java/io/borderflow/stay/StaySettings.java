package io.borderflow.stay;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The compliance topology's configuration, read from the {@code stay.*} keys (see {@link StayTopology} for the
 * list) and the zone.
 *
 * @param zone           local dates of crossings and midnights are taken in this zone
 * @param eaeu           citizenships (ISO alpha-2, upper case) of the EAEU class; every other is visa-free
 * @param nationals      citizenships the stay rules do not apply to (Kazakh citizens): their crossings are skipped
 * @param forced         a what-if version applied to every traveller, or null for the versions in force
 * @param effectiveDate  the date of the 2023 change
 * @param warningDays    WARNING when present with at most this many days remaining
 * @param dataStart      first day of the data for the exit-without-entry rule; null: the first day this task saw
 * @param cohortHandover how long (stream time) cohort deltas are summed in the task before they go on; zero: each
 *                       on its own
 */
record StaySettings(ZoneId zone, Set<String> eaeu, Set<String> nationals, RuleVersion forced, LocalDate effectiveDate,
                    int warningDays, LocalDate dataStart, Duration cohortHandover) {

    static StaySettings from(BorderflowConfig config) {
        Set<String> eaeu = codes(config.get(StayTopology.EAEU).orElse("RU,BY,AM,KG"));
        Set<String> nationals = codes(config.get(StayTopology.NATIONALS).orElse("KZ"));
        RuleVersion forced = null;
        String f = config.get(StayTopology.RULE_FORCE).orElse("").strip();
        if (!f.isEmpty()) {
            try {
                forced = RuleVersion.fromId(f);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(StayTopology.RULE_FORCE + ": " + e.getMessage());
            }
        }
        LocalDate effective = date(config, StayTopology.EFFECTIVE_DATE, StayRules.DEFAULT_EFFECTIVE_DATE);
        String w = config.get(StayTopology.WARNING_DAYS).orElse("10").strip();
        int warning;
        try {
            warning = Integer.parseInt(w);
        } catch (NumberFormatException e) {
            throw new ConfigException(StayTopology.WARNING_DAYS + " must be a whole number of days, got '" + w + "'");
        }
        if (warning < 0 || warning > 90) {
            throw new ConfigException(StayTopology.WARNING_DAYS + " must be between 0 and 90, got " + warning);
        }
        LocalDate dataStart = date(config, StayTopology.DATA_START, null);
        String h = config.get(StayTopology.COHORT_HANDOVER).orElse("PT1H").strip();
        Duration handover;
        try {
            handover = Duration.parse(h);
        } catch (DateTimeParseException e) {
            throw new ConfigException(StayTopology.COHORT_HANDOVER + " must be an ISO-8601 duration such as PT1H, got '"
                    + h + "'");
        }
        if (handover.isNegative() || handover.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException(StayTopology.COHORT_HANDOVER + " must be between PT0S and P1D, got " + h);
        }
        return new StaySettings(config.zone(), eaeu, nationals, forced, effective, warning, dataStart, handover);
    }

    private static LocalDate date(BorderflowConfig config, String key, LocalDate fallback) {
        String v = config.get(key).orElse("").strip();
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            LocalDate d = LocalDate.parse(v);
            Dates.check(d, key);
            return d;
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new ConfigException(key + " must be a date like 2023-01-27, got '" + v + "'");
        }
    }

    private static Set<String> codes(String list) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : list.split(",")) {
            String c = s.strip().toUpperCase(Locale.ROOT);
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return Set.copyOf(out);
    }

    /** The class for a crossing's citizenship, or null for a national (not subject to stay rules). */
    CitizenshipClass classify(String citizenship) {
        String c = citizenship == null ? "" : citizenship.strip().toUpperCase(Locale.ROOT);
        if (nationals.contains(c)) {
            return null;
        }
        return eaeu.contains(c) ? CitizenshipClass.EAEU : CitizenshipClass.VISA_FREE;
    }

    /** The rules for a class: the version in force by date (with the configured effective date), or the what-if. */
    StayRules rules(CitizenshipClass c) {
        StayRules r = forced != null ? StayRules.whatIf(forced) : StayRules.forCitizenship(c);
        return r.withEffectiveDate(effectiveDate);
    }

    Map<CitizenshipClass, StayCalculator> calculators() {
        Map<CitizenshipClass, StayCalculator> m = new EnumMap<>(CitizenshipClass.class);
        for (CitizenshipClass c : CitizenshipClass.values()) {
            m.put(c, new StayCalculator(rules(c)));
        }
        return m;
    }
}
