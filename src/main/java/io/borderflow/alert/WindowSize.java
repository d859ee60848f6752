package io.borderflow.alert;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * The window sizes alert rules look at, and how their windows are numbered: a window's
 * <em>slot</em> is its index on a line of consecutive windows, so "the previous N windows" and
 * "the next window" are plain arithmetic even when a local day is 23 or 25 hours long.
 */
public enum WindowSize {
    /** Tumbling hours (epoch-aligned; the configured zone has whole-hour offsets). */
    HOUR("1h"),
    /** Local calendar days in the configured zone. */
    DAY("1d");

    private static final long HOUR_MS = 3_600_000L;

    private final String id;

    WindowSize(String id) {
        this.id = id;
    }

    /** As written in rule files and in {@code NetFlowWindow.window}: {@code 1h}, {@code 1d}. */
    public String id() {
        return id;
    }

    /** The size with this id, or null (e.g. {@code 7d}, which no rule looks at). */
    public static WindowSize fromId(String id) {
        for (WindowSize s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        return null;
    }

    /**
     * The slot of the window [start, end). Taken at the window's midpoint, so a day window whose
     * bounds are off by an hour (an offset change) still lands on its own local date.
     */
    public long slotOf(Instant start, Instant end, ZoneId zone) {
        long mid = start.toEpochMilli() + Math.max(0, end.toEpochMilli() - start.toEpochMilli()) / 2;
        return switch (this) {
            case HOUR -> Math.floorDiv(start.toEpochMilli(), HOUR_MS);
            case DAY -> LocalDate.ofInstant(Instant.ofEpochMilli(mid), zone).toEpochDay();
        };
    }

    /** Start of the window in {@code slot}. */
    public Instant start(long slot, ZoneId zone) {
        return switch (this) {
            case HOUR -> Instant.ofEpochMilli(slot * HOUR_MS);
            case DAY -> LocalDate.ofEpochDay(slot).atStartOfDay(zone).toInstant();
        };
    }

    /** End (exclusive) of the window in {@code slot}: the start of the next. */
    public Instant end(long slot, ZoneId zone) {
        return start(slot + 1, zone);
    }

    @Override
    public String toString() {
        return id;
    }
}
