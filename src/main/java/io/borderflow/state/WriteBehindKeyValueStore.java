package io.borderflow.state;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * A key-value store whose writes wait in a hash map until the task commits, then reach the store below (RocksDB
 * and its changelog) once per key: what Kafka Streams' record cache does for a store that a processor rewrites
 * on a few keys, for less. The record cache keeps a sorted map with an LRU list and a byte count shared by every
 * cached store of the thread, and its puts and flushes took 10 % of the stream threads in a profile; here a
 * put is a hash map put, and the puts and the writing down take 5-6 %, most of it RocksDB and the sends.
 *
 * <p>The commit hook is the one the record cache uses: before a task commits, Kafka Streams calls
 * {@code flushCache()} on every registered store ({@code ProcessorStateManager.flushCache}, Kafka Streams 4.x),
 * and this store registers itself as the root. What is written there goes to the changelog inside the task's
 * transaction. A dirty close aborts that transaction, and a recycled task clears the buffer, as with the cache.
 *
 * <p>Reads see the buffer first. Scans and counts write the buffer down before they run, so a store that is
 * scanned on the record path gains nothing; use it for point reads and writes. Not for a store read by
 * interactive queries: the buffer belongs to the stream thread.
 */
public final class WriteBehindKeyValueStore<K, V> extends WriteBehindStore<KeyValueStore<K, V>, K, V, K>
        implements KeyValueStore<K, V> {
    /** Marks a key written down as deleted in {@link #recent}. */
    private static final Object DELETED = new Object();
    /**
     * The last keys written down, with their values ({@link #DELETED} for a delete), least recently used first:
     * the writing thread's point reads look here before the store below. Null when not asked for.
     */
    private final Map<K, Object> recent;

    WriteBehindKeyValueStore(KeyValueStore<K, V> inner) {
        this(inner, 0);
    }

    WriteBehindKeyValueStore(KeyValueStore<K, V> inner, int recentCapacity) {
        super(inner);
        this.recent = recentCapacity > 0 ? new LinkedHashMap<>(recentCapacity * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Object> eldest) {
                return size() > recentCapacity;
            }
        } : null;
    }

    /**
     * A store builder that puts this store over what {@code inner} builds, with the record cache off (the buffer
     * takes its place). Logging stays as {@code inner} says.
     */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner) {
        return builder(inner, 0);
    }

    /**
     * {@link #builder}, and the {@code recentCapacity} keys written down most recently used kept with their values
     * on the heap, where the writing thread's point reads find them before the store below: for a store whose keys
     * are often read again soon after a commit. The values are the written objects themselves, so they must not
     * be changed after a put (as for the map of writes waiting).
     */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner,
                                                                   int recentCapacity) {
        return new WriteBehindBuilder<>(inner.withCachingDisabled(),
                store -> new WriteBehindKeyValueStore<>(store, recentCapacity));
    }

    /** {@link #builder} over a changelogged RocksDB store. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> persistent(String name, Serde<K> keys, Serde<V> values) {
        return builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), keys, values));
    }

    /**
     * One batch; byte keys in RocksDB's order. RocksDB puts each key of a batch in its memtable's skip list starting
     * from where the key before went, so keys close together in order skip most of the search from the top that
     * keys in hash order each pay: the due index's keys, a few days' worth, went in for a third of the CPU (1.4 s
     * against 4.5 s in a profile, the sort 1.2 s). Keys of other types are left in hash order: their bytes' order
     * is the serde's, not necessarily theirs, and for the traveller ids, spread over the whole memtable, the order
     * saved about what the sort cost (0.9 s against 0.6 s). Compared as RocksDB compares them (unsigned bytes), with the JDK's vectorised compare:
     * {@code Bytes.compareTo} loops a byte at a time.
     */
    @Override
    void writeDown(Map<K, V> entries) {
        List<KeyValue<K, V>> all = new ArrayList<>(entries.size());
        entries.forEach((k, v) -> all.add(KeyValue.pair(k, v)));
        if (all.size() > 1 && all.get(0).key instanceof Bytes) {
            all.sort(WriteBehindKeyValueStore::byteOrder);
        }
        wrapped().putAll(all);
        if (recent != null) {
            entries.forEach((k, v) -> recent.put(k, v == null ? DELETED : v));
        }
    }

    @Override
    void forgetWritten() {
        if (recent != null) {
            recent.clear();
        }
    }

    /** RocksDB's default (bytewise) order of byte keys. */
    static int byteOrder(KeyValue<?, ?> a, KeyValue<?, ?> b) {
        return Arrays.compareUnsigned(((Bytes) a.key).get(), ((Bytes) b.key).get());
    }

    @Override
    public V get(K key) {
        if (ownThread()) {
            V v = pending.get(key);
            if (v != null || pending.containsKey(key)) {
                return v;
            }
            if (recent != null) {
                Object r = recent.get(key);
                if (r != null) {
                    @SuppressWarnings("unchecked")
                    V value = r == DELETED ? null : (V) r;
                    return value;
                }
            }
        }
        return wrapped().get(key);
    }

    @Override
    public void put(K key, V value) {
        if (key == null) {
            throw new NullPointerException("key cannot be null");
        }
        writing();
        pending.put(key, value);
        written();
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    /** Already a batch: it goes down at once, after the writes waiting, so a bulk load never sits in the map. */
    @Override
    public void putAll(List<KeyValue<K, V>> entries) {
        for (KeyValue<K, V> kv : entries) {
            if (kv.key == null) {
                throw new NullPointerException("key cannot be null");
            }
        }
        writing();
        writeDown();
        wrapped().putAll(entries);
        if (recent != null) {
            for (KeyValue<K, V> kv : entries) {
                recent.remove(kv.key);
            }
        }
    }

    @Override
    public V delete(K key) {
        V old = get(key);
        put(key, null);
        return old;
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writeDownIfOwn();
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        writeDownIfOwn();
        return wrapped().reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeDownIfOwn();
        return wrapped().all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        writeDownIfOwn();
        return wrapped().reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        writeDownIfOwn();
        return wrapped().prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        writeDownIfOwn();
        return wrapped().approximateNumEntries();
    }
}
