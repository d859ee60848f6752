package io.borderflow.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * borderflow's domain metrics (names and labels in docs/metrics.md). Processors record here; the
 * meters live in Micrometer's global registry, to which the app adds its Prometheus registry (and a
 * test a {@code SimpleMeterRegistry}). Labels are of low cardinality only: never a traveller id.
 *
 * <p>Micrometer names use dots; the Prometheus registry turns {@code border.crossings} (a counter)
 * into {@code border_crossings_total} and {@code border.event.time} (base unit seconds) into
 * {@code border_event_time_seconds}.
 */
public final class BorderMetrics {
    private static final BorderMetrics GLOBAL = new BorderMetrics(Metrics.globalRegistry);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    BorderMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The metrics every processor of this JVM records to. */
    public static BorderMetrics global() {
        return GLOBAL;
    }

    public MeterRegistry registry() {
        return registry;
    }

    // --- counters ---------------------------------------------------------------------------

    /** One crossing counted by the net-flow stage (after dedupe). */
    public void crossing(String direction, String checkpoint) {
        counter("border.crossings", "crossings counted, after duplicates are removed",
                Tags.of("direction", lower(direction), "checkpoint", checkpoint)).increment();
    }

    /** A record older than its window's grace: sent to the late-events topic and restated. */
    public void late(String window, String stage) {
        counter("border.late.records", "records that arrived after their window closed",
                Tags.of("window", window, "stage", stage)).increment();
    }

    /** A record seen before (same event id within the horizon): counted once, the copy dead-lettered. */
    public void duplicate(String stage) {
        counter("border.duplicate.records", "re-sent records counted once", Tags.of("stage", stage)).increment();
    }

    /** A record that could not be used at all: in the dead-letter topic with its reason. */
    public void deadLetter(String reason, String stage) {
        counter("border.dead.letters", "records sent to the dead-letter topic",
                Tags.of("reason", lower(reason), "stage", stage)).increment();
    }

    /** A record used under a documented rule that needs a look (data-quality topic). */
    public void dataQuality(String reason, String stage) {
        counter("border.data.quality.records", "records reported to the data-quality topic",
                Tags.of("reason", lower(reason), "stage", stage)).increment();
    }

    /** An alert raised or resolved by the topology's rules. */
    public void alert(String rule, String severity, String state) {
        counter("border.alerts", "alerts raised and resolved by the stream's rules",
                Tags.of("rule", rule, "severity", lower(severity), "state", lower(state))).increment();
    }

    // --- gauges -----------------------------------------------------------------------------

    /**
     * The last closed window of a dimension: entries, exits and net. {@code dimension} is
     * checkpoint, region, citizenship or national; {@code key} its value (ignored for national).
     */
    public void windowClosed(String window, String dimension, String key, String region,
                             long entries, long exits, long endEpochMillis) {
        String d = lower(dimension);
        Tags tags = switch (d) {
            case "checkpoint" -> Tags.of("window", window, "checkpoint", key, "region", region == null ? "unknown" : region);
            case "region" -> Tags.of("window", window, "region", key);
            case "citizenship" -> Tags.of("window", window, "citizenship", key);
            default -> Tags.of("window", window);
        };
        String base = "border." + (d.equals("checkpoint") || d.equals("region") || d.equals("citizenship") ? d : "national");
        gauge(base + ".entries", "entries in the last closed window", tags).set(entries);
        gauge(base + ".exits", "exits in the last closed window", tags).set(exits);
        gauge(base + ".net", "entries minus exits in the last closed window", tags).set(entries - exits);
        if (!d.equals("checkpoint") && !d.equals("region") && !d.equals("citizenship")) {
            gauge("border.window.end", "event time of the end of the last closed nationwide window",
                    Tags.of("window", window), "seconds").set(endEpochMillis / 1000);
        }
    }

    /** Present stock (cumulative net since the start of the data), by citizenship or region. */
    public void presentStock(String dimension, String key, long present) {
        String d = lower(dimension);
        if (d.equals("citizenship") || d.equals("region")) {
            gauge("border.present." + d, "travellers present: cumulative net since the data start",
                    Tags.of(d, key)).set(present);
        }
    }

    /** Travellers now in a stay state (warning, overstay, exempt, compliant), by citizenship. */
    public void travellersInState(String status, String citizenship, long count) {
        gauge("border.stay.travellers", "tracked travellers by stay-compliance state",
                Tags.of("status", lower(status), "citizenship", citizenship)).set(count);
    }

    /** Adds to the travellers-in-state gauge (a traveller moving from one state to another). */
    public void travellersInStateAdd(String status, String citizenship, long delta) {
        gauge("border.stay.travellers", "tracked travellers by stay-compliance state",
                Tags.of("status", lower(status), "citizenship", citizenship)).addAndGet(delta);
    }

    /** Alerts raised and not yet resolved, per rule. */
    public void alertsFiring(String rule, String severity, long firing) {
        gauge("border.alerts.firing", "alerts raised and not yet resolved",
                Tags.of("rule", rule, "severity", lower(severity))).set(firing);
    }

    /** The event time a stage has reached (its watermark), so a replay's progress and lag show. */
    public void eventTime(String stage, long epochMillis) {
        gauge("border.event.time", "event time the stage has reached", Tags.of("stage", stage), "seconds")
                .set(epochMillis / 1000);
    }

    private Counter counter(String name, String help, Tags tags) {
        return counters.computeIfAbsent(name + tags, k -> Counter.builder(name).description(help).tags(tags)
                .register(registry));
    }

    private AtomicLong gauge(String name, String help, Tags tags) {
        return gauge(name, help, tags, null);
    }

    private AtomicLong gauge(String name, String help, Tags tags, String baseUnit) {
        return gauges.computeIfAbsent(name + tags, k -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).description(help).tags(tags).baseUnit(baseUnit)
                    .strongReference(true).register(registry);
            return value;
        });
    }

    private static String lower(String s) {
        return s == null ? "unknown" : s.toLowerCase(Locale.ROOT);
    }
}
