package io.borderflow.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;

class WriteBehindKeyValueStoreTest {

    /** The store below, counting the writes that reach it. */
    private static final class Below {
        final KeyValueStore<String, Long> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("counts"),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().withCachingDisabled().build();
        final List<String> writes = new ArrayList<>();
        final List<String> reads = new ArrayList<>();
    }

    private static KeyValueStore<String, Long> over(Below below) {
        return over(below, 0);
    }

    private static KeyValueStore<String, Long> over(Below below, int recent) {
        KeyValueStore<String, Long> counting = new NotingStore<>(below.store, below.writes, below.reads,
                (k, v) -> k + "=" + v);
        WriteBehindKeyValueStore<String, Long> store = new WriteBehindKeyValueStore<>(counting, recent);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    @Test
    void writesWaitUntilTheCacheIsFlushedAndThenReachTheStoreOnceAKey() {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below);
        for (long i = 1; i <= 5; i++) {
            store.put("a", i);
        }
        store.put("b", 7L);
        store.put("c", 1L);
        store.delete("c");
        assertEquals(5L, store.get("a"), "reads see the buffer");
        assertNull(store.get("c"), "a delete is seen at once");
        assertEquals(List.of(), below.writes, "nothing below before the commit");

        ((CachedStateStore<?, ?>) store).flushCache();
        assertEquals(List.of("a=5", "b=7", "c=null"), below.writes.stream().sorted().toList());
        assertEquals(5L, below.store.get("a"));
        assertNull(below.store.get("c"));

        below.writes.clear();
        ((CachedStateStore<?, ?>) store).flushCache();
        assertEquals(List.of(), below.writes, "a second flush has nothing to write");
    }

    @Test
    void aCommitWritesByteKeysDownInRocksDbsOrder() {
        List<String> writes = new ArrayList<>();
        KeyValueStore<Bytes, byte[]> below = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("index"),
                Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
        WriteBehindKeyValueStore<Bytes, byte[]> store = new WriteBehindKeyValueStore<>(new NotingStore<>(below, writes,
                new ArrayList<>(), (k, v) -> java.util.HexFormat.of().formatHex(k.get()) + (v == null ? "=null" : "")));
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        for (int k : new int[] {0x80, 0x05, 0xff, 0x7f, 0x00, 0x42}) {
            store.put(Bytes.wrap(new byte[] {(byte) k, 1}), new byte[0]);
        }
        store.delete(Bytes.wrap(new byte[] {0x42, 1}));
        store.flushCache();
        assertEquals(List.of("0001", "0501", "4201=null", "7f01", "8001", "ff01"), writes,
                "RocksDB's memtable takes keys in order from where the key before went");
    }

