package io.borderflow.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.junit.jupiter.api.Test;

class WriteBehindWindowStoreTest {
    private static final long HOUR = 3_600_000L;

    private static WindowStore<String, Long> below() {
        return Stores.windowStoreBuilder(Stores.inMemoryWindowStore("w", Duration.ofDays(2), Duration.ofMillis(1), false),
                Serdes.String(), Serdes.Long()).withLoggingDisabled().withCachingDisabled().build();
    }

    private static WriteBehindWindowStore<String, Long> over(WindowStore<String, Long> below) {
        WriteBehindWindowStore<String, Long> store = new WriteBehindWindowStore<>(below);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        return store;
    }

    @Test
    void putsReachTheStoreBelowAtTheFlushTheLatestPerKeyAndWindowAndEveryReadSeesThem() {
        WindowStore<String, Long> below = below();
        WriteBehindWindowStore<String, Long> store = over(below);

        store.put("a", 1L, 0);
        store.put("a", 2L, 0);
        store.put("a", 5L, HOUR);
        store.put("b", 3L, 0);
        assertNull(below.fetch("a", 0), "nothing below before the flush");

        store.flushCache();
        assertEquals(2L, below.fetch("a", 0), "the latest value of the window");
        assertEquals(5L, below.fetch("a", HOUR));
        assertEquals(3L, below.fetch("b", 0));

        store.put("b", 4L, 0);
        List<String> all = new ArrayList<>();
        try (KeyValueIterator<Windowed<String>, Long> it = store.all()) {
            it.forEachRemaining(kv -> all.add(kv.key.key() + "@" + kv.key.window().start() / HOUR + "=" + kv.value));
        }
        assertEquals(List.of("a@0=2", "a@1=5", "b@0=4"), all.stream().sorted().toList(), "a scan writes down first");

        store.put("c", 9L, 0);
        ((CachedStateStore<?, ?>) store).clearCache();
        assertNull(store.fetch("c", 0), "a cleared buffer is gone");
    }

    @Test
    void anotherThreadReadsTheStoreBelowAndNeverWritesDown() throws Exception {
        WindowStore<String, Long> below = below();
        WriteBehindWindowStore<String, Long> store = over(below);
        below.put("a", 1L, 0);
        store.put("a", 2L, 0);

        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            assertEquals(1L, other.submit(() -> store.fetch("a", 0)).get(), "the other thread reads the store below");
            assertEquals(1L, below.fetch("a", 0), "and wrote nothing down");
            assertEquals(2L, store.fetch("a", 0), "the writing thread reads its write, written down first");
            assertEquals(2L, other.submit(() -> store.fetch("a", 0)).get());
        } finally {
            other.shutdownNow();
        }
    }
}
