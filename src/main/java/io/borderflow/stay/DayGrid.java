package io.borderflow.stay;

import java.util.List;

/**
 * Presence and permit days over one span of epoch days, with a prefix sum of the counted days (present and
 * not exempt), so that any count over a range of days, a 180-day period or a stay so far, is O(1). Building
 * it is O(span + permit days in the span).
 */
final class DayGrid {
    /** About 270 years: far beyond any real history; keeps a wrong date from allocating gigabytes. */
    static final int MAX_SPAN_DAYS = 100_000;

    private final long base;
    private final int n;
    private final boolean[] present;
    private final boolean[] exempt;
    private int[] prefix;

    DayGrid(long first, long last) {
        long span = last - first + 1;
        if (span > MAX_SPAN_DAYS) {
            throw new IllegalArgumentException("the dates span " + span + " days, more than " + MAX_SPAN_DAYS
                    + " (check the years)");
        }
        this.base = first;
        this.n = (int) span;
        this.present = new boolean[n];
        this.exempt = new boolean[n];
    }

    long first() {
        return base;
    }

    long last() {
        return base + n - 1;
    }

    void markPresent(long from, long to) {
        long a = Math.max(from, base);
        long b = Math.min(to, last());
        for (long d = a; d <= b; d++) {
            present[(int) (d - base)] = true;
        }
    }

    void markPermits(List<PermitPeriod> permits) {
        for (PermitPeriod p : permits) {
            long a = Math.max(p.from().toEpochDay(), base);
            long b = p.to() == null ? last() : Math.min(p.to().toEpochDay(), last());
            for (long d = a; d <= b; d++) {
                exempt[(int) (d - base)] = true;
            }
        }
    }

    /** Computes the prefix sums; call after marking everything. */
    void seal() {
        prefix = new int[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + (present[i] && !exempt[i] ? 1 : 0);
        }
    }

    boolean inside(long day) {
        return day >= base && day <= last();
    }

    boolean present(long day) {
        return inside(day) && present[(int) (day - base)];
    }

    boolean exempt(long day) {
        return inside(day) && exempt[(int) (day - base)];
    }

    /** Present and not under a permit: the day counts. */
    boolean counted(long day) {
        return present(day) && !exempt[(int) (day - base)];
    }

    /** Counted days in [from, to], both inclusive; days outside the grid have no presence. */
    int counted(long from, long to) {
        long a = Math.max(from, base);
        long b = Math.min(to, last());
        if (a > b) {
            return 0;
        }
        return prefix[(int) (b - base) + 1] - prefix[(int) (a - base)];
    }

    /** Counted days in the 180-day period ending on {@code day}, none before {@code countFrom}. */
    int windowCount(long day, long countFrom) {
        return counted(Math.max(day - (RuleVersion.WINDOW_DAYS - 1), countFrom), day);
    }

    /**
     * Whether {@code day} of a stay that began on {@code stayEntry} breaks {@code rule}: the day counts and
     * either the stay's count or the 180-day count (from {@code countFrom}) is over its limit.
     */
    boolean over(long day, long stayEntry, RuleVersion rule, long countFrom) {
        if (!counted(day)) {
            return false;
        }
        if (rule.hasPerStayLimit() && counted(stayEntry, day) > rule.perStayLimit()) {
            return true;
        }
        return rule.hasWindowLimit() && windowCount(day, countFrom) > rule.windowLimit();
    }
}
