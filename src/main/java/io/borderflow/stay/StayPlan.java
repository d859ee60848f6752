package io.borderflow.stay;

import java.time.LocalDate;

/**
 * The answer of planning mode: the longest stay allowed for an entry on {@code enter}.
 *
 * @param rule          the version that would govern a stay entered on {@code enter}
 * @param whatIf        true when the version was forced rather than picked by date
 * @param enter         the planned entry day
 * @param windowStart   first day of the 180-day period ending on {@code enter} (cap rules) or
 *                      {@code enter} itself (per-stay-only rule)
 * @param daysUsed      days of the history counted in that period, before the planned entry
 * @param daysRemaining the tightest headroom on the rule's limits before the planned entry, never negative
 * @param overstayDays  overstay days in the history
 * @param maxStayDays   the longest stay (calendar days, entry and exit day included) that stays legal on
 *                      every day; 0 when entering on {@code enter} would already break the rule; null when
 *                      there is no limit (an open permit covers the stay before any limit is reached)
 * @param lastDay       the last day of that longest stay; null when {@code maxStayDays} is 0 or null
 */
public record StayPlan(RuleVersion rule, boolean whatIf, LocalDate enter, LocalDate windowStart, int daysUsed,
                       int daysRemaining, int overstayDays, Integer maxStayDays, LocalDate lastDay) {

    /** No limit is ever reached (an open-ended permit). */
    public boolean unlimited() {
        return maxStayDays == null;
    }
}
