package io.borderflow.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.regex.Pattern;

/**
 * borderflow's domain metrics (names and labels in docs/metrics.md). Processors record here; the
 * meters live in Micrometer's global registry, to which the app adds its Prometheus registry (and a
 * test a {@code SimpleMeterRegistry}). Labels are of low cardinality only: never a traveller id.
 * Label values that come from input data (citizenship, checkpoint, region, reason) are checked
 * here, so a malformed record cannot create series without bound.
 *
 * <p>Micrometer names use dots; the Prometheus registry turns {@code border.crossings} (a counter)
 * into {@code border_crossings_total} and {@code border.event.time} (base unit seconds) into
 * {@code border_event_time_seconds}.
 *
 * <p>Gauges that several stream tasks contribute to (travellers by stay status, the stay stage's
 * event time) keep one value per task, so a task that moves to another instance takes its share
 * with it ({@link #forgetSource}).
 */
public final class BorderMetrics {
    private static final BorderMetrics GLOBAL = new BorderMetrics(Metrics.globalRegistry);
    private static final Pattern CITIZENSHIP = Pattern.compile("[A-Z]{2,3}");
    /** Reference-data names (checkpoints, regions), rule names and reasons. */
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N} ._'()-]{1,64}");

    private final MeterRegistry registry;
    private final Map<Key, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Key, WindowSeries> windows = new ConcurrentHashMap<>();
    /** Per window size: the end of the latest window known to be closed (epoch ms). */
    private final Map<String, PerSource> closedThrough = new ConcurrentHashMap<>();
    private final Map<Key, PerSource> perSource = new ConcurrentHashMap<>();
    /** The tracked-travellers gauge of each status and citizenship as the stay stage names them. */
    private final Map<StayKey, PerSource> stayGauges = new ConcurrentHashMap<>();

    /** Counters and gauges in {@code registry}; the app uses {@link #global()}. */
    public BorderMetrics(MeterRegistry registry) {
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

    /** One crossing counted by the net-flow stage (after dedupe); an unknown checkpoint as {@code unknown}. */
    public void crossing(String direction, String checkpoint) {
        counters.computeIfAbsent(new Key("border.crossings", direction, checkpoint, null), k ->
                Counter.builder(k.name).description("crossings counted, after duplicates are removed")
                        .tags("direction", lower(k.a), "checkpoint", name(k.b)).register(registry)).increment();
    }

    /** A record older than its window's grace: sent to the late-events topic and restated. */
    public void late(String window, String stage) {
        lateCounter(window, stage).increment();
    }

    private Counter lateCounter(String window, String stage) {
        return counter("border.late.records", "records that arrived after their window closed",
                "window", window, "stage", stage);
    }

    /** A record seen before (same event id within the horizon, or the same crossing again): counted once. */
    public void duplicate(String stage) {
        duplicateCounter(stage).increment();
    }

    private Counter duplicateCounter(String stage) {
        return counter("border.duplicate.records", "re-sent records counted once", "stage", stage, null, null);
    }

    /** A record that could not be used at all: in the dead-letter topic with its reason. */
    public void deadLetter(String reason, String stage) {
        deadLetterCounter(reason, stage).increment();
    }

    private Counter deadLetterCounter(String reason, String stage) {
        return counter("border.dead.letters", "records sent to the dead-letter topic",
                "reason", lower(reason), "stage", stage);
    }

    /**
     * Registers, at zero, the counters that dashboards and alert rules take a rate of, so that their
     * series exist before the first late, duplicate or dead-lettered record (a rate over an absent
     * series is no data, not zero).
     */
    public void registerZeroes() {
        lateCounter("1h", "flow");
        lateCounter("1d", "flow");
        duplicateCounter("flow");
        deadLetterCounter("deserialization", "flow");
    }

    /** A record used under a documented rule that needs a look (data-quality topic). */
    public void dataQuality(String reason, String stage) {
        counter("border.data.quality.records", "records reported to the data-quality topic",
                "reason", lower(reason), "stage", stage).increment();
    }

    /** An alert raised or resolved by the stream's rules. */
    public void alert(String rule, String severity, String state) {
        counters.computeIfAbsent(new Key("border.alerts", rule, severity, state), k ->
                Counter.builder(k.name).description("alerts raised and resolved by the stream's rules")
                        .tags("rule", name(k.a), "severity", lower(k.b), "state", lower(k.c)).register(registry))
                .increment();
    }

    /** One event a replay sent to a topic. */
    public void replayEvent(String topic) {
        replayCounter(topic).increment();
    }

    /** The counter of {@link #replayEvent}, for a caller that counts every event and keeps it. */
    public Counter replayCounter(String topic) {
        return counter("border.replay.events", "events a replay sent, by topic", "topic", topic, null, null);
    }

    private Counter counter(String name, String help, String k1, String v1, String k2, String v2) {
        return counters.computeIfAbsent(new Key(name, v1, v2, null), k -> {
            Tags tags = k2 == null ? Tags.of(k1, name(v1)) : Tags.of(k1, name(v1), k2, name(v2));
            return Counter.builder(name).description(help).tags(tags).register(registry);
        });
    }

    // --- gauges -----------------------------------------------------------------------------

    /**
     * A closed (or restated) window of one dimension, as one source (the aggregating task) saw it:
     * entries, exits and net, if it is not older than the window already shown for that dimension
     * key. {@code dimension} is checkpoint, region, citizenship or national; {@code key} its value
     * (ignored for national); {@code region} the checkpoint's region (only for checkpoint).
     */
    public void windowClosed(String source, String window, String dimension, String key, String region,
                             long entries, long exits, long endEpochMillis) {
        String d = lower(dimension);
        Key k = switch (d) {
            case "checkpoint" -> new Key("border.checkpoint", window, name(key), name(region));
            case "region" -> new Key("border.region", window, name(key), null);
            case "citizenship" -> new Key("border.citizenship", window, citizenship(key), null);
            default -> new Key("border.national", window, null, null);
        };
        WindowSeries s = windows.computeIfAbsent(k, this::registerWindow);
        synchronized (s) {
            if (s.latest == null || endEpochMillis >= s.latest.end) {
                s.latest = new WindowValue(source, endEpochMillis, entries, exits);
            }
        }
        closedThrough(source, window, endEpochMillis);
    }

    /**
     * Every window of this size ending at or before {@code endEpochMillis} is closed: a dimension
     * key without a window there had no crossings in it, so its gauges read 0 from now on.
     */
    public void windowsClosedThrough(String source, String window, long endEpochMillis) {
        closedThrough(source, window, endEpochMillis);
    }

    private void closedThrough(String source, String window, long end) {
        PerSource through = closedThrough.computeIfAbsent(window, w -> {
            PerSource p = new PerSource(PerSource.Combine.MAX);
            Gauge.builder("border.window.end", p, v -> v.value(1000.0))
                    .description("event time of the end of the last closed nationwide window")
                    .tags("window", w).baseUnit("seconds").strongReference(true).register(registry);
            return p;
        });
        through.values.merge(source, end, Math::max);
    }

    private WindowSeries registerWindow(Key k) {
        WindowSeries s = new WindowSeries(k.a);
        Tags tags = switch (k.name) {
            case "border.checkpoint" -> Tags.of("window", k.a, "checkpoint", k.b, "region", k.c);
            case "border.region" -> Tags.of("window", k.a, "region", k.b);
            case "border.citizenship" -> Tags.of("window", k.a, "citizenship", k.b);
            default -> Tags.of("window", k.a);
        };
        windowGauge(k.name + ".entries", "entries in the last closed window", tags, s, v -> v.entries);
        windowGauge(k.name + ".exits", "exits in the last closed window", tags, s, v -> v.exits);
        windowGauge(k.name + ".net", "entries minus exits in the last closed window", tags, s,
                v -> v.entries - v.exits);
        return s;
    }

    private void windowGauge(String name, String help, Tags tags, WindowSeries s, ToDoubleFunction<WindowValue> f) {
        Gauge.builder(name, s, series -> {
            WindowValue v = series.latest;
            PerSource through = closedThrough.get(series.window);
            Long closed = through == null ? null : through.values.get(v == null ? "" : v.source);
            // A later window closed without a record for this key: it had no crossings.
            return v == null || closed != null && v.end < closed ? 0 : f.applyAsDouble(v);
        }).description(help).tags(tags).strongReference(true).register(registry);
    }

    /** Present stock (cumulative net since the start of the data), by citizenship or region, as one source knows it. */
    public void presentStock(String source, String dimension, String key, long present) {
        String d = lower(dimension);
        if (d.equals("citizenship") || d.equals("region")) {
            perSource(new Key("border.present." + d, d, d.equals("citizenship") ? citizenship(key) : name(key), null),
                    PerSource.Combine.SUM).set(source, present);
        }
    }

    /** Alerts of a rule raised and not yet resolved, as one source (a stream task) knows them; summed over sources. */
    public void alertsFiring(String source, String rule, String severity, long firing) {
        perSource(new Key("border.alerts.firing", name(rule), lower(severity), null), PerSource.Combine.SUM)
                .set(source, firing);
    }

    /**
     * The travellers one source (a stream task) tracks in a stay state, by citizenship; the gauge
     * is the sum over sources.
     */
    public void stayTravellers(String source, String status, String citizenship, long count) {
        // Called on most crossings: the labels are checked and the gauges found once per status and citizenship.
        stayGauges.computeIfAbsent(new StayKey(status, citizenship), k -> {
            String c = citizenship(k.citizenship());
            // Every state of a citizenship once one is seen: "no overstayers" is a zero, not a missing series.
            for (String s : STAY_STATES) {
                perSource(new Key("border.stay.travellers", s, c, null), PerSource.Combine.SUM);
            }
            return perSource(new Key("border.stay.travellers", lower(k.status()), c, null), PerSource.Combine.SUM);
        }).set(source, count);
    }

    private record StayKey(String status, String citizenship) {
    }

    private static final java.util.List<String> STAY_STATES = java.util.List.of("compliant", "warning", "overstay", "exempt");

    /** The event time a stage has reached (its watermark), so a replay's progress and lag show. */
    public void eventTime(String stage, long epochMillis) {
        eventTime(stage, "", epochMillis);
    }

    /** The event time one source (task) of a stage has reached; the stage's gauge is the slowest source's. */
    public void eventTime(String stage, String source, long epochMillis) {
        perSource(new Key("border.event.time", stage, null, null), PerSource.Combine.MIN).set(source, epochMillis);
    }

    /** A source (a stream task) no longer runs here: its share leaves the gauges. */
    public void forgetSource(String source) {
        perSource.values().forEach(p -> p.values.remove(source));
        closedThrough.values().forEach(p -> p.values.remove(source));
        for (WindowSeries s : windows.values()) {
            synchronized (s) {
                if (s.latest != null && s.latest.source.equals(source)) {
                    s.latest = null;
                }
            }
        }
    }

    private PerSource perSource(Key key, PerSource.Combine combine) {
        return perSource.computeIfAbsent(key, k -> {
            PerSource p = new PerSource(combine);
            Gauge.Builder<PerSource> b = switch (k.name) {
                case "border.event.time" -> Gauge.builder(k.name, p, v -> v.value(1000.0))
                        .description("event time the stage has reached").tags("stage", k.a).baseUnit("seconds");
                case "border.alerts.firing" -> Gauge.builder(k.name, p, v -> v.value(1.0))
                        .description("alerts raised and not yet resolved").tags("rule", k.a, "severity", k.b);
                case "border.present.citizenship", "border.present.region" -> Gauge.builder(k.name, p, v -> v.value(1.0))
                        .description("travellers present: cumulative net since the data start").tags(k.a, k.b);
                default -> Gauge.builder(k.name, p, v -> v.value(1.0))
                        .description("tracked travellers by stay-compliance state").tags("status", k.a, "citizenship", k.b);
            };
            b.strongReference(true).register(registry);
            return p;
        });
    }

    // --- label values -----------------------------------------------------------------------

    private static String lower(String s) {
        return s == null ? "unknown" : name(s.toLowerCase(Locale.ROOT));
    }

    /** A citizenship label: an ISO code, else {@code other}. */
    static String citizenship(String s) {
        if (s == null || s.isBlank()) {
            return "unknown";
        }
        String c = s.strip().toUpperCase(Locale.ROOT);
        return CITIZENSHIP.matcher(c).matches() ? c : "other";
    }

    /** A name from reference data or configuration; anything else is {@code other}. */
    static String name(String s) {
        if (s == null || s.isBlank()) {
            return "unknown";
        }
        return NAME.matcher(s).matches() ? s : "other";
    }

    /** A meter's identity: its name and up to three label values (cheaper than building Tags). */
    private record Key(String name, String a, String b, String c) {
    }

    private record WindowValue(String source, long end, long entries, long exits) {
    }

    private static final class WindowSeries {
        final String window;
        volatile WindowValue latest;

        WindowSeries(String window) {
            this.window = window;
        }
    }

    /** One value per source, combined when scraped. */
    private static final class PerSource {
        enum Combine { SUM, MIN, MAX }

        final Combine combine;
        final Map<String, Long> values = new ConcurrentHashMap<>();

        PerSource(Combine combine) {
            this.combine = combine;
        }

        void set(String source, long value) {
            values.put(source, value);
        }

        double value(double divisor) {
            if (values.isEmpty()) {
                return combine == Combine.SUM ? 0 : Double.NaN;
            }
            long v = switch (combine) {
                case SUM -> 0;
                case MIN -> Long.MAX_VALUE;
                case MAX -> Long.MIN_VALUE;
            };
            for (long x : values.values()) {
                v = switch (combine) {
                    case SUM -> v + x;
                    case MIN -> Math.min(v, x);
                    case MAX -> Math.max(v, x);
                };
            }
            return v / divisor;
        }
    }
}
