package io.borderflow.flow;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;

/**
 * How the dedupe store holds the ids the gate has counted: in batches of up to {@value #BATCH} per hour of event
 * time, each a window-store record (window start: the hour) keyed by a batch number. One RocksDB write and one
 * changelog record per event id cost the stream thread more than any other single step of the gate; the store is
 * written behind, so an open batch is rewritten in memory and reaches RocksDB and its changelog once per commit.
 * The store is read only when a task starts: {@link RecentIds} answers every lookup.
 *
 * <p>An entry is the id's 16-byte digest and its event time as milliseconds into the hour (4 bytes).
 */
final class DedupeBatches {
    static final int BATCH = 64;
    static final int ENTRY_BYTES = 16 + Integer.BYTES;
    /** Open batches kept at most: one per hour written to lately (late events open batches of older hours). */
    private static final int MAX_OPEN = 64;

    /** A batch as it goes to the store. */
    record Stored(Bytes key, long hourStart, byte[] value) {
    }

    /** Receives the entries of a stored batch. */
    interface EntryConsumer {
        void accept(long hi, long lo, long time);
    }

    private static final class Open {
        final Bytes key;
        final byte[] entries = new byte[BATCH * ENTRY_BYTES];
        int count;

        Open(Bytes key) {
            this.key = key;
        }
    }

    private final Map<Long, Open> open = new HashMap<>();
    private long nextNumber;

    /** @param nextNumber the first batch number to use: one past the highest in the store */
    DedupeBatches(long nextNumber) {
        this.nextNumber = nextNumber;
    }

    /** Adds an id seen at {@code time}; returns its batch as it now is, to put in the store. */
    Stored add(long hi, long lo, long time) {
        long hourStart = LocalWindows.hourStart(time);
        Open batch = open.get(hourStart);
        if (batch == null) {
            if (open.size() >= MAX_OPEN) {
                // Dropping an open batch only means the hour's next id starts a new one.
                open.clear();
            }
            batch = new Open(key(nextNumber++));
            open.put(hourStart, batch);
        }
        ByteBuffer.wrap(batch.entries, batch.count * ENTRY_BYTES, ENTRY_BYTES)
                .putLong(hi).putLong(lo).putInt((int) (time - hourStart));
        batch.count++;
        if (batch.count == BATCH) {
            open.remove(hourStart);
        }
        return new Stored(batch.key, hourStart, Arrays.copyOf(batch.entries, batch.count * ENTRY_BYTES));
    }

    /** Every entry of a stored batch, with its event time. */
    static void forEach(long hourStart, byte[] value, EntryConsumer consumer) {
        ByteBuffer b = ByteBuffer.wrap(value);
        while (b.remaining() >= ENTRY_BYTES) {
            consumer.accept(b.getLong(), b.getLong(), hourStart + b.getInt());
        }
    }

    static Bytes key(long number) {
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(number).array());
    }

    /** The batch number of a stored key. */
    static long number(Bytes key) {
        return ByteBuffer.wrap(key.get()).getLong();
    }
}
