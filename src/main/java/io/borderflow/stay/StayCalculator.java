package io.borderflow.stay;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The stay-rules engine: control mode ({@link #control}: where does the traveller stand on a day) and
 * planning mode ({@link #plan}: how long may the traveller stay if entering on a day).
 *
 * <h2>Counting (Schengen convention, Regulation (EU) 2016/399, Art. 6)</h2>
 * <ul>
 * <li>For day D the 180-day period is D and the 179 days before it; the count is the calendar days of
 * presence in it. Entry and exit days both count; a same-day entry and exit is one day; a date touched by
 * two stays (exit and re-entry the same day) counts once.</li>
 * <li>Days under a permit ({@link PermitPeriod}) do not count, for the 180-day cap nor for a per-stay limit
 * (the per-stay count pauses during a permit and goes on after it).</li>
 * <li>A day is an overstay day when it counts and, for the rule governing its stay, the stay's count up to
 * that day is over the per-stay limit or the 180-day count is over the cap. A date touched by two stays
 * is one overstay day if either stay is over on it.</li>
 * <li>Which version governs which stay, and from which date the cap counts, is {@link StayRules}' job (the
 * 2023 transition is documented there).</li>
 * </ul>
 * Cost: O(span of days) per call (one boolean array and one prefix sum over the history up to the day, plus
 * up to 91 days after the last permit boundary for the projection), never O(days * 180).
 * Instances are immutable and thread-safe.
 */
public final class StayCalculator {
    /** Enough counted days of continuous presence to break any rule (every limit is at most 90). */
    private static final int PROJECTION_DAYS = 91;

    private final StayRules rules;

    public StayCalculator(StayRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    /** The Kazakh rules in force for a citizenship class, default effective date. */
    public static StayCalculator forCitizenship(CitizenshipClass citizenship) {
        return new StayCalculator(StayRules.forCitizenship(citizenship));
    }

    public StayRules rules() {
        return rules;
    }

    /**
     * Control mode: the traveller's standing on {@code on}, from the stays up to that day (a stay ending
     * later is cut at {@code on}; stays beginning later are ignored).
     *
     * @throws NoRuleInForceException when the family has no version for the current stay (or for an entry
     *                                on {@code on} when absent)
     */
    public StayStatus control(TravelHistory history, LocalDate on) {
        Dates.check(on, "date");
        long d = on.toEpochDay();
        List<Stay> relevant = new ArrayList<>();
        for (Stay s : history.stays()) {
            if (!s.entry().isAfter(on)) {
                relevant.add(s);
            }
        }
        Stay current = relevant.isEmpty() || !relevant.get(relevant.size() - 1).covers(on) ? null
                : relevant.get(relevant.size() - 1);
        RuleVersion rule = current != null ? rules.requireVersionFor(current.entry(), "a stay entered on")
                : rules.requireVersionFor(on, "an entry on");
        long countFrom = rules.countFromEpochDay(rule);
        boolean exempt = history.permits().stream().anyMatch(p -> p.covers(on));
        boolean project = current != null && !exempt;

        long first = relevant.isEmpty() ? d : Math.min(relevant.get(0).entry().toEpochDay(), d);
        long last = project ? Math.max(d, permitBoundary(history.permits())) + PROJECTION_DAYS : d;
        DayGrid grid = new DayGrid(first, last);
        for (Stay s : relevant) {
            grid.markPresent(s.entry().toEpochDay(), lastDay(s, d));
        }
        if (project) {
            grid.markPresent(d + 1, last);
        }
        grid.markPermits(history.permits());
        grid.seal();

        boolean[] over = judgeHistory(grid, relevant, first, d);
        int overstayDays = count(over);

        long entry = current == null ? 0 : current.entry().toEpochDay();
        int stayDays = current == null ? 0 : grid.counted(entry, d);
        LocalDate windowStart;
        int daysUsed;
        if (rule.hasWindowLimit()) {
            windowStart = on.minusDays(RuleVersion.WINDOW_DAYS - 1);
            daysUsed = grid.windowCount(d, countFrom);
        } else {
            windowStart = current == null ? null : current.entry();
            daysUsed = stayDays;
        }
        int remaining = headroom(rule, stayDays, rule.hasWindowLimit() ? grid.windowCount(d, countFrom) : 0);

        boolean overLimit = current != null && grid.over(d, entry, rule, countFrom);
        LocalDate mustLeaveBy = null;
        if (project) {
            if (overLimit) {
                long day = d;
                while (day >= first && over[(int) (day - first)]) {
                    day--;
                }
                mustLeaveBy = LocalDate.ofEpochDay(day);
            } else {
                for (long day = d + 1; day <= last; day++) {
                    if (grid.over(day, entry, rule, countFrom)) {
                        mustLeaveBy = LocalDate.ofEpochDay(day - 1);
                        break;
                    }
                }
            }
        }
        return new StayStatus(rule, rules.isWhatIf(), on, current != null, exempt,
                current == null ? null : current.entry(), stayDays, windowStart, daysUsed, remaining,
                overstayDays, overLimit, mustLeaveBy);
    }

    /** Control mode for a citizenship class with the rules in force (default effective date). */
    public static StayStatus control(CitizenshipClass citizenship, TravelHistory history, LocalDate on) {
        return forCitizenship(citizenship).control(history, on);
    }

    /**
     * Planning mode: the longest stay allowed when entering on {@code enter}, after the given history. The
     * history must be closed (no open stay) and end on or before {@code enter} (an exit on {@code enter}
     * touches the new stay: that date counts once).
     *
     * @throws NoRuleInForceException when the family has no version for an entry on {@code enter}
     */
    public StayPlan plan(TravelHistory history, LocalDate enter) {
        Dates.check(enter, "entry date");
        Optional<Stay> open = history.openStay();
        if (open.isPresent()) {
            throw new IllegalArgumentException("cannot plan an entry on " + enter + ": stay " + open.get()
                    + " has no exit (the traveller is still in the country)");
        }
        for (Stay s : history.stays()) {
            if (s.exit().isAfter(enter)) {
                throw new IllegalArgumentException("cannot plan an entry on " + enter + ": stay " + s + " ends after it");
            }
        }
        RuleVersion rule = rules.requireVersionFor(enter, "an entry on");
        long countFrom = rules.countFromEpochDay(rule);
        long e = enter.toEpochDay();
        List<Stay> stays = history.stays();
        long first = stays.isEmpty() ? e : Math.min(stays.get(0).entry().toEpochDay(), e);
        long last = Math.max(e, permitBoundary(history.permits())) + PROJECTION_DAYS;
        DayGrid grid = new DayGrid(first, last);
        for (Stay s : stays) {
            grid.markPresent(s.entry().toEpochDay(), s.exit().toEpochDay());
        }
        grid.markPresent(e, last);
        grid.markPermits(history.permits());
        grid.seal();

        int overstayDays = count(judgeHistory(grid, stays, first, e));
        boolean historyOnEntryDay = !stays.isEmpty() && stays.get(stays.size() - 1).exit().equals(enter);
        LocalDate windowStart;
        int daysUsed;
        if (rule.hasWindowLimit()) {
            windowStart = enter.minusDays(RuleVersion.WINDOW_DAYS - 1);
            daysUsed = grid.counted(Math.max(e - (RuleVersion.WINDOW_DAYS - 1), countFrom), e - 1)
                    + (historyOnEntryDay && e >= countFrom && grid.counted(e) ? 1 : 0);
        } else {
            windowStart = enter;
            daysUsed = 0;
        }
        int remaining = headroom(rule, 0, daysUsed);
        Integer maxStay = null;
        for (long day = e; day <= last; day++) {
            if (grid.over(day, e, rule, countFrom)) {
                maxStay = (int) (day - e);
                break;
            }
        }
        LocalDate lastDay = maxStay == null || maxStay == 0 ? null : enter.plusDays(maxStay - 1);
        return new StayPlan(rule, rules.isWhatIf(), enter, windowStart, daysUsed, remaining, overstayDays, maxStay, lastDay);
    }

    /** Planning mode for a citizenship class with the rules in force (default effective date). */
    public static StayPlan plan(CitizenshipClass citizenship, TravelHistory history, LocalDate enter) {
        return forCitizenship(citizenship).plan(history, enter);
    }

    /** Marks the overstay days of the given stays up to {@code upTo}; index 0 is {@code first}. */
    private boolean[] judgeHistory(DayGrid grid, List<Stay> stays, long first, long upTo) {
        boolean[] over = new boolean[(int) (upTo - first + 1)];
        for (Stay s : stays) {
            Optional<RuleVersion> v = rules.versionFor(s.entry());
            if (v.isEmpty()) {
                continue; // no rule governed this stay (e.g. kz-visa-free before 2023): nothing to break
            }
            long cf = rules.countFromEpochDay(v.get());
            long entry = s.entry().toEpochDay();
            long end = Math.min(lastDay(s, upTo), upTo);
            for (long day = entry; day <= end; day++) {
                if (grid.over(day, entry, v.get(), cf)) {
                    over[(int) (day - first)] = true;
                }
            }
        }
        return over;
    }

    private static int headroom(RuleVersion rule, int stayDays, int windowDays) {
        int h = Integer.MAX_VALUE;
        if (rule.hasPerStayLimit()) {
            h = Math.min(h, rule.perStayLimit() - stayDays);
        }
        if (rule.hasWindowLimit()) {
            h = Math.min(h, rule.windowLimit() - windowDays);
        }
        return Math.max(0, h);
    }

    private static long lastDay(Stay s, long cut) {
        return s.exit() == null ? cut : Math.min(s.exit().toEpochDay(), cut);
    }

    /** The latest date where a permit starts or ends (after it, exemption no longer changes). */
    private static long permitBoundary(List<PermitPeriod> permits) {
        long b = Long.MIN_VALUE;
        for (PermitPeriod p : permits) {
            b = Math.max(b, (p.to() == null ? p.from() : p.to()).toEpochDay());
        }
        return b;
    }

    private static int count(boolean[] flags) {
        int c = 0;
        for (boolean f : flags) {
            if (f) {
                c++;
            }
        }
        return c;
    }
}
