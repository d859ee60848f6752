package io.borderflow.app;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * Compresses the state stores' files on disk (Kafka Streams leaves RocksDB uncompressed). The keys are mostly
 * base64 pseudonyms and day-prefixed index keys, the values small varint records: compression pays in bytes per
 * traveller. It runs when RocksDB flushes and compacts, on RocksDB's own threads, not on the stream thread.
 */
public final class CompressedRocksDb implements RocksDBConfigSetter {
    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setCompressionType(CompressionType.LZ4_COMPRESSION);
        options.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
    }

    @Override
    public void close(String storeName, Options options) {
    }
}
