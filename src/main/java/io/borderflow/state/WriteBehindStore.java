package io.borderflow.state;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * What the write-behind stores share (a key-value store may also keep copies of what it wrote down, which the
 * same events forget): writes wait in a hash map ({@code P}: the key, or key and window) and go down
 * when Kafka Streams flushes the stores' caches before a commit, or before a read that the map cannot answer. A
 * recycled task clears them (as it clears the cache); a closing store drops them, since a clean close commits
 * first. Writes made in a processor's {@code init} would wait for the first commit after a record: none are made.
 * A changelog record written down carries the timestamp of the task's current record, not of the write's as the
 * cache's did: these changelogs are compacted, or kept without time retention, so nothing reads it.
 *
 * <p>The map belongs to the thread that writes (the task's stream thread). Reads from any other thread, such as an
 * interactive query, go to the store below and see the writes of the last commit; they never write down. The map
 * holds at most {@value #MAX_PENDING} keys: one more writes it down before the commit, as the cache evicts when
 * full, so a long commit interval (at-least-once: 30 s) cannot fill the heap.
 */
abstract class WriteBehindStore<S extends StateStore, K, V, P> extends WrappedStateStore<S, K, V> {
    static final int MAX_PENDING = 10_000;
    /** The latest value of each written key, null for a delete. */
    final Map<P, V> pending = new HashMap<>();
    /** The thread whose writes wait in {@link #pending}: set by its first write after {@link #init}. */
    private volatile Thread writer;

    WriteBehindStore(S inner) {
        super(inner);
    }

    /** Writes every pending entry to the store below, each once. */
    abstract void writeDown(Map<P, V> entries);

    final void writeDown() {
        if (!pending.isEmpty()) {
            writeDown(pending);
            pending.clear();
        }
    }

    /** Forgets whatever the store keeps of writes already down (on init, recycle and close). */
    void forgetWritten() {
    }

    private void dropAll() {
        pending.clear();
        forgetWritten();
    }

    /** Notes a write about to be put in the map by this thread. */
    final void writing() {
        Thread current = Thread.currentThread();
        if (writer != current) {
            writer = current;
        }
    }

    /** After a write: writes the map down if it is full. */
    final void written() {
        if (pending.size() >= MAX_PENDING) {
            writeDown();
        }
    }

    /** True on the writing thread, the only one that reads or writes the map. */
    final boolean ownThread() {
        return writer == Thread.currentThread();
    }

    /** Before a read the map cannot answer: writes it down, on the writing thread only. */
    final void writeDownIfOwn() {
        if (ownThread()) {
            writeDown();
        }
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        dropAll();
        writer = null;
        super.init(context, root);
    }

    @Override
    public void flushCache() {
        writeDown();
        super.flushCache();
    }

    @Override
    public void clearCache() {
        dropAll();
        super.clearCache();
    }

    @Override
    public void close() {
        dropAll();
        super.close();
    }
}