    /** Byte keys in RocksDB's bytewise order: unsigned, a prefix first; the same as Bytes.compareTo. */
    @Test
    void byteKeysAreOrderedAsRocksDbOrdersThem() {
        List<Bytes> keys = new ArrayList<>(List.of(Bytes.wrap(new byte[] {(byte) 0x80}), Bytes.wrap(new byte[] {0x7f}),
                Bytes.wrap(new byte[] {0, 1}), Bytes.wrap(new byte[] {0}), Bytes.wrap(new byte[] {(byte) 0xff, 0})));
        List<KeyValue<Bytes, byte[]>> entries = new ArrayList<>(keys.stream().map(k -> KeyValue.pair(k, (byte[]) null)).toList());
        entries.sort(WriteBehindKeyValueStore::byteOrder);
        assertEquals(List.of("00", "0001", "7f", "80", "ff00"),
                entries.stream().map(kv -> java.util.HexFormat.of().formatHex(kv.key.get())).toList());

        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            Bytes a = randomKey(random);
            Bytes b = randomKey(random);
            assertEquals(Integer.signum(a.compareTo(b)), Integer.signum(WriteBehindKeyValueStore.byteOrder(KeyValue.pair(a, null),
                    KeyValue.pair(b, null))), a + " against " + b);
        }
    }

    private static Bytes randomKey(java.util.Random random) {
        byte[] b = new byte[random.nextInt(4)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (random.nextBoolean() ? random.nextInt(256) : random.nextInt(3) + 0x7e);
        }
        return Bytes.wrap(b);
    }

    @Test
    void aBatchGoesDownAtOnceAfterTheWritesWaiting() {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below);
        store.put("z", 1L);
        store.put("a", 9L);
        store.putAll(List.of(KeyValue.pair("a", 2L), KeyValue.pair("b", 3L)));
        assertEquals(4, below.writes.size());
        assertEquals(java.util.Set.of("a=9", "z=1"), java.util.Set.copyOf(below.writes.subList(0, 2)),
                "what waited goes first");
        assertEquals(List.of("a=2", "b=3"), below.writes.subList(2, 4), "then the batch: its value of a wins");
        assertEquals(2L, store.get("a"));
        assertThrows(NullPointerException.class, () -> store.putAll(List.of(KeyValue.pair(null, 1L))));
    }

    @Test
    void theWritesWaitingAreBoundedAndGoDownWhenTheLimitIsReached() {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below);
        for (int i = 0; i < WriteBehindStore.MAX_PENDING - 1; i++) {
            store.put("k" + i, (long) i);
        }
        assertEquals(List.of(), below.writes);
        store.put("k-last", 0L);
        assertEquals(WriteBehindStore.MAX_PENDING, below.writes.size(), "written down before the commit");
        store.put("k-after", 1L);
        assertEquals(WriteBehindStore.MAX_PENDING, below.writes.size(), "and waiting again after it");
        assertEquals(1L, store.get("k-after"));
        assertEquals(7L, store.get("k7"));
    }

    /** An interactive query reads from its own thread: the committed state below, never the map, never writing. */
    @Test
    void anotherThreadReadsTheStoreBelowAndNeverWritesDown() throws Exception {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below);
        below.store.put("a", 1L);
        store.put("a", 2L);
        store.put("b", 3L);
        List<Object> seen = onAnotherThread(() -> {
            List<String> scanned = new ArrayList<>();
            try (KeyValueIterator<String, Long> it = store.all()) {
                it.forEachRemaining(kv -> scanned.add(kv.key + "=" + kv.value));
            }
            return List.of(store.get("a"), String.valueOf(store.get("b")), scanned, store.approximateNumEntries());
        });
        assertEquals(List.of(1L, "null", List.of("a=1"), 1L), seen);
        assertEquals(List.of(), below.writes, "the other thread wrote nothing down");
        assertEquals(2L, store.get("a"), "the writing thread still reads its own writes");

        ((CachedStateStore<?, ?>) store).flushCache();
        assertEquals(List.of(2L, 3L), onAnotherThread(() -> List.of(store.get("a"), store.get("b"))),
                "after the commit, the other thread sees the writes");
    }

    private static <T> T onAnotherThread(java.util.concurrent.Callable<T> read) throws Exception {
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            return other.submit(read).get();
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void aScanSeesEveryWriteBeforeIt() {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below);
        store.put("k1", 1L);
        store.put("k2", 2L);
        store.put("k3", 3L);
        store.delete("k2");
        List<String> seen = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = store.range("k1", "k9")) {
            it.forEachRemaining(kv -> seen.add(kv.key + "=" + kv.value));
        }
        assertEquals(List.of("k1=1", "k3=3"), seen);
        assertEquals(2, store.approximateNumEntries());
    }

    @Test
    void aClearedCacheDropsWhatWaitedAsARecycledTaskMust() {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below);
        below.store.put("a", 1L);
        store.put("a", 2L);
        store.put("b", 3L);
        ((CachedStateStore<?, ?>) store).clearCache();
        ((CachedStateStore<?, ?>) store).flushCache();
        assertEquals(List.of(), below.writes);
        assertEquals(1L, store.get("a"), "the store below again");
        assertNull(store.get("b"));
        assertEquals(1L, store.putIfAbsent("a", 9L));
        assertNull(store.putIfAbsent("b", 4L));
        assertEquals(4L, store.get("b"));
    }

    @Test
    void theBuilderTakesTheCachesPlace() {
        var builder = WriteBehindKeyValueStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore("s"), Serdes.String(), Serdes.Long()));
        assertThrows(UnsupportedOperationException.class, builder::withCachingEnabled);
        assertEquals("s", builder.name());
        assertEquals(true, builder.loggingEnabled());
        assertEquals(false, builder.withLoggingDisabled().loggingEnabled());
    }

    /**
     * In a task: the changelog carries one record per key and commit (the test driver commits after each input
     * record), the latest value, and the store's contents are what the processor wrote.
     */
    @Test
    void aTaskCommitSendsTheLatestValueOfEveryKeyWrittenToTheChangelog() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(WriteBehindKeyValueStore.builder(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore("tally"), Serdes.String(), Serdes.Long())));
        builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()))
                .process(Tally::new, Named.as("tally-words"), "tally");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "write-behind-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props)) {
            TestInputTopic<String, String> in = driver.createInputTopic("words", new StringSerializer(),
                    new StringSerializer());
            TestOutputTopic<String, Long> changelog = driver.createOutputTopic("write-behind-test-tally-changelog",
                    new StringDeserializer(), new LongDeserializer());
            in.pipeInput("k", "a b a a");
            assertEquals(List.of(KeyValue.pair("a", 3L), KeyValue.pair("b", 1L)),
                    changelog.readKeyValuesToList().stream().sorted((x, y) -> x.key.compareTo(y.key)).toList(),
                    "three writes of a, one of b: one record each, the latest");
            in.pipeInput("k", "b");
            assertEquals(List.of(KeyValue.pair("b", 2L)), changelog.readKeyValuesToList());
            KeyValueStore<String, Long> tally = driver.getKeyValueStore("tally");
            assertEquals(3L, tally.get("a"));
            assertEquals(2L, tally.get("b"));
        }
    }

    /** Counts each word of a record into the store, one put per word. */
    private static final class Tally implements Processor<String, String, Void, Void> {
        private KeyValueStore<String, Long> store;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore("tally");
        }

        @Override
        public void process(Record<String, String> record) {
            for (String w : record.value().split(" ")) {
                Long n = store.get(w);
                store.put(w, n == null ? 1 : n + 1);
            }
        }
    }

    @Test
    void keysWrittenDownAreReadAgainFromTheHeapUpToTheCapacityLeastRecentlyUsedFirstOut() {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below, 3);
        below.store.put("x", 5L);
        store.put("a", 1L);
        store.put("b", 2L);
        store.put("c", 3L);
        store.delete("c");
        ((CachedStateStore<?, ?>) store).flushCache();
        below.reads.clear();
        assertEquals(1L, store.get("a"));
        assertEquals(2L, store.get("b"));
        assertNull(store.get("c"), "a delete written down is remembered as one");
        assertEquals(List.of(), below.reads, "all three from the heap");
        assertEquals(5L, store.get("x"));
        assertEquals(List.of("x"), below.reads, "a key never written is read below");

        below.reads.clear();
        store.get("a"); // a is now the most recently used: b goes first
        store.put("d", 4L);
        ((CachedStateStore<?, ?>) store).flushCache();
        assertEquals(1L, store.get("a"));
        assertNull(store.get("c"));
        assertEquals(4L, store.get("d"));
        assertEquals(List.of(), below.reads);
        assertEquals(2L, store.get("b"));
        assertEquals(List.of("b"), below.reads, "the least recently used key left the heap");
    }

    @Test
    void whatGoesBelowWithoutTheMapIsNeverAnsweredFromTheHeap() throws Exception {
        Below below = new Below();
        KeyValueStore<String, Long> store = over(below, 10);
        store.put("a", 1L);
        store.put("b", 2L);
        ((CachedStateStore<?, ?>) store).flushCache();
        store.putAll(List.of(KeyValue.pair("a", 7L)));
        assertEquals(7L, store.get("a"), "a batch replaces what the heap had");

        below.reads.clear();
        assertEquals(2L, onAnotherThread(() -> store.get("b")));
        assertEquals(List.of("b"), below.reads, "another thread reads below");

        below.store.put("b", 9L); // as a restore or a standby's update writes below the wrappers
        ((CachedStateStore<?, ?>) store).clearCache();
        assertEquals(9L, store.get("b"), "a recycled task forgets the heap copies");
    }

    /** Passes every call to the store below, noting each write as {@code note} gives it. */
    private static final class NotingStore<K, V> extends org.apache.kafka.streams.state.internals.WrappedStateStore<
            KeyValueStore<K, V>, K, V> implements KeyValueStore<K, V> {
        private final KeyValueStore<K, V> below;
        private final List<String> writes;
        private final List<String> reads;
        private final java.util.function.BiFunction<K, V, String> note;

        NotingStore(KeyValueStore<K, V> below, List<String> writes, List<String> reads,
                    java.util.function.BiFunction<K, V, String> note) {
            super(below);
            this.below = below;
            this.writes = writes;
            this.reads = reads;
            this.note = note;
        }

        @Override
        public void put(K key, V value) {
            writes.add(note.apply(key, value));
            below.put(key, value);
        }

        @Override
        public V putIfAbsent(K key, V value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putAll(List<KeyValue<K, V>> entries) {
            entries.forEach(kv -> put(kv.key, kv.value));
        }

        @Override
        public V delete(K key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public V get(K key) {
            reads.add(String.valueOf(key));
            return below.get(key);
        }

        @Override
        public KeyValueIterator<K, V> range(K from, K to) {
            return below.range(from, to);
        }

        @Override
        public KeyValueIterator<K, V> reverseRange(K from, K to) {
            return below.reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<K, V> all() {
            return below.all();
        }

        @Override
        public KeyValueIterator<K, V> reverseAll() {
            return below.reverseAll();
        }

        @Override
        public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<K, V>
                prefixScan(P prefix, PS serializer) {
            return below.prefixScan(prefix, serializer);
        }

        @Override
        public long approximateNumEntries() {
            return below.approximateNumEntries();
        }
    }
}
