package io.borderflow.state;

import java.util.Map;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * {@link WriteBehindKeyValueStore} for a window store: puts wait in a hash map, keyed by key and window start,
 * until the task commits; every read writes them down first, so reads belong at start-up, not on the record path.
 */
public final class WriteBehindWindowStore<K, V>
        extends WriteBehindStore<WindowStore<K, V>, K, V, WriteBehindWindowStore.Slot<K>>
        implements WindowStore<K, V> {
    record Slot<K>(K key, long windowStart) {
    }

    WriteBehindWindowStore(WindowStore<K, V> inner) {
        super(inner);
    }

    /** A store builder that puts this store over what {@code inner} builds, with the record cache off. */
    public static <K, V> StoreBuilder<WindowStore<K, V>> builder(StoreBuilder<WindowStore<K, V>> inner) {
        return new WriteBehindBuilder<>(inner.withCachingDisabled(), WriteBehindWindowStore::new);
    }

    @Override
    void writeDown(Map<Slot<K>, V> entries) {
        WindowStore<K, V> below = wrapped();
        entries.forEach((slot, value) -> below.put(slot.key(), value, slot.windowStart()));
    }

    @Override
    public void put(K key, V value, long windowStartTimestamp) {
        if (key == null) {
            throw new NullPointerException("key cannot be null");
        }
        writing();
        pending.put(new Slot<>(key, windowStartTimestamp), value);
        written();
    }

    @Override
    public V fetch(K key, long time) {
        writeDownIfOwn();
        return wrapped().fetch(key, time);
    }

    @Override
    public WindowStoreIterator<V> fetch(K key, long timeFrom, long timeTo) {
        writeDownIfOwn();
        return wrapped().fetch(key, timeFrom, timeTo);
    }

    @Override
    public WindowStoreIterator<V> backwardFetch(K key, long timeFrom, long timeTo) {
        writeDownIfOwn();
        return wrapped().backwardFetch(key, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetch(K keyFrom, K keyTo, long timeFrom, long timeTo) {
        writeDownIfOwn();
        return wrapped().fetch(keyFrom, keyTo, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetch(K keyFrom, K keyTo, long timeFrom, long timeTo) {
        writeDownIfOwn();
        return wrapped().backwardFetch(keyFrom, keyTo, timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> fetchAll(long timeFrom, long timeTo) {
        writeDownIfOwn();
        return wrapped().fetchAll(timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardFetchAll(long timeFrom, long timeTo) {
        writeDownIfOwn();
        return wrapped().backwardFetchAll(timeFrom, timeTo);
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> all() {
        writeDownIfOwn();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<Windowed<K>, V> backwardAll() {
        writeDownIfOwn();
        return wrapped().backwardAll();
    }
}
