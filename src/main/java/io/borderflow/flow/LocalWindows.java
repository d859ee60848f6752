package io.borderflow.flow;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Window arithmetic in event time. Hours are UTC hours, which are also local hours in every zone
 * with whole-hour offsets (Asia/Almaty). Days are local calendar days from the zone's rules, so a
 * day can last 23, 24 or 25 hours when the offset changes (Almaty went from UTC+6 to UTC+5 on
 * 1 March 2024); Kafka's epoch-aligned windows cannot express that, hence this class.
 */
public final class LocalWindows {
    public static final long HOUR_MS = 3_600_000L;

    private final ZoneId zone;
    private long cachedStart = Long.MAX_VALUE;
    private long cachedEnd = Long.MIN_VALUE;
    private LocalDate cachedDay;

    public LocalWindows(ZoneId zone) {
        this.zone = zone;
    }

    public static long hourStart(long ms) {
        return Math.floorDiv(ms, HOUR_MS) * HOUR_MS;
    }

    public LocalDate day(long ms) {
        cache(ms);
        return cachedDay;
    }

    public long dayStart(long ms) {
        cache(ms);
        return cachedStart;
    }

    public long dayEnd(long ms) {
        cache(ms);
        return cachedEnd;
    }

    public long startOf(LocalDate day) {
        return day.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    public ZoneId zone() {
        return zone;
    }

    private void cache(long ms) {
        if (ms < cachedStart || ms >= cachedEnd) {
            cachedDay = Instant.ofEpochMilli(ms).atZone(zone).toLocalDate();
            cachedStart = startOf(cachedDay);
            cachedEnd = startOf(cachedDay.plusDays(1));
        }
    }
}
