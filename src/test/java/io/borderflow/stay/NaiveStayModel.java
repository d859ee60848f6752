package io.borderflow.stay;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deliberately naive, day-by-day implementation of the stay rules, written from the definitions and
 * sharing no code with the engine: presence is found by scanning the stays, every 180-day count loops over
 * 180 days, every per-stay count loops from the entry day. Slow on purpose; only tests use it.
 */
final class NaiveStayModel {
    private static final int FAR = 3_000;

    private final RuleFamily family;
    private final RuleVersion forced;
    private final LocalDate effective;
    private final boolean strictCounting;

    NaiveStayModel(RuleFamily family, RuleVersion forced, LocalDate effective, boolean strictCounting) {
        this.family = family;
        this.forced = forced;
        this.effective = effective;
        this.strictCounting = strictCounting;
    }

    static NaiveStayModel of(StayRules rules) {
        return new NaiveStayModel(rules.family(), rules.forcedVersion().orElse(null), rules.effectiveDate(),
                rules.countsDaysBeforeEffectiveDate());
    }

    /** The version governing a stay entered that day; null when none. */
    RuleVersion version(LocalDate entry) {
        if (forced != null) {
            return forced;
        }
        boolean after = !entry.isBefore(effective);
        switch (family) {
            case SCHENGEN:
                return RuleVersion.SCHENGEN;
            case KZ_EAEU:
                return after ? RuleVersion.KZ_EAEU_2023 : RuleVersion.KZ_EAEU_2022;
            default:
                return after ? RuleVersion.KZ_VISA_FREE_2023 : null;
        }
    }

    /** First date counted towards the cap; null when all dates count. */
    LocalDate countStart(RuleVersion v) {
        if (forced != null || strictCounting) {
            return null;
        }
        return v == RuleVersion.KZ_EAEU_2023 || v == RuleVersion.KZ_VISA_FREE_2023 ? effective : null;
    }

    /** One evaluation over a fixed list of stays (already cut/extended) and permits. */
    private final class World {
        final List<Stay> stays;
        final List<PermitPeriod> permits;
        final Map<LocalDate, Boolean> memo = new HashMap<>();

        World(List<Stay> stays, List<PermitPeriod> permits) {
            this.stays = stays;
            this.permits = permits;
        }

        boolean present(LocalDate x) {
            for (Stay s : stays) {
                if (!x.isBefore(s.entry()) && (s.exit() == null || !x.isAfter(s.exit()))) {
                    return true;
                }
            }
            return false;
        }

        boolean exempt(LocalDate x) {
            for (PermitPeriod p : permits) {
                if (!x.isBefore(p.from()) && (p.to() == null || !x.isAfter(p.to()))) {
                    return true;
                }
            }
            return false;
        }

        boolean counts(LocalDate x) {
            return memo.computeIfAbsent(x, y -> present(y) && !exempt(y));
        }

        int window(LocalDate x, LocalDate from) {
            int c = 0;
            for (int k = 0; k < 180; k++) {
                LocalDate y = x.minusDays(k);
                if ((from == null || !y.isBefore(from)) && counts(y)) {
                    c++;
                }
            }
            return c;
        }

        int stayCount(Stay s, LocalDate x) {
            int c = 0;
            for (LocalDate y = s.entry(); !y.isAfter(x); y = y.plusDays(1)) {
                if (counts(y)) {
                    c++;
                }
            }
            return c;
        }

        boolean over(Stay s, LocalDate x, RuleVersion v) {
            if (v == null || !counts(x)) {
                return false;
            }
            if (v.perStayLimit() > 0 && stayCount(s, x) > v.perStayLimit()) {
                return true;
            }
            return v.windowLimit() > 0 && window(x, countStart(v)) > v.windowLimit();
        }

        /** Over for any stay covering x. */
        boolean overAny(LocalDate x) {
            for (Stay s : stays) {
                if (s.covers(x) && over(s, x, version(s.entry()))) {
                    return true;
                }
            }
            return false;
        }

        int overstayDays(LocalDate upTo, List<Stay> judged) {
            Set<LocalDate> days = new HashSet<>();
            for (Stay s : judged) {
                RuleVersion v = version(s.entry());
                for (LocalDate x = s.entry(); !x.isAfter(upTo) && (s.exit() == null || !x.isAfter(s.exit())); x = x.plusDays(1)) {
                    if (over(s, x, v)) {
                        days.add(x);
                    }
                }
            }
            return days.size();
        }
    }

