package io.borderflow.stay;

import io.borderflow.metrics.BorderMetrics;
import io.borderflow.stay.StayCounters.Counter;
import io.borderflow.stay.TravellerState.Counted;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The stay stage's domain metrics ({@link BorderMetrics}, stage {@code stay}). Travellers by stay
 * status and citizenship must be right after a restart, so they are counted in the changelogged
 * store {@value #COUNTS_STORE} ({@code status|citizenship} and {@value #FIRING} to a count),
 * committed with the traveller states they count. The counts change where the traveller states
 * change: {@link #watch} wraps the travellers store, and every write compares the traveller's
 * status and citizenship before and after (both read from the encoding's first bytes). A
 * traveller counts under the last status emitted for it until it is forgotten.
 */
final class StayMetrics {
    static final String COUNTS_STORE = "stay-status-counts";
    static final String STAGE = "stay";
    /** Count of travellers whose overstay alert is raised and not resolved. */
    static final String FIRING = "#alert-firing";
    private static final String SEVERITY = "warning";

    private final BorderMetrics border = BorderMetrics.global();
    private final KeyValueStore<String, Long> counts;
    private final String task;

    StayMetrics(ProcessingContext context, KeyValueStore<String, Long> counts) {
        this.counts = counts;
        this.task = context.taskId().toString();
        try (KeyValueIterator<String, Long> it = counts.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                publish(kv.key, kv.value);
            }
        }
        if (counts.get(FIRING) == null) {
            publish(FIRING, 0L);
        }
    }

    /** The travellers store, counting every change of a traveller's status or citizenship. */
    KeyValueStore<String, byte[]> watch(KeyValueStore<String, byte[]> travellers) {
        return new Watched(travellers);
    }

    /** Mirrors the stage's own counters where a domain metric says the same. */
    void counted(Counter c, long n) {
        for (long i = 0; i < n; i++) {
            switch (c) {
                case DUPLICATES -> border.duplicate(STAGE);
                case OVERSTAYS_RAISED -> border.alert(StayTopology.ALERT_RULE, SEVERITY, "raised");
                case OVERSTAYS_RESOLVED -> border.alert(StayTopology.ALERT_RULE, SEVERITY, "resolved");
                default -> {
                    return;
                }
            }
        }
    }

    /** A record reported with {@code reason}: a dead letter, or data quality (as {@link StayTopology#topic}). */
    void problem(String reason) {
        if (StayTopology.isDeadLetter(reason)) {
            border.deadLetter(reason, STAGE);
        } else {
            border.dataQuality(reason, STAGE);
        }
    }

    void eventTime(long streamTime) {
        border.eventTime(STAGE, task, streamTime);
    }

    /** The task closes (it may move to another instance, which then counts its travellers). */
    void close() {
        border.forgetSource(task);
    }

    private void changed(Counted before, Counted after) {
        StayStatusKey was = before == null || before.status() == null ? null : new StayStatusKey(before);
        StayStatusKey now = after == null || after.status() == null ? null : new StayStatusKey(after);
        if (!Objects.equals(was, now)) {
            if (was != null) {
                add(was.key(), -1);
            }
            if (now != null) {
                add(now.key(), 1);
            }
        }
        boolean firedBefore = before != null && before.alertRaised();
        boolean firedAfter = after != null && after.alertRaised();
        if (firedBefore != firedAfter) {
            add(FIRING, firedAfter ? 1 : -1);
        }
    }

    private void add(String key, long delta) {
        Long old = counts.get(key);
        long value = (old == null ? 0 : old) + delta;
        counts.put(key, value);
        publish(key, value);
    }

    private void publish(String key, long value) {
        if (key.equals(FIRING)) {
            border.alertsFiring(task, StayTopology.ALERT_RULE, SEVERITY, value);
            return;
        }
        int bar = key.indexOf('|');
        border.stayTravellers(task, key.substring(0, bar), key.substring(bar + 1), value);
    }

    private record StayStatusKey(String status, String citizenship) {
        StayStatusKey(Counted c) {
            this(c.status().name().toLowerCase(java.util.Locale.ROOT),
                    c.citizenship() == null ? "unknown" : c.citizenship());
        }

        String key() {
            return status + '|' + citizenship;
        }
    }

    /**
     * The travellers store, passing every call through; writes also update the counts. The last
     * value read is kept, as a write almost always follows the read of the same traveller.
     */
    private final class Watched implements KeyValueStore<String, byte[]> {
        private final KeyValueStore<String, byte[]> inner;
        private String lastKey;
        private byte[] lastValue;

        Watched(KeyValueStore<String, byte[]> inner) {
            this.inner = inner;
        }

        private byte[] current(String key) {
            return key.equals(lastKey) ? lastValue : inner.get(key);
        }

        private void remember(String key, byte[] value) {
            lastKey = key;
            lastValue = value;
        }

        @Override
        public byte[] get(String key) {
            byte[] v = inner.get(key);
            remember(key, v);
            return v;
        }

        @Override
        public void put(String key, byte[] value) {
            byte[] before = current(key);
            inner.put(key, value);
            changed(TravellerState.countedAs(before), TravellerState.countedAs(value));
            remember(key, value);
        }

        @Override
        public byte[] putIfAbsent(String key, byte[] value) {
            byte[] before = inner.putIfAbsent(key, value);
            if (before == null) {
                changed(null, TravellerState.countedAs(value));
                remember(key, value);
            }
            return before;
        }

        @Override
        public void putAll(List<KeyValue<String, byte[]>> entries) {
            entries.forEach(kv -> put(kv.key, kv.value));
        }

        @Override
        public byte[] delete(String key) {
            byte[] before = current(key);
            inner.put(key, null);
            changed(TravellerState.countedAs(before), null);
            remember(key, null);
            return before;
        }

        @Override
        public KeyValueIterator<String, byte[]> range(String from, String to) {
            return inner.range(from, to);
        }

        @Override
        public KeyValueIterator<String, byte[]> reverseRange(String from, String to) {
            return inner.reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<String, byte[]> all() {
            return inner.all();
        }

        @Override
        public KeyValueIterator<String, byte[]> reverseAll() {
            return inner.reverseAll();
        }

        @Override
        public <PS extends Serializer<P>, P> KeyValueIterator<String, byte[]> prefixScan(P prefix, PS serializer) {
            return inner.prefixScan(prefix, serializer);
        }

        @Override
        public long approximateNumEntries() {
            return inner.approximateNumEntries();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void init(StateStoreContext context, StateStore root) {
            inner.init(context, root);
        }

        @Override
        public void close() {
            inner.close();
        }

        @Override
        public boolean persistent() {
            return inner.persistent();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
            return inner.query(query, positionBound, config);
        }

        @Override
        public Position getPosition() {
            return inner.getPosition();
        }
    }
}
