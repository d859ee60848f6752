package io.borderflow.stay;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.avro.Severity;
import io.borderflow.avro.StayState;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.deadletter.BadInputException;
import io.borderflow.deadletter.DeadLetters;
import io.borderflow.deadletter.InputCheck;
import io.borderflow.state.ScanFloor;
import io.borderflow.stay.StayCounters.Counter;
import io.borderflow.stay.TravellerState.Permit;
import io.borderflow.stay.TravellerState.Visit;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stay-track processor: per-traveller stays and permits in {@value StayTopology#TRAVELLERS_STORE}, the
 * rules engine on every crossing and permit, and a midnight sweep of the due index
 * {@value StayTopology#DUE_INDEX_STORE}. The rules it applies to imperfect data are documented on
 * {@link StayTopology}. Log lines never carry a traveller id.
 *
 * <p>The due index holds one key per traveller, at {@link TravellerState#indexDay()}: the earlier of the review
 * day and the eve of the cohort's next threshold, so one sweep serves both and a crossing moves one key, not two.
 * It is not changelogged: every key follows from a traveller state, and a sweep checks each key it finds against
 * the state (an old key is skipped), so an index with extra keys is right, one with a key missing is not. The
 * index holds a marker, the id of the build that filled it, and {@value StayTopology#CONTROL_STORE}
 * (changelogged) holds the id of the build its last writer used. When a task starts and the two differ (a new
 * task, a task moved from another instance, local state wiped after a crash under exactly-once) the index is
 * rebuilt from the travellers store; when they match, this directory's index was written together with the
 * traveller states since that build, and stands. The build id reaches the control store with the first record
 * processed (a store is written while processing), so a task stopped before any record rebuilds again at its
 * next start.
 */
final class StayTracker implements Processor<byte[], byte[], String, SpecificRecord> {
    private static final Logger LOG = LoggerFactory.getLogger(StayTracker.class);
    static final long NONE = TravellerState.NONE;
    /** Control store key of the data start day. */
    static final String DATA_START = "data-start";
    /** Control store key of the id of the index build the task's last writer used. */
    static final String INDEX_BUILD = "index-build";
    /** Index key of the build marker; its first byte sorts it after every day key. */
    static final Bytes INDEX_MARKER_KEY = Bytes.wrap("\u00ffindex-build".getBytes(StandardCharsets.ISO_8859_1));
    private static final int REBUILD_BATCH = 10_000;
    /** The day of the lowest index key (four zero bytes). */
    private static final long LOWEST_DAY = Integer.MIN_VALUE;
    private static final byte[] EMPTY = new byte[0];
    private static final long MINUTE_MS = 60_000L;
    static final int VISA_RUN_DAYS = 4;
    /** No stay can be legal for longer than this many days from its entry (every limit is at most 90). */
    private static final int LONGEST_LEGAL_STAY = 90;

    private final StaySettings settings;
    private final Map<CitizenshipClass, StayCalculator> calculators;
    private final ZoneRules zoneRules;
    private final InputCheck check;
    /** False in an app where another stage dead-letters bad input of the same topics (see StayTopology.addTo). */
    private final boolean reportInputErrors;
    private final EnumMap<Counter, Sensor> sensors = new EnumMap<>(Counter.class);
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, byte[]> travellers;
    private KeyValueStore<Bytes, byte[]> dueIndex;
    private KeyValueStore<String, Long> control;
    /** The build id to record in the control store on the first record (stores are written while processing). */
    private Long unrecordedBuild;
    private long lastSweepDay = NONE;
    private long clock = Long.MIN_VALUE;
    /** Where the sweep's scan of the due index starts: the days below are swept (tombstones). */
    private final ScanFloor dueFloor = new ScanFloor();
    private long dataStartDay = NONE;
    private StayMetrics metrics;
    private Cohorts cohorts;

    StayTracker(StaySettings settings) {
        this(settings, true);
    }

    StayTracker(StaySettings settings, boolean reportInputErrors) {
        this.settings = settings;
        this.reportInputErrors = reportInputErrors;
        this.check = new InputCheck(settings.zone());
        this.calculators = settings.calculators();
        this.zoneRules = settings.zone().getRules();
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.metrics = new StayMetrics(context, context.getStateStore(StayMetrics.COUNTS_STORE));
        this.travellers = metrics.watch(context.getStateStore(StayTopology.TRAVELLERS_STORE));
        this.dueIndex = context.getStateStore(StayTopology.DUE_INDEX_STORE);
        this.control = context.getStateStore(StayTopology.CONTROL_STORE);
        this.cohorts = new Cohorts(context, travellers, this::add,
                context.getStateStore(StayTopology.COHORT_PENDING_STORE), settings.cohortHandover());
        Long start = control.get(DATA_START);
        if (start != null) {
            dataStartDay = start;
        }
        String task = context.taskId().toString();
        for (Counter c : Counter.values()) {
            Sensor s = context.metrics().addSensor("stay-" + task + "-" + c.metricName(), Sensor.RecordingLevel.INFO);
            s.add(new MetricName(c.metricName(), StayCounters.METRIC_GROUP, "stay compliance: " + c.name(),
                    Map.of("task-id", task)), new CumulativeCount());
            sensors.put(c, s);
        }
        Long build = control.get(INDEX_BUILD);
        if (build == null || !build.equals(marker(dueIndex))) {
            rebuildIndex(task);
        }
    }

    @Override
    public void close() {
        sensors.values().forEach(s -> context.metrics().removeSensor(s));
        sensors.clear();
        if (metrics != null) {
            metrics.close();
        }
    }

    private void inc(Counter c) {
        add(c, 1);
    }

    private void add(Counter c, long n) {
        StayCounters.global().add(c, n);
        metrics.counted(c, n);
        Sensor s = sensors.get(c);
        if (s != null) {
            for (long i = 0; i < n; i++) {
                s.record();
            }
        }
    }

    // ---- the due index -------------------------------------------------------------------------

    private static Long marker(KeyValueStore<Bytes, byte[]> index) {
        byte[] m = index.get(INDEX_MARKER_KEY);
        return m != null && m.length == Long.BYTES ? ByteBuffer.wrap(m).getLong() : null;
    }

    /**
     * Puts the index key of every stored traveller, under a new build id. Keys already there stay: an old one is
     * skipped by the sweep that finds it. Cost: one pass over the travellers store.
     */
    private void rebuildIndex(String task) {
        long started = System.nanoTime();
        long build = new SecureRandom().nextLong();
        long count = 0;
        List<KeyValue<Bytes, byte[]>> keys = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = travellers.all()) {
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                long day = TravellerState.decode(kv.value).indexDay();
                count++;
                if (day != NONE) {
                    keys.add(KeyValue.pair(DueKey.of(day, kv.key), EMPTY));
                }
                if (keys.size() >= REBUILD_BATCH) {
                    dueIndex.putAll(keys);
                    keys.clear();
                }
            }
        }
        dueIndex.putAll(keys);
        dueIndex.put(INDEX_MARKER_KEY, ByteBuffer.allocate(Long.BYTES).putLong(build).array());
        unrecordedBuild = build;
        add(Counter.INDEX_REBUILDS, 1);
        if (count > 0) {
            LOG.info("task {}: stay due index rebuilt from {} traveller states in {} ms", task, count,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    /** Moves the traveller's index key to the day its state now gives, if that changed. */
    private void index(String id, TravellerState st) {
        long day = st.indexDay();
        if (day == st.indexedDay) {
            return;
        }
        if (st.indexedDay != NONE) {
            // put(key, null) deletes without the read that delete() makes to return the old value.
            dueIndex.put(DueKey.of(st.indexedDay, id), null);
        }
        if (day != NONE) {
            dueIndex.put(DueKey.of(day, id), EMPTY);
            dueFloor.wrote(day);
        }
        st.indexedDay = day;
    }

    // ---- input ---------------------------------------------------------------------------------

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (unrecordedBuild != null) {
            control.put(INDEX_BUILD, unrecordedBuild);
            unrecordedBuild = null;
        }
        handle(record);
        advanceClock(record.timestamp());
    }

    private void handle(Record<byte[], byte[]> record) {
        String wm = Watermarks.value(record.headers());
        if (wm != null) {
            inc(Counter.WATERMARKS);
            if (Watermarks.isEnd(wm)) {
                cohorts.handOver();
            }
            return;
        }
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        if (topic.equals(Topics.CROSSINGS.name())) {
            crossing(record, topic);
        } else if (topic.equals(Topics.REGISTRATIONS.name())) {
            registration(record, topic);
        } else if (topic.equals(Topics.IIN_APPLICATIONS.name())) {
            iin(record, topic);
        } else {
            inc(Counter.OTHER_TOPIC);
        }
    }

    private void crossing(Record<byte[], byte[]> record, String topic) {
        Crossing c;
        try {
            c = check.crossing(topic, record.value());
        } catch (BadInputException e) {
            badInput(record, e);
            return;
        }
        String id = c.getTravellerId();
        if (id == null) {
            inc(Counter.ANONYMOUS);
            return;
        }
        CitizenshipClass cls = settings.classify(c.getCitizenship());
        if (cls == null) {
            inc(Counter.NATIONALS);
            return;
        }
        inc(Counter.CROSSINGS);
        long ms = c.getTime().toEpochMilli();
        long minute = Math.floorDiv(ms, MINUTE_MS);
        long day = localDay(ms);
        boolean entry = c.getDirection() == Direction.ENTRY;
        noteDataStart(day);

        TravellerState st = load(id, day);
        boolean outOfOrder = st.lastEventMinute != NONE && minute < st.lastEventMinute;
        if (!outOfOrder && minute == st.lastEventMinute && entry == st.present()) {
            inc(Counter.DUPLICATES);
            return;
        }
        TravellerState next = st.copy();
        next.citizenship = cls;
        next.citizenshipCode = c.getCitizenship();
        List<String[]> notes = new ArrayList<>(1);
        try {
            if (outOfOrder) {
                if (!applyLate(next, entry, day, notes)) {
                    inc(Counter.OUT_OF_ORDER_REJECTED);
                    problem(record, id, "OUT_OF_ORDER", "not applied: " + (entry ? "an entry" : "an exit") + " on "
                            + LocalDate.ofEpochDay(day) + ", older than the traveller's last crossing ("
                            + LocalDate.ofEpochDay(localDay(st.lastEventMinute * MINUTE_MS))
                            + "), fits no gap the earlier records left; the status stays as it was");
                    save(id, st);
                    return;
                }
                inc(Counter.OUT_OF_ORDER_APPLIED);
            } else {
                applyInOrder(next, entry, day, notes);
                next.lastEventMinute = minute;
            }
            next.history(); // validates: stays sorted, no overlap, dates in range
        } catch (IllegalArgumentException e) {
            inc(Counter.REJECTED);
            problem(record, id, "REJECTED", "not applied: " + e.getMessage());
            save(id, st);
            return;
        }
        for (String[] n : notes) {
            problem(record, id, n[0], n[1]);
        }
        if (!outOfOrder) {
            cohorts.crossing(id, next, st.lastEventMinute == NONE, entry, day, c.getCitizenship(), record.timestamp());
        }
        long asOf = lastCrossingDay(next);
        prune(next);
        StayStatus es = compute(next, asOf);
        if (es != null) {
            emitStatus(id, next, es, c.getTime(), record.timestamp());
        } else {
            inc(Counter.NO_RULE);
        }
        alerts(id, next, es, record.timestamp());
        review(next, asOf, es);
        save(id, next);
    }

    private void registration(Record<byte[], byte[]> record, String topic) {
        Registration r;
        try {
            r = check.registration(topic, record.value());
        } catch (BadInputException e) {
            badInput(record, e);
            return;
        }
        inc(Counter.REGISTRATIONS);
        if (r.getKind() == RegistrationKind.HOST_NOTIFICATION) {
            inc(Counter.HOST_NOTIFICATIONS);
            cohorts.hostNotified(r.getTravellerId(), localDay(r.getTime().toEpochMilli()), record.timestamp());
            return;
        }
        String id = r.getTravellerId();
        Permit permit;
        try {
            PermitPeriod p = new PermitPeriod(r.getValidFrom(), r.getValidTo());
            permit = new Permit(p.from().toEpochDay(), p.to() == null ? NONE : p.to().toEpochDay());
        } catch (IllegalArgumentException | NullPointerException e) {
            inc(Counter.INVALID_PERMIT);
            problem(record, id, "INVALID_PERMIT", "not applied: " + e.getMessage());
            return;
        }
        long ms = r.getTime().toEpochMilli();
        long regDay = localDay(ms);
        TravellerState st = load(id, regDay);
        if (st.permits.contains(permit)) {
            save(id, st);
            return;
        }
        st.permits.add(permit);
        inc(Counter.PERMITS);
        cohorts.permit(st, regDay, record.timestamp());
        long asOf = st.lastEventMinute == NONE ? regDay : Math.max(regDay, lastCrossingDay(st));
        StayStatus es = null;
        if (st.citizenship != null && !st.stays.isEmpty()) {
            prune(st);
            es = compute(st, asOf);
            if (es != null) {
                emitStatus(id, st, es, r.getTime(), record.timestamp());
            } else {
                inc(Counter.NO_RULE);
            }
            alerts(id, st, es, record.timestamp());
        }
        review(st, asOf, es);
        save(id, st);
    }

    /** IIN applications matter only to arrival cohorts; they never create a traveller. */
    private void iin(Record<byte[], byte[]> record, String topic) {
        IinApplication a;
        try {
            a = check.iin(topic, record.value());
        } catch (BadInputException e) {
            badInput(record, e);
            return;
        }
        inc(Counter.IIN_APPLICATIONS);
        if (a.getStage() == IinStage.APPLIED) {
            cohorts.iinApplied(a.getTravellerId(), localDay(a.getTime().toEpochMilli()), record.timestamp());
        }
    }

    /**
     * The traveller's state; a new one when unknown, or when the old one may be forgotten on {@code day} (the
     * same rule as the sweep's, so the result does not depend on whether a sweep ran in between).
     */
    private TravellerState load(String id, long day) {
        byte[] stored = travellers.get(id);
        if (stored != null) {
            TravellerState st = TravellerState.decode(stored);
            if (!st.removable(day)) {
                return st;
            }
            if (st.indexedDay != NONE) {
                dueIndex.put(DueKey.of(st.indexedDay, id), null);
            }
            travellers.delete(id);
            inc(Counter.TRAVELLERS_REMOVED);
        }
        inc(Counter.TRAVELLERS_CREATED);
        return new TravellerState();
    }

    /** Stores the state and moves its index key (a state saved unchanged moves nothing). */
    private void save(String id, TravellerState st) {
        if (st.empty()) {
            travellers.delete(id);
        } else {
            index(id, st);
            travellers.put(id, st.encode());
        }
    }

    // ---- crossing rules ------------------------------------------------------------------------

    /** A crossing not older than the traveller's last one. */
    private void applyInOrder(TravellerState st, boolean entry, long day, List<String[]> notes) {
        Visit open = st.openStay();
        if (entry) {
            if (open != null) {
                long exit = assumedExit(st, open, day);
                open.exit = exit;
                open.exitAssumed = true;
                inc(Counter.ENTRY_WHILE_PRESENT);
                notes.add(new String[] {"ENTRY_WHILE_PRESENT", "entry on " + LocalDate.ofEpochDay(day)
                        + " while present since " + LocalDate.ofEpochDay(open.entry) + " with no exit in between: "
                        + "the earlier stay is taken to end on " + LocalDate.ofEpochDay(exit)
                        + " (as late as lawful, at most the day before this entry)"});
            } else {
                Visit last = st.lastClosed();
                if (last != null && !last.exitAssumed && day - last.exit <= VISA_RUN_DAYS) {
                    inc(Counter.VISA_RUNS);
                }
            }
            st.stays.add(new Visit(day, NONE, false, false));
            return;
        }
        if (open != null) {
            if (day < open.entry) {
                throw new IllegalArgumentException("exit on " + LocalDate.ofEpochDay(day) + " before the entry on "
                        + LocalDate.ofEpochDay(open.entry));
            }
            open.exit = day;
            return;
        }
        long entryDay = assumedEntry(st, day);
        st.stays.add(new Visit(entryDay, day, true, false));
        inc(Counter.EXIT_WITHOUT_ENTRY);
        notes.add(new String[] {"EXIT_WITHOUT_ENTRY", "exit on " + LocalDate.ofEpochDay(day)
                + " without a known entry: presence assumed from " + LocalDate.ofEpochDay(entryDay)
                + " (the longest lawful stay ending that day, not before the data start or the previous exit)"});
    }

    /**
     * ENTRY_WHILE_PRESENT: the missing exit is presumed as late as the rules allow. The earlier stay ends on
     * the latest day, at most the day before the new entry, such that neither it nor the new entry day has an
     * overstay day it would not have had without it; never before its own entry. Two entries on one day make
     * a one-day stay touching the new one.
     */
    private long assumedExit(TravellerState st, Visit open, long day) {
        if (open.entry >= day) {
            return day;
        }
        StayCalculator calc = calculators.get(st.citizenship);
        List<Visit> earlier = new ArrayList<>(st.stays.subList(0, st.stays.size() - 1));
        List<Visit> withoutIt = new ArrayList<>(earlier);
        withoutIt.add(new Visit(day, NONE, false, false));
        int before = overstayDays(calc, withoutIt, st.permits, day);
        if (lawfulExit(calc, st, earlier, open.entry, day - 1, day, before)) {
            return day - 1;
        }
        if (!lawfulExit(calc, st, earlier, open.entry, open.entry, day, before)) {
            return open.entry;
        }
        long lo = open.entry; // lawful
        long hi = day - 2; // find the last lawful exit in [lo, hi]
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (lawfulExit(calc, st, earlier, open.entry, mid, day, before)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private static boolean lawfulExit(StayCalculator calc, TravellerState st, List<Visit> earlier, long entry,
                                      long exit, long newEntry, int before) {
        List<Visit> stays = new ArrayList<>(earlier);
        stays.add(new Visit(entry, exit, false, true));
        stays.add(new Visit(newEntry, NONE, false, false));
        return overstayDays(calc, stays, st.permits, newEntry) <= before;
    }

    /** The engine's overstay days on {@code day}; 0 when no rule governs (no limit to break). */
    private static int overstayDays(StayCalculator calc, List<Visit> stays, List<Permit> permits, long day) {
        try {
            return calc.control(TravellerState.history(stays, permits), LocalDate.ofEpochDay(day)).overstayDays();
        } catch (NoRuleInForceException e) {
            return 0;
        }
    }

    /**
     * EXIT_WITHOUT_ENTRY: the earliest entry from which a stay up to {@code exit} breaks no rule, but not
     * before the data start, the previous exit, or 90 days before the exit; the exit day itself at least.
     */
    private long assumedEntry(TravellerState st, long exit) {
        long lb = exit - (LONGEST_LEGAL_STAY - 1);
        long start = settings.dataStart() != null ? settings.dataStart().toEpochDay() : dataStartDay;
        if (start != NONE) {
            lb = Math.max(lb, start);
        }
        Visit last = st.lastClosed();
        if (last != null) {
            lb = Math.max(lb, last.exit);
        }
        lb = Math.min(lb, exit);
        StayCalculator calc = calculators.get(st.citizenship);
        int before;
        try {
            before = st.stays.isEmpty() ? 0 : calc.control(st.history(), LocalDate.ofEpochDay(exit)).overstayDays();
        } catch (NoRuleInForceException e) {
            before = 0;
        }
        if (lawful(calc, st, lb, exit, before)) {
            return lb;
        }
        if (!lawful(calc, st, exit, exit, before)) {
            return exit;
        }
        long lo = lb + 1;
        long hi = exit; // lawful(hi) holds; find the first lawful entry in [lo, hi]
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            if (lawful(calc, st, mid, exit, before)) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return hi;
    }

    /** Whether a stay [entry, exit] added to the history adds no overstay day. */
    private static boolean lawful(StayCalculator calc, TravellerState st, long entry, long exit, int before) {
        List<Visit> stays = new ArrayList<>(st.stays);
        stays.add(new Visit(entry, exit, true, false));
        try {
            return calc.control(TravellerState.history(stays, st.permits), LocalDate.ofEpochDay(exit)).overstayDays()
                    <= before;
        } catch (NoRuleInForceException e) {
            return true;
        }
    }

    /**
     * OUT_OF_ORDER: a crossing older than the traveller's last one is applied only where it supplies a record
     * an earlier rule had to assume: an entry for an exit without entry, an exit for an entry while present.
     */
    private static boolean applyLate(TravellerState st, boolean entry, long day, List<String[]> notes) {
        List<Visit> stays = st.stays;
        for (int i = 0; i < stays.size(); i++) {
            Visit s = stays.get(i);
            if (entry && s.entryAssumed && !s.open() && day <= s.exit
                    && (i == 0 || stays.get(i - 1).exit <= day)) {
                long was = s.entry;
                s.entry = day;
                s.entryAssumed = false;
                notes.add(new String[] {"OUT_OF_ORDER", "applied: a late entry on " + LocalDate.ofEpochDay(day)
                        + " replaces the entry assumed on " + LocalDate.ofEpochDay(was) + " for the exit on "
                        + LocalDate.ofEpochDay(s.exit)});
                return true;
            }
            if (!entry && s.exitAssumed && !s.open() && s.entry <= day
                    && (i + 1 == stays.size() || stays.get(i + 1).entry >= day)) {
                long was = s.exit;
                s.exit = day;
                s.exitAssumed = false;
                notes.add(new String[] {"OUT_OF_ORDER", "applied: a late exit on " + LocalDate.ofEpochDay(day)
                        + " replaces the exit assumed on " + LocalDate.ofEpochDay(was) + " for the stay entered on "
                        + LocalDate.ofEpochDay(s.entry)});
                return true;
            }
        }
        return false;
    }

    // ---- engine, pruning, output ---------------------------------------------------------------

    private long lastCrossingDay(TravellerState st) {
        return localDay(st.lastEventMinute * MINUTE_MS);
    }

    /** The engine's status on {@code day}, or null when it has none (no crossing yet, or no rule). */
    private StayStatus compute(TravellerState st, long day) {
        if (st.citizenship == null || st.stays.isEmpty()) {
            return null;
        }
        try {
            return calculators.get(st.citizenship).control(st.history(), LocalDate.ofEpochDay(day));
        } catch (NoRuleInForceException e) {
            return null;
        }
    }

    /**
     * Drops closed stays and permits that can no longer matter after the traveller's last crossing day D, so
     * that every figure the engine gives on D or later is unchanged:
     * <ul>
     * <li>stays that ended 180 days or more before D (no later 180-day period reaches them);</li>
     * <li>permits that ended before that and before the current chain of stays (touching or adjacent stays
     * ending with the last one) began, so no per-stay count still running or still looked back on changes.</li>
     * </ul>
     * If the traveller is over the limit on D, the must-leave-by day looks back to the start R of the current
     * run of overstay days: stays must then have ended 180 days before R, permits 181 days before R (dropping
     * one adds counted days, which must not make day R-1 an overstay day). The overstay days the dropped
     * records carried are kept in {@code baseOverstayDays} (the engine's count on D with them, less the count
     * without them): days after D are judged the same with or without them.
     */
    private void prune(TravellerState st) {
        if (st.lastEventMinute == NONE || st.citizenship == null) {
            return;
        }
        long d = lastCrossingDay(st);
        long stayCut = d - RuleVersion.WINDOW_DAYS;
        long chain = chainStart(st);
        if (prunable(st, stayCut) == 0 && keptPermits(st, stayCut, chain).size() == st.permits.size()) {
            return;
        }
        StayCalculator calc = calculators.get(st.citizenship);
        LocalDate on = LocalDate.ofEpochDay(d);
        StayStatus full;
        try {
            full = calc.control(st.history(), on);
        } catch (NoRuleInForceException e) {
            return; // cannot account for them now; try again on a later event
        }
        long permitCut = stayCut;
        if (full.overLimit() && full.mustLeaveBy() != null) {
            long runStart = full.mustLeaveBy().toEpochDay() + 1;
            stayCut = Math.min(stayCut, runStart - RuleVersion.WINDOW_DAYS);
            permitCut = Math.min(permitCut, runStart - RuleVersion.WINDOW_DAYS - 1);
        }
        int k = prunable(st, stayCut);
        List<Permit> keep = keptPermits(st, permitCut, chain);
        if (k == 0 && keep.size() == st.permits.size()) {
            return;
        }
        List<Visit> kept = new ArrayList<>(st.stays.subList(k, st.stays.size()));
        int reduced;
        try {
            reduced = kept.isEmpty() ? 0 : calc.control(TravellerState.history(kept, keep), on).overstayDays();
        } catch (NoRuleInForceException e) {
            return;
        }
        st.baseOverstayDays += full.overstayDays() - reduced;
        add(Counter.STAYS_PRUNED, k);
        st.stays.clear();
        st.stays.addAll(kept);
        st.permits.clear();
        st.permits.addAll(keep);
    }

    /** How many leading stays are closed and ended on or before {@code cutoff}. */
    private static int prunable(TravellerState st, long cutoff) {
        int k = 0;
        while (k < st.stays.size() && !st.stays.get(k).open() && st.stays.get(k).exit <= cutoff) {
            k++;
        }
        return k;
    }

    /** The entry of the first stay of the run of touching or adjacent stays that ends with the last stay. */
    private static long chainStart(TravellerState st) {
        if (st.stays.isEmpty()) {
            return NONE;
        }
        long start = st.stays.get(st.stays.size() - 1).entry;
        for (int i = st.stays.size() - 2; i >= 0; i--) {
            Visit prev = st.stays.get(i);
            if (prev.exit < start - 1) {
                break;
            }
            start = prev.entry;
        }
        return start;
    }

    /** The permits to keep: open-ended, ending after {@code cutoff}, or not before the chain of stays began. */
    private static List<Permit> keptPermits(TravellerState st, long cutoff, long chainStart) {
        List<Permit> keep = new ArrayList<>(st.permits.size());
        for (Permit p : st.permits) {
            if (p.open() || p.to() > cutoff || (chainStart != NONE && p.to() >= chainStart)) {
                keep.add(p);
            }
        }
        return keep;
    }

    static StayState state(StayStatus es, int warningDays) {
        if (es.exempt()) {
            return StayState.EXEMPT;
        }
        if (es.overLimit()) {
            return StayState.OVERSTAY;
        }
        if (es.present() && es.daysRemaining() <= warningDays) {
            return StayState.WARNING;
        }
        return StayState.COMPLIANT;
    }

    private void emitStatus(String id, TravellerState st, StayStatus es, Instant time, long timestamp) {
        StayState state = state(es, settings.warningDays());
        io.borderflow.avro.StayStatus out = new io.borderflow.avro.StayStatus(id, state, es.rule().id(), es.on(),
                es.daysUsed(), es.daysRemaining(), st.baseOverstayDays + es.overstayDays(), es.mustLeaveBy(), time);
        context.forward(new Record<>(id, out, timestamp));
        st.lastStatus = state;
        inc(Counter.STATUSES);
    }

    /** Raises the overstay alert once when the traveller is over the limit; resolves it on exit or permit. */
    private void alerts(String id, TravellerState st, StayStatus es, long timestamp) {
        boolean over = es != null && es.overLimit();
        int days = st.baseOverstayDays + (es == null ? 0 : es.overstayDays());
        if (over && !st.alertRaised) {
            st.alertRaised = true;
            st.alertStartMinute = Math.floorDiv(timestamp, MINUTE_MS);
            inc(Counter.OVERSTAYS_RAISED);
            context.forward(new Record<>(id, alert(id, st, AlertState.RAISED, null, days, "overstay under "
                    + es.rule().id() + ": " + days + " overstay day(s) by " + es.on() + "; last legal day "
                    + es.mustLeaveBy()), timestamp));
        }
        if (st.alertRaised && (!st.present() || !over)) {
            String why = !st.present() ? "left the country" : es != null && es.exempt() ? "residence permit"
                    : "no longer over the limit";
            st.alertRaised = false;
            inc(Counter.OVERSTAYS_RESOLVED);
            context.forward(new Record<>(id, alert(id, st, AlertState.RESOLVED, timestamp, days,
                    "overstay ended (" + why + "); " + days + " overstay day(s) in all"), timestamp));
        }
    }

    private static Alert alert(String id, TravellerState st, AlertState state, Long end, int days, String message) {
        Instant start = Instant.ofEpochMilli(st.alertStartMinute * MINUTE_MS);
        return Alert.newBuilder()
                .setAlertId(StayTopology.ALERT_RULE + '|' + id + '|' + start)
                .setRule(StayTopology.ALERT_RULE)
                .setSeverity(Severity.WARNING)
                .setState(state)
                .setDimension(StayTopology.ALERT_DIMENSION)
                .setKey(id)
                .setWindow(null)
                .setWindowStart(null)
                .setWindowEnd(null)
                .setValue(days)
                .setThreshold(0)
                .setStartTime(start)
                .setEndTime(end == null ? null : Instant.ofEpochMilli(end))
                .setMessage(message)
                .build();
    }

    /** Counted always; dead-lettered unless another stage of the app does it (each bad record once). */
    private void badInput(Record<byte[], byte[]> record, BadInputException e) {
        inc(switch (e.reason()) {
            case DeadLetters.EMPTY -> Counter.EMPTY;
            case DeadLetters.DESERIALIZATION -> Counter.DESERIALIZATION;
            default -> Counter.INVALID;
        });
        if (reportInputErrors) {
            problem(record, null, e.reason(), e.getMessage(), e.errorClass());
        }
    }

    private void problem(Record<byte[], byte[]> record, String id, String reason, String detail) {
        problem(record, id, reason, detail, null);
    }

    private void problem(Record<byte[], byte[]> record, String id, String reason, String detail, String errorClass) {
        metrics.problem(reason);
        Optional<RecordMetadata> meta = context.recordMetadata();
        DeadLetter d = new DeadLetter(meta.map(RecordMetadata::topic).orElse("unknown"),
                meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L),
                record.key() == null ? null : ByteBuffer.wrap(record.key()),
                record.value() == null ? null : ByteBuffer.wrap(record.value()), reason, detail,
                Instant.ofEpochMilli(record.timestamp()), errorClass);
        context.forward(new Record<>(id != null ? id : reason, d, record.timestamp()));
    }

    // ---- review day and midnight sweep ---------------------------------------------------------

    /**
     * The day after which the traveller's standing changes without a crossing: for a traveller present and
     * not exempt, the must-leave-by day (or the day before a known permit starts, if earlier); exempt, the last
     * day of the permit cover; over the limit, the day before a known permit starts; absent, the day before
     * the traveller may be forgotten. NONE: nothing to review (present without a rule, an open-ended permit).
     */
    static long nextReview(TravellerState st, long asOf, StayStatus es) {
        if (st.present()) {
            if (es == null) {
                return NONE;
            }
            if (es.exempt()) {
                return st.exemptionEnd(asOf);
            }
            long review = es.overLimit() || es.mustLeaveBy() == null ? NONE : es.mustLeaveBy().toEpochDay();
            long permit = st.nextPermitStart(asOf);
            if (permit != NONE && (review == NONE || permit - 1 < review)) {
                review = permit - 1;
            }
            return review;
        }
        long review = NONE;
        Visit last = st.lastClosed();
        if (last != null) {
            review = last.exit + RuleVersion.WINDOW_DAYS;
        }
        for (Permit p : st.permits) {
            if (p.open()) {
                return NONE;
            }
            review = Math.max(review, p.to() + 1);
        }
        return review;
    }

    /** Sets the review day; {@link #save} moves the index key. */
    private static void review(TravellerState st, long asOf, StayStatus es) {
        st.reviewDay = nextReview(st, asOf, es);
    }

    /**
     * The keys of the due index whose day is before {@code today}, scanned from the floor, which then moves to
     * {@code today}: the caller removes them (and {@link #index} notes any key written back in the floor).
     */
    private List<Bytes> dueBefore(long today) {
        List<Bytes> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = dueIndex.range(DueKey.of(dueFloor.from(LOWEST_DAY), null),
                DueKey.of(today, null))) {
            while (it.hasNext()) {
                due.add(it.next().key);
            }
        }
        dueFloor.cleared(today);
        return due;
    }

    /**
     * The task's stream time, kept here rather than read in a stream-time punctuator: a punctuator due every few
     * records makes Kafka Streams halve its records-per-task batch each time (StreamThread.runOnce) and check every
     * task of the thread between records, which cost more than the stay rules themselves. Kept the same way as
     * stream time (the highest timestamp of the records and watermarks of the task's inputs) and acted on where the
     * punctuator ran, after the record that moved it: the sweep of a day runs at its first stream time.
     */
    private void advanceClock(long timestamp) {
        if (timestamp <= clock) {
            return;
        }
        boolean newMinute = clock == Long.MIN_VALUE || Math.floorDiv(timestamp, MINUTE_MS) > Math.floorDiv(clock, MINUTE_MS);
        clock = timestamp;
        if (!newMinute) {
            return;
        }
        metrics.eventTime(timestamp);
        long today = localDay(timestamp);
        if (lastSweepDay == NONE || today > lastSweepDay) {
            lastSweepDay = today;
            sweep(today, timestamp);
        }
        cohorts.tick(timestamp);
    }

    /**
     * At the first stream time of local day T: every traveller whose index day is T-1 or earlier. One whose review
     * day is T-1 or earlier is reviewed: present, re-evaluated on T (one past the must-leave-by is overstaying:
     * OVERSTAY status and one alert); absent without presence in the 180 days to T-1, forgotten. Then the
     * cohort thresholds due on T or earlier are decided ({@link Cohorts#sweep}). Cost: the due travellers.
     */
    private void sweep(long today, long streamTime) {
        inc(Counter.SWEEPS);
        List<Bytes> due = dueBefore(today);
        int overstays = 0;
        int removed = 0;
        long decided = 0;
        for (Bytes key : due) {
            dueIndex.put(key, null);
            String id = DueKey.id(key);
            byte[] stored = travellers.get(id);
            if (stored == null) {
                continue;
            }
            TravellerState st = TravellerState.decode(stored);
            if (st.indexedDay != DueKey.day(key)) {
                continue; // stale entry
            }
            st.indexedDay = NONE; // just removed
            if (st.reviewDay != NONE && st.reviewDay < today) {
                inc(Counter.DUE);
                st.reviewDay = NONE;
                if (st.removable(today - 1)) {
                    travellers.delete(id);
                    inc(Counter.TRAVELLERS_REMOVED);
                    removed++;
                    continue;
                }
                StayStatus es = null;
                if (st.present()) {
                    prune(st);
                    es = compute(st, today);
                    if (es != null) {
                        StayState s = state(es, settings.warningDays());
                        if (s != st.lastStatus || s == StayState.OVERSTAY && !st.alertRaised) {
                            emitStatus(id, st, es, Instant.ofEpochMilli(streamTime), streamTime);
                        }
                        if (s == StayState.OVERSTAY && !st.alertRaised) {
                            overstays++;
                        }
                    }
                    alerts(id, st, es, streamTime);
                }
                review(st, today, es);
            }
            decided += cohorts.sweep(st, today, streamTime);
            save(id, st);
        }
        add(Counter.COHORT_THRESHOLDS_SWEPT, decided);
        if (!due.isEmpty() && LOG.isDebugEnabled()) {
            LOG.debug("stay sweep {}: {} due, {} new overstay(s), {} forgotten, {} cohort threshold(s) decided",
                    LocalDate.ofEpochDay(today), due.size(), overstays, removed, decided);
        }
    }

    // ---- time ----------------------------------------------------------------------------------

    long localDay(long epochMs) {
        int offset = zoneRules.getOffset(Instant.ofEpochMilli(epochMs)).getTotalSeconds();
        return Math.floorDiv(Math.floorDiv(epochMs, 1000L) + offset, 86_400L);
    }

    /** The data start for the exit-without-entry rule: the earliest crossing day this task has seen. */
    private void noteDataStart(long day) {
        if (dataStartDay == NONE || day < dataStartDay) {
            dataStartDay = day;
            control.put(DATA_START, day);
        }
    }
}
