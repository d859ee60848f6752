package io.borderflow.stay;

import io.borderflow.avro.Alert;
import io.borderflow.avro.ArrivalCohort;
import io.borderflow.avro.DeadLetter;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.deadletter.DeadLetters;
import io.borderflow.serde.AnyRecordSerializer;
import io.borderflow.serde.AvroSerde;
import io.borderflow.state.WriteBehindKeyValueStore;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.RecordContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Streaming stay-duration compliance: per-traveller stays and permits, the rules engine on every crossing,
 * and a midnight sweep that catches overstayers who never cross again.
 *
 * <pre>
 * crossings ─────┐
 * registrations ─┼─ stay-merge(-iin) ─ stay-track ─ stay-split- ─┬─ other: stay-sink ─┬─ border.stay-status.v1
 * iin ───────────┘    (stay-travellers, stay-due-index,          │                    ├─ border.alerts.v1
 *                      stay-control)                             │                    ├─ border.data-quality.v1
 *                                                                │                    └─ border.dead-letters.v1
 *                                                                └─ cohort: deltas ─ repartition by week|citizenship
 *                                                                     ─ stay-cohort-aggregate (stay-cohorts)
 *                                                                     ─ stay-cohort-sink ─ border.cohorts.v1
 * </pre>
 * All inputs are keyed by traveller and have the same partition count, so one traveller's crossings,
 * registrations and IIN applications meet in one task without a repartition. Records are told apart by their
 * source topic: records of any other topic are ignored. Watermark records (null value,
 * {@code borderflow.watermark} header) only move stream time. Crossings without a traveller id, and of citizens
 * in {@value #NATIONALS} (Kazakh citizens), are skipped. IIN applications and host notifications only feed the
 * arrival cohorts ({@link Cohorts}; definitions in docs/stay-rules.md, "Cohorts"): who first entered in a week,
 * and how many of them applied for an IIN, registered, got a permit, were still present 30, 90 and 180 days
 * later, left and came back.
 *
 * <h2>State</h2>
 * {@value #TRAVELLERS_STORE} (RocksDB, traveller id to {@link TravellerState}'s compact encoding, about 15
 * bytes for a traveller with one stay): the stays still inside the 180-day look-back of the last crossing, the
 * open stay, the permits that can still matter, the citizenship class, the overstay days of stays no longer
 * kept, the last status emitted and the alert flag. {@value #DUE_INDEX_STORE} (RocksDB, not changelogged:
 * each key follows from a traveller state, and a task that starts on state it did not write rebuilds the index
 * from the travellers store, see {@link StayTracker}): one key per traveller who has one,
 * {@code day (4-byte big-endian, sign flipped) + traveller id}, empty value, at the earlier of the review day
 * and the eve of the arrival cohort's next threshold ({@link Cohorts}). The review day is the last
 * day the traveller's current standing is known to hold: the must-leave-by day of a traveller present and not
 * exempt; the last day of the permit cover of an exempt one (or the day before a known permit starts); for an
 * absent traveller, the day before the one on which the traveller may be forgotten. At the
 * first stream time of each local day T, a range scan to T-1, from where the last sweep ended
 * ({@link io.borderflow.state.ScanFloor}: not over the tombstones of the keys swept before), finds exactly the
 * travellers due, so the daily cost is proportional to them, not to all travellers. {@value StayMetrics#COUNTS_STORE}
 * (in memory, changelogged): travellers by last status and citizenship, for the metrics ({@link StayMetrics}).
 * {@value #CONTROL_STORE} (RocksDB, changelogged, a few keys): the data start day, and which build of the
 * index the task's last writer used.
 *
 * <h2>Statuses</h2>
 * On every crossing that changes the state, and every residence permit of a traveller with a crossing, the
 * engine ({@link StayCalculator#control}) runs on the stays and permits kept, as of the crossing's local date
 * (an out-of-order crossing: as of the traveller's latest crossing; a permit: the later of its registration
 * day and the latest crossing), and the status goes to {@code border.stay-status.v1}: EXEMPT when a permit is
 * valid that day, OVERSTAY when the day is over a limit, WARNING when present with at most
 * {@value #WARNING_DAYS} (default 10) days remaining, else COMPLIANT. {@code overstayDays} is the engine's
 * count over the whole history (days of stays dropped from state are carried over). A visa-free traveller's
 * stay entered before the effective date has no rule ({@link NoRuleInForceException}): no status is emitted
 * for it (counted as NO_RULE). The midnight sweep emits a status when it finds a present traveller's standing
 * changed: OVERSTAY for one past the must-leave-by day (as of T: being in the country at midnight, the traveller
 * is present on T, and T counts), EXEMPT or back from EXEMPT when a permit starts or ends. WARNING is emitted on
 * crossings and permits, not when the days run down. Host notifications do not change compliance: read, not
 * used.
 *
 * <h2>Alerts</h2>
 * {@value #ALERT_RULE}, severity WARNING, dimension {@value #ALERT_DIMENSION}, key = the (pseudonymised)
 * traveller id, alert id {@code stay-overstay|id|start}: RAISED once when a present traveller is first found
 * over the limit (by a crossing or the sweep), RESOLVED once when the traveller exits, a permit exempts the
 * traveller, or the limit no longer holds (a late record). An overstay first seen on the exit crossing itself is
 * raised and resolved at once, so every overstay has one alert whatever the timing of the sweep.
 *
 * <h2>Data-quality rules (each counted in {@link StayCounters} and reported to border.data-quality.v1 with the
 * record kept whole; nothing is dropped silently)</h2>
 * <ul>
 * <li><b>EXIT_WITHOUT_ENTRY</b>: an exit with no open stay (the data starts mid-stay, or an entry record is
 * missing). The traveller is assumed present from the earliest day from which a stay ending on the exit day is
 * lawful under the traveller's rule (at most 90 days, 30 for a visa-free stay under the 2023 rule), but not
 * before the data start ({@value #DATA_START}, default the earliest crossing day the task has seen) nor before
 * the previous exit; at least the exit day itself. Conservative both ways: the days the data can vouch for are
 * counted (a later entry is not given a free 180-day period), but a missing record never by itself makes an
 * overstay.</li>
 * <li><b>ENTRY_WHILE_PRESENT</b>: an entry while a stay is open (a missed exit). The missing exit is presumed
 * as late as the rules allow: the open stay is closed on the latest day, at most the day before the new
 * entry, on which neither that stay nor the new entry day gets an overstay day it would not have had
 * anyway; never before its own entry. Two entries on one day make a one-day stay. (Closing on the day before
 * the new entry regardless would turn a lost exit record into months of presence and a false overstay.)</li>
 * <li><b>OUT_OF_ORDER</b>: a crossing older (by event time, to the minute) than the traveller's last crossing.
 * Applied when it supplies a record an earlier rule had to assume (a late entry replaces the entry assumed for
 * an exit without entry; a late exit replaces the exit assumed for an entry while present) and the stays stay
 * consistent; the detail says "applied: ...". Otherwise it is not applied (the detail says "not applied: ..."),
 * and the traveller's state and status are unchanged.</li>
 * <li><b>INVALID_PERMIT</b> (a permit the stays cannot take) and <b>REJECTED</b> (a crossing the stays
 * cannot take, e.g. a date out of range): reported, not applied. A permit ending before it starts never gets
 * here: it is an impossible value, dead-lettered as INVALID.</li>
 * <li>A crossing repeating the traveller's last one (same minute, same direction: a re-sent record) is
 * counted as DUPLICATES and ignored. Records that do not decode, are empty or hold an impossible value
 * ({@link io.borderflow.deadletter.InputCheck}) go to border.dead-letters.v1 (DESERIALIZATION, EMPTY, INVALID),
 * unless another stage of the app reads the topic first and dead-letters them itself.</li>
 * </ul>
 *
 * <h2>State does not grow forever</h2>
 * Closed stays that ended 180 days or more before the traveller's last crossing are dropped (their overstay
 * days carried over; for a traveller over the limit, 180 days before the current run of overstay days began,
 * which the must-leave-by day looks back over); permits that ended then and before the open stay began
 * likewise. Every emitted figure stays equal to the engine's over the whole history. A traveller with no
 * open stay, no presence in the 180 days to yesterday and no permit still valid is removed by the sweep (and
 * from the index); the same test on the traveller's next crossing or permit starts a new state, so the result
 * does not depend on whether a sweep ran in between. A returning traveller's {@code overstayDays} then counts
 * from the return (earlier ones are on the status and alert topics). Kept indefinitely: travellers in the
 * country (an open stay), and holders of an open-ended permit.
 *
 * <h2>Configuration</h2>
 * {@value #EAEU} (default RU,BY,AM,KG; every other citizenship is visa-free), {@value #NATIONALS} (default
 * KZ), {@value #RULE_FORCE} (a version id such as kz-eaeu-2023 applied to every traveller: what-if),
 * {@value #EFFECTIVE_DATE} (default 2023-01-27), {@value #WARNING_DAYS} (default 10), {@value #DATA_START}
 * (optional), and {@code zone} for local dates.
 */
public final class StayTopology {
    public static final String CROSSINGS_SOURCE = "stay-crossings-source";
    public static final String REGISTRATIONS_SOURCE = "stay-registrations-source";
    public static final String MERGE = "stay-merge";
    public static final String PROCESSOR = "stay-track";
    public static final String SINK = "stay-sink";
    public static final String TRAVELLERS_STORE = "stay-travellers";
    /**
     * Traveller states kept on the heap per task, besides those waiting for the commit: the ones most recently
     * written or read. About 160 bytes each (a 24-character id, a 20-40 byte state, the map entry): 8 MB a task.
     */
    static final int RECENT_TRAVELLERS = 50_000;
    /**
     * Due index: day key + traveller id, empty value, one key per traveller at the earlier of its review day and
     * its cohort's next threshold eve. Not changelogged: derived from the traveller states and rebuilt from them
     * when a task starts on state it did not write ({@link StayTracker}). It replaced {@code stay-review-index}
     * and {@code stay-cohort-due-index}, one key each.
     */
    public static final String DUE_INDEX_STORE = "stay-due-index";
    /** The tracker's own facts (the data start day, the index build in use), changelogged: a few keys. */
    public static final String CONTROL_STORE = "stay-control";
    public static final String IIN_SOURCE = "stay-iin-source";
    public static final String MERGE_IIN = "stay-merge-iin";
    /** Splits the tracker's output: cohort deltas ({@value #SPLIT}cohort) from the rest ({@value #SPLIT}other). */
    public static final String SPLIT = "stay-split-";
    public static final String COHORT_TYPED = "stay-cohort-typed";
    /** Repartition of the cohort deltas by cohort key (topic {@code <app id>-stay-cohort-deltas-repartition}). */
    public static final String COHORT_DELTAS = "stay-cohort-deltas";
    public static final String COHORT_AGGREGATE = "stay-cohort-aggregate";
    public static final String COHORT_CHANGES = "stay-cohort-changes";
    public static final String COHORT_SINK = "stay-cohort-sink";
    /** Cohort key to its {@link ArrivalCohort} row: one key per arrival week and citizenship. */
    public static final String COHORTS_STORE = "stay-cohorts";
    /** Cohort deltas of this task not yet sent on, summed per cohort (see {@link #COHORT_HANDOVER}). */
    public static final String COHORT_PENDING_STORE = "stay-cohort-pending";

    public static final String ALERT_RULE = "stay-overstay";
    public static final String ALERT_DIMENSION = "traveller";

    public static final String EAEU = "stay.eaeu";
    public static final String NATIONALS = "stay.nationals";
    public static final String RULE_FORCE = "stay.rule.force";
    public static final String EFFECTIVE_DATE = "stay.rule.effective-date";
    public static final String WARNING_DAYS = "stay.warning.days";
    public static final String DATA_START = "stay.data-start";
    /**
     * How much stream time a task sums cohort deltas before sending them on (default PT1H): one record per cohort
     * and hour instead of one per traveller event. PT0S sends each delta at once. The end of input sends all.
     */
    public static final String COHORT_HANDOVER = "stay.cohorts.handover";

    private StayTopology() {
    }

    /** The compliance topology alone, with its own sources on the crossings, registrations and IIN topics. */
    public static Topology build(BorderflowConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, config);
        return builder.build();
    }

    /**
     * Adds the compliance stage with its own sources ({@value #CROSSINGS_SOURCE}, {@value #REGISTRATIONS_SOURCE},
     * {@value #IIN_SOURCE}). Only for an app where nothing else reads those topics: Kafka Streams allows one
     * source per topic.
     */
    public static void addTo(StreamsBuilder builder, BorderflowConfig config) {
        KStream<byte[], byte[]> crossings = builder.stream(Topics.CROSSINGS.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(CROSSINGS_SOURCE));
        KStream<byte[], byte[]> registrations = builder.stream(Topics.REGISTRATIONS.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(REGISTRATIONS_SOURCE));
        KStream<byte[], byte[]> iin = builder.stream(Topics.IIN_APPLICATIONS.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(IIN_SOURCE));
        addTo(builder, config, crossings, registrations, iin);
    }

    /**
     * Adds the compliance stage on raw-byte streams read from {@code border.crossings.v1},
     * {@code border.registrations.v1} and {@code border.iin-applications.v1} (shared with other stages). A stream
     * may also carry records of other topics; they are ignored. Input records that do not decode or hold an
     * impossible value are dead-lettered by this stage.
     */
    public static void addTo(StreamsBuilder builder, BorderflowConfig config, KStream<byte[], byte[]> crossings,
                             KStream<byte[], byte[]> registrations, KStream<byte[], byte[]> iin) {
        addTo(builder, config, crossings, registrations, iin, true);
    }

    /**
     * As {@link #addTo(StreamsBuilder, BorderflowConfig, KStream, KStream, KStream)}; with
     * {@code reportInputErrors} false, bad input records ({@link io.borderflow.deadletter.InputCheck}: EMPTY,
     * DESERIALIZATION, INVALID) are only counted here ({@link StayCounters}), not dead-lettered: for an app in
     * which another stage reads the same topics first and dead-letters them, so that each bad record is
     * dead-lettered once. Every stage applies the same check, so they agree on which records are bad.
     */
    public static void addTo(StreamsBuilder builder, BorderflowConfig config, KStream<byte[], byte[]> crossings,
                             KStream<byte[], byte[]> registrations, KStream<byte[], byte[]> iin,
                             boolean reportInputErrors) {
        StaySettings settings = StaySettings.from(config);
        // Written behind, not cached: a traveller rarely comes back within a commit, so what counts is that a
        // commit's writes go down as one RocksDB batch (WriteBehindKeyValueStore), not that a key is written once;
        // Kafka Streams' cache on these stores measured 35 % slower. Lookups (StayApi) read the last commit.
        // The states last written stay on the heap too: 42 % of the reads on the 26-day bench found their
        // traveller there (a registration or IIN application days after the entry), and the traveller
        // reads took 5.8-6.1 s of stream-thread CPU in profiles, against 9.0-9.1 s (of 72).
        builder.addStateStore(WriteBehindKeyValueStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(TRAVELLERS_STORE), Serdes.String(), Serdes.ByteArray()),
                RECENT_TRAVELLERS));
        // The due index is not changelogged: each key follows from a traveller state, so a task that starts on
        // state it did not write rebuilds it from the travellers store (StayTracker.init). Per crossing that saves
        // the changelog records of an index move (a tombstone and a key): 42 % of the stay stage's records.
        // Written behind: a commit's moves go down as one batch in key order, which RocksDB's memtable takes for a
        // third of the CPU of the same keys put one by one.
        builder.addStateStore(WriteBehindKeyValueStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(DUE_INDEX_STORE), Serdes.Bytes(), Serdes.ByteArray())
                .withLoggingDisabled()));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CONTROL_STORE),
                Serdes.String(), Serdes.Long()).withCachingDisabled());
        // Travellers by status and citizenship for the metrics: a few hundred keys, in memory, changelogged.
        builder.addStateStore(WriteBehindKeyValueStore.builder(Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(StayMetrics.COUNTS_STORE), Serdes.String(), Serdes.Long())));
        // Written behind: every delta of a cohort lands on the same few keys, written once per commit.
        builder.addStateStore(WriteBehindKeyValueStore.persistent(COHORT_PENDING_STORE,
                Serdes.String(), Serdes.ByteArray()));
        Map<String, KStream<String, SpecificRecord>> out = crossings.merge(registrations, Named.as(MERGE))
                .merge(iin, Named.as(MERGE_IIN))
                .process(() -> new StayTracker(settings, reportInputErrors), Named.as(PROCESSOR), TRAVELLERS_STORE, DUE_INDEX_STORE,
                        CONTROL_STORE, StayMetrics.COUNTS_STORE, COHORT_PENDING_STORE)
                .split(Named.as(SPLIT))
                .branch((k, v) -> v instanceof ArrivalCohort, Branched.as("cohort"))
                .defaultBranch(Branched.as("other"));
        out.get(SPLIT + "other")
                .to(StayTopology::topic, Produced.with(Serdes.String(), AnyRecordSerializer.serde()).withName(SINK));
        Serde<ArrivalCohort> cohortSerde = AvroSerde.of(ArrivalCohort.class);
        // Cached: a cohort row changes with every delta; the cache sends the latest row once per commit.
        out.get(SPLIT + "cohort")
                .mapValues(v -> (ArrivalCohort) v, Named.as(COHORT_TYPED))
                .groupByKey(Grouped.with(COHORT_DELTAS, Serdes.String(), cohortSerde))
                .reduce(Cohorts::sum, Named.as(COHORT_AGGREGATE),
                        Materialized.<String, ArrivalCohort, KeyValueStore<Bytes, byte[]>>as(COHORTS_STORE)
                                .withKeySerde(Serdes.String()).withValueSerde(cohortSerde).withCachingEnabled())
                .toStream(Named.as(COHORT_CHANGES))
                .to(Topics.COHORTS.name(), Produced.with(Serdes.String(), cohortSerde).withName(COHORT_SINK));
    }

    /** Records that could not be used at all; every other reason is data quality. */
    static boolean isDeadLetter(String reason) {
        return DeadLetters.DESERIALIZATION.equals(reason) || DeadLetters.EMPTY.equals(reason)
                || DeadLetters.INVALID.equals(reason);
    }

    static String topic(String key, SpecificRecord value, RecordContext context) {
        if (value instanceof io.borderflow.avro.StayStatus) {
            return Topics.STAY_STATUS.name();
        }
        if (value instanceof Alert) {
            return Topics.ALERTS.name();
        }
        if (value instanceof DeadLetter d) {
            return isDeadLetter(d.getReason()) ? Topics.DEAD_LETTERS.name() : Topics.DATA_QUALITY.name();
        }
        throw new IllegalStateException("no topic for " + value.getClass().getSimpleName());
    }
}
