package io.borderflow.state;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * What the write-behind stores share: writes wait in a hash map ({@code P}: the key, or key and window) and go down
 * when Kafka Streams flushes the stores' caches before a commit, or before a read that the map cannot answer. A
 * recycled task clears them (as it clears the cache); a closing store drops them, since a clean close commits
 * first. Writes made in a processor's {@code init} would wait for the first commit after a record: none are made.
 * A changelog record written down carries the timestamp of the task's current record, not of the write's as the
 * cache's did: these changelogs are compacted, or kept without time retention, so nothing reads it.
 */
abstract class WriteBehindStore<S extends StateStore, K, V, P> extends WrappedStateStore<S, K, V> {
    /** The latest value of each written key, null for a delete. */
    final Map<P, V> pending = new HashMap<>();

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

    @Override
    public void init(StateStoreContext context, StateStore root) {
        pending.clear();
        super.init(context, root);
    }

    @Override
    public void flushCache() {
        writeDown();
        super.flushCache();
    }

    @Override
    public void clearCache() {
        pending.clear();
        super.clearCache();
    }

    @Override
    public void close() {
        pending.clear();
        super.close();
    }
}
