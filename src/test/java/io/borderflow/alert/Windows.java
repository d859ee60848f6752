package io.borderflow.alert;

import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** Builds final net-flow windows for tests. */
final class Windows {
    static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    static final long HOUR_MS = 3_600_000L;

    private Windows() {
    }

    static NetFlowWindow window(FlowDimension dimension, String key, String size, Instant start, Instant end,
                                long entries, long exits) {
        return NetFlowWindow.newBuilder()
                .setDimension(dimension)
                .setKey(key)
                .setWindow(size)
                .setWindowStart(start)
                .setWindowEnd(end)
                .setEntries(entries)
                .setExits(exits)
                .setNet(entries - exits)
                .setFinal$(true)
                .setRevision(0)
                .build();
    }

    /** The local day {@code date} in Asia/Almaty. */
    static NetFlowWindow day(FlowDimension dimension, String key, LocalDate date, long entries, long exits) {
        return window(dimension, key, "1d", dayStart(date), dayStart(date.plusDays(1)), entries, exits);
    }

    static NetFlowWindow national(LocalDate date, long entries, long exits) {
        return day(FlowDimension.NATIONAL, "KZ", date, entries, exits);
    }

    /** The hour starting {@code hoursAfter} hours after {@code origin}. */
    static NetFlowWindow hour(FlowDimension dimension, String key, Instant origin, long hoursAfter, long entries,
                              long exits) {
        Instant start = origin.plusMillis(hoursAfter * HOUR_MS);
        return window(dimension, key, "1h", start, start.plusMillis(HOUR_MS), entries, exits);
    }

    static NetFlowWindow checkpointHour(String key, Instant origin, long hoursAfter, long entries, long exits) {
        return hour(FlowDimension.CHECKPOINT, key, origin, hoursAfter, entries, exits);
    }

    static Instant dayStart(LocalDate date) {
        return date.atStartOfDay(ALMATY).toInstant();
    }
}
