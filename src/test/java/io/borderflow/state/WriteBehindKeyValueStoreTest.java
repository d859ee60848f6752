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
    }

    private static KeyValueStore<String, Long> over(Below below) {
        KeyValueStore<String, Long> counting = new CountingStore(below);
        WriteBehindKeyValueStore<String, Long> store = new WriteBehindKeyValueStore<>(counting);
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

    /** Passes every call to the store below, noting each write. */
    private static final class CountingStore extends org.apache.kafka.streams.state.internals.WrappedStateStore<
            KeyValueStore<String, Long>, String, Long> implements KeyValueStore<String, Long> {
        private final Below below;

        CountingStore(Below below) {
            super(below.store);
            this.below = below;
        }

        @Override
        public void put(String key, Long value) {
            below.writes.add(key + "=" + value);
            below.store.put(key, value);
        }

        @Override
        public Long putIfAbsent(String key, Long value) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void putAll(List<KeyValue<String, Long>> entries) {
            entries.forEach(kv -> put(kv.key, kv.value));
        }

        @Override
        public Long delete(String key) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Long get(String key) {
            return below.store.get(key);
        }

        @Override
        public KeyValueIterator<String, Long> range(String from, String to) {
            return below.store.range(from, to);
        }

        @Override
        public KeyValueIterator<String, Long> reverseRange(String from, String to) {
            return below.store.reverseRange(from, to);
        }

        @Override
        public KeyValueIterator<String, Long> all() {
            return below.store.all();
        }

        @Override
        public KeyValueIterator<String, Long> reverseAll() {
            return below.store.reverseAll();
        }

        @Override
        public <PS extends org.apache.kafka.common.serialization.Serializer<P>, P> KeyValueIterator<String, Long>
                prefixScan(P prefix, PS serializer) {
            return below.store.prefixScan(prefix, serializer);
        }

        @Override
        public long approximateNumEntries() {
            return below.store.approximateNumEntries();
        }
    }
}
