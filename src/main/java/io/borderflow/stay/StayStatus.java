package io.borderflow.stay;

import java.time.LocalDate;

/**
 * The answer of control mode for day {@code on}, computed from the data up to that day (stays are cut at
 * {@code on}; later stays are ignored; permits are used whenever they are valid).
 *
 * @param rule          the version that decides: the one governing the stay the traveller is in on {@code on},
 *                      or, when absent, the version that would govern an entry that day
 * @param whatIf        true when the version was forced rather than picked by date
 * @param on            the day checked
 * @param present       the traveller is in the country on {@code on}
 * @param exempt        a permit is valid on {@code on}
 * @param stayEntry     entry date of the current stay, null when absent
 * @param stayDays      days of the current stay counted up to {@code on} (permit days excluded), 0 when absent
 * @param windowStart   first day of the 180-day period ending on {@code on} for a rule with a cap; for a
 *                      per-stay-only rule (kz-eaeu-2022) the current stay's entry (null when absent)
 * @param daysUsed      days counted in that period (cap rules), or {@code stayDays} (per-stay-only rule)
 * @param daysRemaining the tightest headroom left on {@code on} over the rule's limits, never negative
 * @param overstayDays  days of presence up to {@code on} on which a count was over its limit (each date once)
 * @param overLimit     {@code on} itself is such a day (the traveller is overstaying)
 * @param mustLeaveBy   the last legal day if the traveller stays on continuously from {@code on} (before
 *                      {@code on} when already overstaying: the last legal day before the current run of
 *                      overstay days); null when absent, exempt, or when no limit is ever reached (an open
 *                      permit starts before it)
 */
public record StayStatus(RuleVersion rule, boolean whatIf, LocalDate on, boolean present, boolean exempt,
                         LocalDate stayEntry, int stayDays, LocalDate windowStart, int daysUsed, int daysRemaining,
                         int overstayDays, boolean overLimit, LocalDate mustLeaveBy) {
}
