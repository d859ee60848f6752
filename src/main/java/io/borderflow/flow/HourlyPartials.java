package io.borderflow.flow;

import io.borderflow.avro.FlowDelta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Counts of one gate task per hour and key, kept until the hour is handed over to the aggregation stage as one
 * record per key: a few records an hour cross the repartition topic instead of one (or four) per input event.
 * The counts live in a (written-behind) state store, so they commit with the input offsets: exactly-once. Which
 * hours have been handed over is stored with them. A copy of the counts in memory answers the read before each
 * add, so only the write goes to the store.
 */
final class HourlyPartials {
    /** Sorts after every hour key. */
    private static final Bytes HANDED_OVER = Bytes.wrap(new byte[] {(byte) 0xFF});

    /** One key's counts of one hour. */
    private record Partial(String key, long hourStart, WindowCounts counts) {
    }

    private final KeyValueStore<Bytes, byte[]> store;
    /** Every count in the store: the store is written only here. */
    private final Map<Bytes, WindowCounts> counts = new HashMap<>();
    /** Hours before this (epoch ms) have been handed over. */
    private long handedOver;

    HourlyPartials(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
        byte[] saved = store.get(HANDED_OVER);
        this.handedOver = saved == null ? Long.MIN_VALUE : ByteBuffer.wrap(saved).getLong();
        try (KeyValueIterator<Bytes, byte[]> it = store.range(key(handedOver, ""), HANDED_OVER)) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (!kv.key.equals(HANDED_OVER)) {
                    counts.put(kv.key, WindowCounts.of(kv.value));
                }
            }
        }
    }

    /** Whether the hour starting at {@code hourStart} has already gone on: its records must go on whole. */
    boolean handedOver(long hourStart) {
        return hourStart < handedOver;
    }

    void add(long hourStart, String key, long first, long second) {
        Bytes k = key(hourStart, key);
        WindowCounts now = counts.get(k);
        WindowCounts next = (now == null ? WindowCounts.ZERO : now).plus(new WindowCounts(first, second, 0));
        counts.put(k, next);
        store.put(k, next.bytes());
    }

    /**
     * Removes and returns the counts of every hour before {@code before} ({@link Long#MAX_VALUE}: every hour, the
     * input ended); null if that moves nothing on (the hours before it were handed over already).
     */
    private List<Partial> handOver(long before) {
        if (before <= handedOver) {
            return null;
        }
        List<Partial> due = take(before);
        // The end of input hands everything over but leaves the hour mark where it was: a later record of an
        // open hour is still counted the cheap way.
        handedOver = before == Long.MAX_VALUE ? handedOver : before;
        store.put(HANDED_OVER, ByteBuffer.allocate(8).putLong(handedOver).array());
        return due;
    }

    /** Removes and returns the counts of the hours not handed over that start before {@code before}. */
    private List<Partial> take(long before) {
        List<Partial> due = new ArrayList<>();
        // From the first hour not handed over: the hours below are deleted, and a scan from the lowest key would walk
        // their tombstones (ScanFloor), more with every hour of input.
        try (KeyValueIterator<Bytes, byte[]> it = store.range(key(handedOver, ""), key(before, ""))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (kv.key.equals(HANDED_OVER)) {
                    continue;
                }
                ByteBuffer b = ByteBuffer.wrap(kv.key.get());
                long hour = b.getLong();
                byte[] name = new byte[b.remaining()];
                b.get(name);
                due.add(new Partial(new String(name, StandardCharsets.UTF_8), hour, WindowCounts.of(kv.value)));
            }
        }
        for (Partial p : due) {
            Bytes k = key(p.hourStart(), p.key());
            store.put(k, null); // a delete without reading the old value, as delete() does
            counts.remove(k);
        }
        return due;
    }

    private static Bytes key(long hour, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + k.length).putLong(Math.max(0, hour)).put(k).array());
    }

    /**
     * Hands over every hour before {@code before} to the aggregation stage: one {@link FlowDelta} per key and
     * hour, stamped at the hour's last millisecond, with the given source headers; false if nothing moved on.
     */
    boolean handOverTo(ProcessorContext<String, ? super FlowDelta> context, long before, Headers source) {
        return handOverTo(context, before, source, key -> new String[] {key});
    }

    /**
     * As {@link #handOverTo(ProcessorContext, long, Headers)}, each stored key counted under every key that
     * {@code expand} gives for it: a gate can count one composite key per event and hand over the per-dimension
     * sums. Records go on by hour, then key.
     */
    boolean handOverTo(ProcessorContext<String, ? super FlowDelta> context, long before, Headers source,
                       Function<String, String[]> expand) {
        List<Partial> due = handOver(before);
        if (due == null) {
            return false;
        }
        // Stamped at the hour's last millisecond: the record falls in the hour and the local day it counts for.
        forward(context, due, Long.MAX_VALUE, source, expand);
        return true;
    }

    /**
     * Sends on what the hours not yet handed over have counted so far, and starts them again from zero; the hour
     * mark stays, so the rest of those hours is counted here as before. For a live view on the wall clock: input
     * at the pace of real life stays in one hour for an hour. Stamped at {@code streamTime} (this task's latest
     * record) or the hour's last millisecond, whichever is earlier, so the aggregation never hears of a time this
     * partition has not reached. False if nothing was counted since the last call.
     */
    boolean sendOpenHoursTo(ProcessorContext<String, ? super FlowDelta> context, long streamTime, Headers source,
                            Function<String, String[]> expand) {
        List<Partial> due = take(Long.MAX_VALUE);
        if (due.isEmpty()) {
            return false;
        }
        forward(context, due, streamTime, source, expand);
        return true;
    }

    /** One record per hour and expanded key, by hour then key, stamped no later than {@code latest}. */
    private static void forward(ProcessorContext<String, ? super FlowDelta> context, List<Partial> due, long latest,
                                Headers source, Function<String, String[]> expand) {
        TreeMap<Long, TreeMap<String, long[]>> sums = new TreeMap<>();
        for (Partial p : due) {
            TreeMap<String, long[]> hour = sums.computeIfAbsent(p.hourStart(), h -> new TreeMap<>());
            for (String key : expand.apply(p.key())) {
                long[] sum = hour.computeIfAbsent(key, k -> new long[2]);
                sum[0] += p.counts().first();
                sum[1] += p.counts().second();
            }
        }
        sums.forEach((hourStart, keys) -> {
            long stamp = Math.max(hourStart, Math.min(hourStart + LocalWindows.HOUR_MS - 1, latest));
            keys.forEach((key, sum) -> context.forward(new Record<>(key, new FlowDelta(sum[0], sum[1], null), stamp,
                    source)));
        });
    }
}
