package io.borderflow.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.borderflow.config.BorderflowConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class StreamAppPropertiesTest {
    private static Properties props(Map<String, String> overrides) {
        return StreamApp.properties(BorderflowConfig.defaults().with(overrides), "127.0.0.1:9092", Path.of("state"));
    }

    @Test
    void tasksKeepKafkasWaitForEmptyPartitionsSoATravellersRecordsMeetInTimeOrder() {
        // -1 let IIN applications and host notifications overtake the entries they belong to (see StreamApp).
        assertNull(props(Map.of()).get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG));
        assertEquals("-1", props(Map.of("streams.max.task.idle.ms", "-1")).get(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG),
                "an operator may still choose it");
    }

    @Test
    void oneStreamThreadPerCoreButNoMoreThanTheInputPartitions() {
        BorderflowConfig fourPartitions = BorderflowConfig.defaults().with(Map.of(BorderflowConfig.TOPIC_PARTITIONS, "4"));
        assertEquals(1, StreamApp.defaultStreamThreads(fourPartitions, 1));
        assertEquals(2, StreamApp.defaultStreamThreads(fourPartitions, 2));
        assertEquals(4, StreamApp.defaultStreamThreads(fourPartitions, 64), "a thread beyond the tasks would idle");
        assertEquals(1, StreamApp.defaultStreamThreads(
                BorderflowConfig.defaults().with(Map.of(BorderflowConfig.TOPIC_PARTITIONS, "1")), 8));
        assertEquals(Integer.toString(StreamApp.defaultStreamThreads(BorderflowConfig.defaults(),
                Runtime.getRuntime().availableProcessors())), props(Map.of()).get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        assertEquals("3", props(Map.of("streams.num.stream.threads", "3")).get(StreamsConfig.NUM_STREAM_THREADS_CONFIG),
                "an operator may still choose");
    }

    @Test
    void stateStoresAreCompressedUnlessTheOperatorSetsRocksDbOptions() {
        assertEquals(RocksDbSettings.class.getName(), props(Map.of()).get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        assertEquals("com.example.Mine", props(Map.of("streams.rocksdb.config.setter", "com.example.Mine"))
                .get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
        RocksDB.loadLibrary();
        try (Options options = new Options()) {
            new RocksDbSettings().setConfig("stay-travellers", options, Map.of());
            assertEquals(CompressionType.LZ4_COMPRESSION, options.compressionType());
            assertEquals(CompressionType.ZSTD_COMPRESSION, options.bottommostCompressionType());
            assertEquals(0.1, options.memtablePrefixBloomSizeRatio(), "the traveller reads skip memtables without the key");
            assertEquals(true, options.memtableWholeKeyFiltering());
        }
        try (Options options = new Options()) {
            new RocksDbSettings().setConfig("stay-due-index", options, Map.of());
            assertEquals(CompressionType.LZ4_COMPRESSION, options.compressionType());
            assertEquals(0.0, options.memtablePrefixBloomSizeRatio(), "a store that is only scanned has no filter");
        }
    }
}
