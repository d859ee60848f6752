package io.borderflow.alert;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.NetFlowWindow;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * The alerting decisions, free of Kafka: fed final windows (roughly in window order) it returns
 * the alerts to emit. Each (rule, key) has a {@link RuleState} kept in a {@link StateStore} under
 * {@code rule|key}, so the Kafka processor can keep it in a changelogged store; everything held in
 * memory here is rebuilt from the store by the constructor.
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>An alert is RAISED on the first offending window and RESOLVED on the first following window
 *       of the same rule and key that does not offend; offending windows in between emit nothing.
 *       Its id is {@code rule|key|start} (start as an ISO instant), the same for both records.</li>
 *   <li>A window with no traffic has no record. A slot counts as complete once a final window of
 *       the same size for any key has reached the end of the <em>next</em> slot (one window of
 *       slack for finals that arrive slightly out of order). An alert whose next window is complete
 *       without a record for its key is resolved (no crossings means no net outflow and no surge).</li>
 *   <li>Surge baselines count windows without a record as 0 and need the key to have been seen
 *       {@code history} windows before the one judged.</li>
 *   <li>Silent: a key whose last window with traffic was slot t is raised once slots t+1 .. t+hours
 *       are complete, if the key was seen at least {@code baselineHours} before and averaged at least
 *       {@code minPerHour} entries + exits per hour over the {@code baselineHours} hours up to t.
 *       It resolves on the next window with traffic.</li>
 *   <li>Stream time, per window size, is the largest {@code windowEnd} of the final windows seen
 *       (all keys), or what {@link #advanceStreamTime} was given.</li>
 *   <li>A window at or before the last one evaluated for a rule and key (a restatement, or out of
 *       order) only updates the baselines; it never raises or resolves.</li>
 * </ul>
 */
public final class AlertEvaluator {

    /** Where per-(rule, key) states and stream times are kept. Not shared between threads. */
    public interface StateStore {
        byte[] get(String key);

        void put(String key, byte[] value);

        void delete(String key);

        /** Every entry; the action must not modify the store. */
        void forEach(BiConsumer<String, byte[]> action);
    }

    /** A store in a sorted map, for tests and for use without Kafka. */
    public static StateStore memoryStore() {
        TreeMap<String, byte[]> map = new TreeMap<>();
        return new StateStore() {
            @Override
            public byte[] get(String key) {
                return map.get(key);
            }

            @Override
            public void put(String key, byte[] value) {
                map.put(key, value);
            }

            @Override
            public void delete(String key) {
                map.remove(key);
            }

            @Override
            public void forEach(BiConsumer<String, byte[]> action) {
                map.forEach(action);
            }
        };
    }

    /** Store key prefix of the stream time of one window size; '#' never starts a rule name. */
    static final String STREAM_TIME_KEY = "#stream-time|";
    /** Separator of rule name and key in store keys and alert keys. */
    public static final char SEPARATOR = '|';

    private static final long HOUR_MS = 3_600_000L;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mmxxx", Locale.ROOT);

    private final AlertRules rules;
    private final ZoneId zone;
    private final StateStore store;
    private final Map<WindowSize, Long> streamTime = new EnumMap<>(WindowSize.class);
    private final Map<WindowSize, TreeSet<Deadline>> due = new EnumMap<>(WindowSize.class);
    private final Map<String, Deadline> dueByKey = new HashMap<>();

    /** When a state needs looking at even if no window arrives for its key. */
    private record Deadline(long at, String stateKey) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : stateKey.compareTo(o.stateKey);
        }
    }

    /** An evaluator with its state in memory. */
    public AlertEvaluator(AlertRules rules) {
        this(rules, memoryStore());
    }

    /** An evaluator continuing from whatever {@code store} holds. */
    public AlertEvaluator(AlertRules rules, StateStore store) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.zone = rules.zone();
        this.store = Objects.requireNonNull(store, "store");
        for (WindowSize s : WindowSize.values()) {
            due.put(s, new TreeSet<>());
        }
        rebuild();
    }

    public AlertRules rules() {
        return rules;
    }

    /** Stream time of this window size: the largest windowEnd seen; null before any. */
    public Instant streamTime(WindowSize size) {
        Long t = streamTime.get(size);
        return t == null ? null : Instant.ofEpochMilli(t);
    }

    /** The store key of a rule's state for one key; also the Kafka key of its alerts. */
    public static String stateKey(String rule, String key) {
        return rule + SEPARATOR + key;
    }

    /** Per configured rule, how many of its alerts are raised and not resolved (0 for a quiet rule). */
    public Map<String, Long> firingByRule() {
        Map<String, Long> firing = new TreeMap<>();
        rules.rules().forEach(r -> firing.put(r.name(), 0L));
        store.forEach((k, v) -> {
            AlertRule rule = k.startsWith(STREAM_TIME_KEY) ? null : ruleOf(k);
            if (rule != null && v != null && decode(k, v, rule).active) {
                firing.merge(rule.name(), 1L, Long::sum);
            }
        });
        return firing;
    }

    private void rebuild() {
        List<String> reset = new ArrayList<>();
        Map<String, RuleState> states = new HashMap<>();
        store.forEach((k, v) -> {
            if (k.startsWith(STREAM_TIME_KEY)) {
                WindowSize size = WindowSize.fromId(k.substring(STREAM_TIME_KEY.length()));
                if (size != null && v != null && v.length == Long.BYTES) {
                    streamTime.put(size, ByteBuffer.wrap(v).getLong());
                }
                return;
            }
            AlertRule rule = ruleOf(k);
            if (rule == null || v == null) {
                return; // a rule no longer configured: its state waits in case it comes back
            }
            RuleState st = decode(k, v, rule);
            if (st == null) {
                reset.add(k);
            } else {
                states.put(k, st);
            }
        });
        reset.forEach(store::delete);
        states.forEach((k, st) -> schedule(k, ruleOf(k), st));
    }

    private AlertRule ruleOf(String stateKey) {
        int bar = stateKey.indexOf(SEPARATOR);
        return bar < 0 ? null : rules.rule(stateKey.substring(0, bar)).orElse(null);
    }

    private static RuleState decode(String stateKey, byte[] bytes, AlertRule rule) {
        try {
            return RuleState.decode(bytes, rule.type());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("alert-state entry '" + stateKey + "': " + e.getMessage(), e);
        }
    }

    private RuleState load(String stateKey, AlertRule rule) {
        byte[] bytes = store.get(stateKey);
        RuleState st = bytes == null ? null : decode(stateKey, bytes, rule);
        return st == null ? new RuleState(rule.type()) : st;
    }

    // ---- input -------------------------------------------------------------------------------

    /**
     * Evaluates one window; returns the alerts to emit, in order. Windows that are not final, and
     * sizes no rule can look at (7d), are ignored.
     */
    public List<Alert> onWindow(NetFlowWindow w) {
        if (w == null || !w.getFinal$()) {
            return List.of();
        }
        WindowSize size = WindowSize.fromId(w.getWindow());
        if (size == null || w.getWindowStart() == null || w.getWindowEnd() == null || w.getKey() == null) {
            return List.of();
        }
        long slot = size.slotOf(w.getWindowStart(), w.getWindowEnd(), zone);
        List<Alert> out = new ArrayList<>();
        if (w.getDimension() != null) {
            for (AlertRule rule : rules.matching(w.getDimension(), size, w.getKey())) {
                String sk = stateKey(rule.name(), w.getKey());
                RuleState st = load(sk, rule);
                if (rule.type() == AlertRule.Type.SILENT) {
                    onSilent(rule, w.getKey(), st, w, slot, out);
                } else {
                    onWindowRule(rule, w.getKey(), st, w, slot, out);
                }
                store.put(sk, st.encode());
                schedule(sk, rule, st);
            }
        }
        advance(size, w.getWindowEnd().toEpochMilli(), out);
        return out;
    }

    /**
     * Moves stream time of every window size forward to {@code time} (never back), e.g. from a
     * watermark; returns the alerts that become due.
     */
    public List<Alert> advanceStreamTime(Instant time) {
        List<Alert> out = new ArrayList<>();
        for (WindowSize size : WindowSize.values()) {
            advance(size, time.toEpochMilli(), out);
        }
        return out;
    }

    private void advance(WindowSize size, long time, List<Alert> out) {
        Long now = streamTime.get(size);
        if (now == null || time > now) {
            streamTime.put(size, time);
            store.put(STREAM_TIME_KEY + size.id(), ByteBuffer.allocate(Long.BYTES).putLong(time).array());
            now = time;
        }
        TreeSet<Deadline> queue = due.get(size);
        while (!queue.isEmpty() && queue.first().at() <= now) {
            Deadline d = queue.pollFirst();
            dueByKey.remove(d.stateKey());
            AlertRule rule = ruleOf(d.stateKey());
            if (rule == null) {
                continue;
            }
            String key = d.stateKey().substring(rule.name().length() + 1);
            RuleState st = load(d.stateKey(), rule);
            if (rule.type() == AlertRule.Type.SILENT) {
                silentDue(rule, key, st, now, out);
            } else if (st.active && st.lastSlot != null && now >= size.end(st.lastSlot + 2, zone).toEpochMilli()) {
                // The window after the last offending one is complete and had no record: no traffic.
                long absent = st.lastSlot + 1;
                resolveWindowRule(rule, key, st, "the next " + rule.window() + " window from "
                        + time(size.start(absent, zone).toEpochMilli()) + " had no crossings", out);
                st.lastSlot = absent;
            }
            store.put(d.stateKey(), st.encode());
            schedule(d.stateKey(), rule, st);
        }
    }

    private void schedule(String stateKey, AlertRule rule, RuleState st) {
        Deadline old = dueByKey.remove(stateKey);
        if (old != null) {
            due.get(rule.window()).remove(old);
        }
        Long at = deadline(rule, st);
        if (at != null) {
            Deadline d = new Deadline(at, stateKey);
            due.get(rule.window()).add(d);
            dueByKey.put(stateKey, d);
        }
    }

    /** The stream time at which this state must be looked at without a window for its key. */
    private Long deadline(AlertRule rule, RuleState st) {
        if (st.lastSlot == null) {
            return null;
        }
        if (rule.type() == AlertRule.Type.SILENT) {
            // Silent slots t+1 .. t+hours are all complete once slot t+hours+1 has ended.
            return st.active || !baselineMet(rule, st) ? null
                    : rule.window().end(st.lastSlot + rule.hours() + 1, zone).toEpochMilli();
        }
        // Slot lastSlot+1 is complete once slot lastSlot+2 has ended.
        return st.active ? rule.window().end(st.lastSlot + 2, zone).toEpochMilli() : null;
    }

    // ---- net-outflow and surge ---------------------------------------------------------------

    private void onWindowRule(AlertRule rule, String key, RuleState st, NetFlowWindow w, long slot, List<Alert> out) {
        long entries = w.getEntries();
        long exits = w.getExits();
        if (st.lastSlot != null && slot <= st.lastSlot) {
            // A restatement or a straggler: keep the baseline right, never raise or resolve on it.
            if (rule.type() == AlertRule.Type.SURGE && slot > st.lastSlot - rule.history()) {
                st.history.put(slot, entries);
            }
            if (st.firstSlot == null || slot < st.firstSlot) {
                st.firstSlot = slot;
            }
            return;
        }
        if (st.active && slot > st.lastSlot + 1) {
            resolveWindowRule(rule, key, st, "the next " + rule.window() + " window from "
                    + time(rule.window().start(st.lastSlot + 1, zone).toEpochMilli()) + " had no crossings", out);
        }
        double value;
        double threshold;
        boolean offending;
        String detail;
        if (rule.type() == AlertRule.Type.NET_OUTFLOW) {
            value = (double) exits - entries;
            threshold = rule.threshold();
            offending = value > threshold;
            detail = "exits " + exits + " - entries " + entries + " = " + num(value)
                    + (offending ? " > " : " <= ") + "threshold " + num(threshold);
        } else {
            boolean enough = st.firstSlot != null && slot - st.firstSlot >= rule.history();
            double median = median(st, slot, rule.history());
            value = entries;
            threshold = rule.factor() * median;
            offending = enough && value > threshold && entries >= rule.minEntries();
            detail = "entries " + entries + (value > threshold ? " > " : " <= ") + num(rule.factor())
                    + " x median " + num(median) + " of the previous " + rule.history() + " windows = "
                    + num(threshold);
            st.history.put(slot, entries);
            st.pruneBefore(slot - rule.history() + 1);
        }
        if (st.firstSlot == null || slot < st.firstSlot) {
            st.firstSlot = slot;
        }
        st.lastSlot = slot;
        long start = w.getWindowStart().toEpochMilli();
        long end = w.getWindowEnd().toEpochMilli();
        if (offending) {
            if (!st.active) {
                st.raise(start, start, end, value, threshold);
                out.add(alert(rule, key, AlertState.RAISED, st.alertStart, null, start, end, value, threshold,
                        label(rule, key) + " in the " + rule.window() + " window from " + time(start) + ": " + detail));
            } else {
                st.offend(start, end, value, threshold);
            }
        } else if (st.active) {
            resolveWindowRule(rule, key, st, "the next " + rule.window() + " window from " + time(start)
                    + " had " + detail, out);
        }
    }

    /** Median of the counts in slots slot-n .. slot-1, a slot without a record counting 0. */
    private static double median(RuleState st, long slot, int n) {
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            Long v = st.history.get(slot - n + i);
            values[i] = v == null ? 0 : v;
        }
        Arrays.sort(values);
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
    }

    private void resolveWindowRule(AlertRule rule, String key, RuleState st, String why, List<Alert> out) {
        out.add(alert(rule, key, AlertState.RESOLVED, st.alertStart, st.lastOffendingEnd, st.lastOffendingStart,
                st.lastOffendingEnd, st.lastValue, st.lastThreshold,
                label(rule, key) + " ended: " + st.offendingWindows + " offending " + rule.window()
                        + " window" + (st.offendingWindows == 1 ? "" : "s") + " from " + time(st.alertStart)
                        + " to " + time(st.lastOffendingEnd) + " (last value " + num(st.lastValue)
                        + ", threshold " + num(st.lastThreshold) + "); " + why));
        st.clearAlert();
    }

    // ---- silent --------------------------------------------------------------------------------

    private void onSilent(AlertRule rule, String key, RuleState st, NetFlowWindow w, long slot, List<Alert> out) {
        long traffic = w.getEntries() + w.getExits();
        if (traffic <= 0) {
            return;
        }
        if (st.firstSlot == null || slot < st.firstSlot) {
            st.firstSlot = slot;
        }
        if (st.lastSlot == null || slot > st.lastSlot) {
            if (st.active) {
                long back = rule.window().start(slot, zone).toEpochMilli();
                double hours = (back - st.alertStart) / (double) HOUR_MS;
                out.add(alert(rule, key, AlertState.RESOLVED, st.alertStart, back, st.alertStart, back, hours,
                        rule.hours(), label(rule, key) + " ended: crossings again from " + time(back) + " after "
                                + num(hours) + " h without any (since " + time(st.alertStart) + ")"));
                st.clearAlert();
            }
            st.lastSlot = slot;
        }
        if (slot > st.lastSlot - rule.baselineHours()) {
            st.history.put(slot, traffic);
        }
        st.pruneBefore(st.lastSlot - rule.baselineHours() + 1);
    }

    private void silentDue(AlertRule rule, String key, RuleState st, long now, List<Alert> out) {
        if (st.active || st.lastSlot == null || !baselineMet(rule, st)) {
            return;
        }
        long from = rule.window().start(st.lastSlot + 1, zone).toEpochMilli();
        long to = rule.window().end(st.lastSlot + rule.hours(), zone).toEpochMilli();
        if (now < rule.window().end(st.lastSlot + rule.hours() + 1, zone).toEpochMilli()) {
            return;
        }
        double average = baselineAverage(rule, st);
        st.raise(from, from, to, rule.hours(), rule.hours());
        out.add(alert(rule, key, AlertState.RAISED, from, null, from, to, rule.hours(), rule.hours(),
                label(rule, key) + ": no crossings for " + rule.hours() + " h from " + time(from) + " (trailing "
                        + rule.baselineHours() + " h average " + num(average) + " per hour, rule minimum "
                        + num(rule.minPerHour()) + ")"));
    }

    private static boolean baselineMet(AlertRule rule, RuleState st) {
        return st.firstSlot != null && st.lastSlot - st.firstSlot + 1 >= rule.baselineHours()
                && baselineAverage(rule, st) >= rule.minPerHour();
    }

    /** Average entries + exits per hour over the baselineHours slots up to the last one with traffic. */
    private static double baselineAverage(AlertRule rule, RuleState st) {
        long sum = 0;
        for (long v : st.history.tailMap(st.lastSlot - rule.baselineHours(), false).values()) {
            sum += v;
        }
        return sum / (double) rule.baselineHours();
    }

    // ---- output --------------------------------------------------------------------------------

    private Alert alert(AlertRule rule, String key, AlertState state, long start, Long end, long windowStart,
                        long windowEnd, double value, double threshold, String message) {
        return Alert.newBuilder()
                .setAlertId(rule.name() + SEPARATOR + key + SEPARATOR + Instant.ofEpochMilli(start))
                .setRule(rule.name())
                .setSeverity(rule.severity())
                .setState(state)
                .setDimension(rule.dimension().name())
                .setKey(key)
                .setWindow(rule.window().id())
                .setWindowStart(Instant.ofEpochMilli(windowStart))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setValue(value)
                .setThreshold(threshold)
                .setStartTime(Instant.ofEpochMilli(start))
                .setEndTime(end == null ? null : Instant.ofEpochMilli(end))
                .setMessage(message)
                .build();
    }

    private static String label(AlertRule rule, String key) {
        return rule.type().id() + " " + rule.dimension() + " " + key;
    }

    private String time(long epochMs) {
        return TIME.format(Instant.ofEpochMilli(epochMs).atZone(zone));
    }

    /** Whole numbers without decimals, others with two. */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
