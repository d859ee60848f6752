package io.borderflow.stay;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the compliance topology, JVM-wide ({@link #global()}), for metrics and the run summary. Each
 * stay-track processor also records them as Kafka Streams metrics (group {@value #METRIC_GROUP}, name
 * {@code <counter>-total}, tag {@code task-id}), visible in {@code KafkaStreams#metrics()} and
 * {@code TopologyTestDriver#metrics()}.
 */
public final class StayCounters {
    public static final String METRIC_GROUP = "stream-stay-metrics";

    public enum Counter {
        /** Crossings of tracked travellers read (nationals and anonymous ones excluded). */
        CROSSINGS,
        /** Registrations read, of any kind. */
        REGISTRATIONS,
        /** Residence permits added. */
        PERMITS,
        /** Host notifications: read and ignored (they do not change compliance). */
        HOST_NOTIFICATIONS,
        /** Watermark records: advance stream time only. */
        WATERMARKS,
        /** Crossings without a traveller id (expanded from daily counts): skipped. */
        ANONYMOUS,
        /** Crossings of citizens the stay rules do not apply to: skipped. */
        NATIONALS,
        /** IIN applications read, of any stage (only applications count for cohorts). */
        IIN_APPLICATIONS,
        /** Records from a topic other than crossings, registrations and IIN applications: ignored. */
        OTHER_TOPIC,
        /** Records with no value and no watermark header: dead letters. */
        EMPTY,
        /** Undecodable records: dead letters. */
        DESERIALIZATION,
        /** Records holding an impossible value (e.g. a time before 1990, a permit ending before it starts): dead letters. */
        INVALID,
        /** A crossing repeating the traveller's last one (same minute, same direction): ignored. */
        DUPLICATES,
        EXIT_WITHOUT_ENTRY,
        ENTRY_WHILE_PRESENT,
        OUT_OF_ORDER_APPLIED,
        OUT_OF_ORDER_REJECTED,
        /** A permit the stays cannot take: data quality, not applied. */
        INVALID_PERMIT,
        /** A crossing the stays could not take (e.g. a date out of range): data quality, not applied. */
        REJECTED,
        /** A status the rules cannot give (visa-free stay entered before the 2023 change): none emitted. */
        NO_RULE,
        STATUSES,
        OVERSTAYS_RAISED,
        OVERSTAYS_RESOLVED,
        /** An entry within 4 days of a recorded exit. */
        VISA_RUNS,
        TRAVELLERS_CREATED,
        /** Travellers forgotten after 180 days without presence (by the sweep, or on their next event). */
        TRAVELLERS_REMOVED,
        /** Stays dropped from state after leaving the 180-day look-back. */
        STAYS_PRUNED,
        /** Rebuilds of the due index from the traveller states (on state the task did not write). */
        INDEX_REBUILDS,
        /** Midnight sweeps of the due index. */
        SWEEPS,
        /** Travellers whose review day the sweeps found passed. */
        DUE,
        /** Travellers who joined an arrival cohort (first crossing seen an entry). */
        COHORT_ARRIVALS,
        /** "Still present N days after entry" thresholds decided by the sweeps (the rest: on exits). */
        COHORT_THRESHOLDS_SWEPT;

        /** The metric name, e.g. {@code exit-without-entry-total}. */
        public String metricName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-') + "-total";
        }
    }

    private static final StayCounters GLOBAL = new StayCounters();

    private final EnumMap<Counter, LongAdder> counts = new EnumMap<>(Counter.class);

    StayCounters() {
        for (Counter c : Counter.values()) {
            counts.put(c, new LongAdder());
        }
    }

    /** The totals of every stay-track processor in this JVM since it started. */
    public static StayCounters global() {
        return GLOBAL;
    }

    public long get(Counter c) {
        return counts.get(c).sum();
    }

    public Map<Counter, Long> snapshot() {
        Map<Counter, Long> m = new EnumMap<>(Counter.class);
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    void add(Counter c, long n) {
        counts.get(c).add(n);
    }
}
