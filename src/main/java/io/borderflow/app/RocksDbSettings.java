package io.borderflow.app;

import io.borderflow.stay.StayTopology;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;

/**
 * The app's RocksDB settings on top of Kafka Streams' own.
 *
 * <p>Every store is compressed on disk (Kafka Streams leaves RocksDB uncompressed). The keys are mostly base64
 * pseudonyms and day-prefixed index keys, the values small varint records: compression pays in bytes per traveller.
 * It runs when RocksDB flushes and compacts, on RocksDB's own threads, not on the stream thread.
 *
 * <p>The traveller states ({@value StayTopology#TRAVELLERS_STORE}) have a Bloom filter over the whole keys of each
 * memtable. Every crossing reads its traveller's state, and about half are a traveller's first: without the filter
 * such a read walked the skip list of every memtable to find nothing. Measured in a profile of the same bench run,
 * the memtable work of these reads fell from 6.1 to 3.4 s of stream-thread CPU, and the writes cost no more. The
 * filter takes a tenth of the memtable's size (1.6 MB of a 16 MB memtable) in native memory. Not on the other stores:
 * the due index is only scanned, and the rest take few reads.
 */
public final class RocksDbSettings implements RocksDBConfigSetter {
    /** Bloom filter bits as a share of the memtable size (RocksDB's memtable_prefix_bloom_size_ratio). */
    static final double MEMTABLE_BLOOM_RATIO = 0.1;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        options.setCompressionType(CompressionType.LZ4_COMPRESSION);
        options.setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION);
        if (storeName.equals(StayTopology.TRAVELLERS_STORE)) {
            options.setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO);
            options.setMemtableWholeKeyFiltering(true);
        }
    }

    @Override
    public void close(String storeName, Options options) {
    }
}