    /** Control mode; null rule → throws like the engine. */
    StayStatus control(List<Stay> stays, List<PermitPeriod> permits, LocalDate on) {
        List<Stay> cut = new ArrayList<>();
        Stay current = null;
        for (Stay s : stays) {
            if (s.entry().isAfter(on)) {
                continue;
            }
            if (s.covers(on)) {
                current = s; // the later of two touching stays wins: stays come sorted
            }
        }
        for (Stay s : stays) {
            if (s.entry().isAfter(on)) {
                continue;
            }
            if (s == current) {
                cut.add(Stay.open(s.entry())); // the traveller stays on from `on`
            } else {
                cut.add(new Stay(s.entry(), s.exit() == null || s.exit().isAfter(on) ? on : s.exit()));
            }
        }
        Stay cur = current == null ? null : Stay.open(current.entry());
        RuleVersion rule = version(current != null ? current.entry() : on);
        if (rule == null) {
            throw new NoRuleInForceException("naive: no rule");
        }
        World w = new World(cut, permits);
        List<Stay> judged = new ArrayList<>();
        for (Stay s : cut) {
            judged.add(s.isOpen() ? new Stay(s.entry(), on) : s);
        }
        int overstay = w.overstayDays(on, judged);
        boolean exempt = w.exempt(on);
        int stayDays = cur == null ? 0 : w.stayCount(cur, on);
        int windowDays = w.window(on, countStart(rule));
        LocalDate windowStart = rule.windowLimit() > 0 ? on.minusDays(179) : (cur == null ? null : cur.entry());
        int used = rule.windowLimit() > 0 ? windowDays : stayDays;
        int remaining = Integer.MAX_VALUE;
        if (rule.perStayLimit() > 0) {
            remaining = Math.min(remaining, rule.perStayLimit() - stayDays);
        }
        if (rule.windowLimit() > 0) {
            remaining = Math.min(remaining, rule.windowLimit() - windowDays);
        }
        remaining = Math.max(0, remaining);
        boolean overLimit = cur != null && w.over(cur, on, rule);
        LocalDate mustLeave = null;
        if (cur != null && !exempt) {
            if (overLimit) {
                LocalDate y = on;
                while (w.overAny(y)) {
                    y = y.minusDays(1);
                }
                mustLeave = y;
            } else {
                for (int k = 1; k < FAR; k++) {
                    if (w.over(cur, on.plusDays(k), rule)) {
                        mustLeave = on.plusDays(k - 1);
                        break;
                    }
                }
            }
        }
        return new StayStatus(rule, forced != null, on, cur != null, exempt, cur == null ? null : cur.entry(), stayDays,
                windowStart, used, remaining, overstay, overLimit, mustLeave);
    }

    StayPlan plan(List<Stay> stays, List<PermitPeriod> permits, LocalDate enter) {
        RuleVersion rule = version(enter);
        if (rule == null) {
            throw new NoRuleInForceException("naive: no rule");
        }
        World history = new World(stays, permits);
        int overstay = history.overstayDays(enter, stays);
        int used = rule.windowLimit() > 0 ? history.window(enter, countStart(rule)) : 0;
        int remaining = Integer.MAX_VALUE;
        if (rule.perStayLimit() > 0) {
            remaining = Math.min(remaining, rule.perStayLimit());
        }
        if (rule.windowLimit() > 0) {
            remaining = Math.min(remaining, rule.windowLimit() - used);
        }
        remaining = Math.max(0, remaining);
        List<Stay> all = new ArrayList<>(stays);
        Stay planned = Stay.open(enter);
        all.add(planned);
        World w = new World(all, permits);
        Integer max = null;
        for (int k = 0; k < FAR; k++) {
            if (w.over(planned, enter.plusDays(k), rule)) {
                max = k;
                break;
            }
        }
        return new StayPlan(rule, forced != null, enter, rule.windowLimit() > 0 ? enter.minusDays(179) : enter, used,
                remaining, overstay, max, max == null || max == 0 ? null : enter.plusDays(max - 1));
    }
}
