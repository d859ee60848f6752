package io.borderflow.flow;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;

/**
 * The net-flow topology's settings, read from the {@code flow.*} configuration keys.
 *
 * @param hourGrace         how long after its end an hourly window still takes records
 * @param dayGrace          the same for local days (and the 7-day windows built from them)
 * @param dedupeHorizon     how long an eventId is remembered to drop re-sent duplicates
 * @param correctionsKept   how long closed windows are kept so late records can restate them
 * @param liveInterval      how often running counts go to the live topic (wall clock)
 */
public record FlowSettings(ZoneId zone, Duration hourGrace, Duration dayGrace, Duration dedupeHorizon,
                           Duration correctionsKept, Duration liveInterval) {
    public static final String HOUR_GRACE = "flow.grace.1h";
    public static final String DAY_GRACE = "flow.grace.1d";
    public static final String DEDUPE_HORIZON = "flow.dedupe.horizon";
    public static final String CORRECTIONS_KEPT = "flow.corrections.retention";
    public static final String LIVE_INTERVAL = "flow.live.interval";

    public static FlowSettings from(BorderflowConfig config) {
        return new FlowSettings(config.zone(),
                duration(config, HOUR_GRACE, "PT15M"),
                duration(config, DAY_GRACE, "PT2H"),
                duration(config, DEDUPE_HORIZON, "P7D"),
                duration(config, CORRECTIONS_KEPT, "P30D"),
                duration(config, LIVE_INTERVAL, "PT2S"));
    }

    private static Duration duration(BorderflowConfig config, String key, String fallback) {
        String v = config.get(key).orElse(fallback);
        try {
            Duration d = Duration.parse(v);
            if (d.isNegative()) {
                throw new ConfigException(key + " must not be negative, got " + v);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new ConfigException(key + " must be an ISO-8601 duration such as PT15M or P1D, got '" + v + "'");
        }
    }
}
