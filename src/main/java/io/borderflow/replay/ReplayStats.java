package io.borderflow.replay;

import java.util.Locale;

/** What a replay did: events by type and how fast. */
public record ReplayStats(long crossings, long registrations, long iinApplications, double seconds) {
    public long events() {
        return crossings + registrations + iinApplications;
    }

    public double eventsPerSecond() {
        return seconds > 0 ? events() / seconds : 0;
    }

    public String summary() {
        return String.format(Locale.ROOT,
                "%,d events (%,d crossings, %,d registrations, %,d IIN events) in %.1f s: %,.0f events/s",
                events(), crossings, registrations, iinApplications, seconds, eventsPerSecond());
    }
}
