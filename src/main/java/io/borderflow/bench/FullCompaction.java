package io.borderflow.bench;

import io.borderflow.app.RocksDbSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/**
 * Compacts every RocksDB instance under a closed app's state directory, so its size on disk is the live data: no
 * key overwritten or deleted but still in a file the last compaction had not reached. Measured at close, a store
 * that moves a key per record (the due index: a tombstone and a new key) shows how far its last compaction happened
 * to be behind, which shifted a store's size by a third between two builds of the same input. Files are written as
 * the app writes them: Kafka Streams' table format (4 KiB blocks, a Bloom filter except on the last level), its
 * universal compaction, and the app's settings ({@link RocksDbSettings}: its compression).
 */
final class FullCompaction {
    private FullCompaction() {
    }

    /** Compacts each instance; returns how many there were. The state directory must not be in use. */
    static int compactAll(Path stateDir) throws IOException {
        if (!Files.isDirectory(stateDir)) {
            return 0;
        }
        List<Path> instances;
        try (Stream<Path> files = Files.walk(stateDir)) {
            instances = files.filter(p -> p.getFileName().toString().equals("CURRENT")).map(Path::getParent).toList();
        }
        RocksDB.loadLibrary();
        for (Path dir : instances) {
            try {
                compact(dir);
            } catch (RocksDBException e) {
                throw new IOException("cannot compact the RocksDB state in " + dir + ": " + e.getMessage(), e);
            }
        }
        return instances.size();
    }

    private static void compact(Path dir) throws RocksDBException {
        List<byte[]> families;
        try (Options listing = new Options()) {
            families = RocksDB.listColumnFamilies(listing, dir.toString());
        }
        try (BloomFilter filter = new BloomFilter(); Options options = new Options()) {
            options.setTableFormatConfig(new BlockBasedTableConfig().setBlockSize(4096L).setFilterPolicy(filter));
            options.setOptimizeFiltersForHits(true);
            options.setCompactionStyle(CompactionStyle.UNIVERSAL);
            // As Kafka Streams: an informational log would add a file the app's stores do not have.
            options.setInfoLogLevel(InfoLogLevel.ERROR_LEVEL);
            new RocksDbSettings().setConfig(dir.getFileName().toString(), options, Map.of());
            try (DBOptions dbOptions = new DBOptions(options); ColumnFamilyOptions cfOptions = new ColumnFamilyOptions(options)) {
                List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
                for (byte[] name : families) {
                    descriptors.add(new ColumnFamilyDescriptor(name, cfOptions));
                }
                List<ColumnFamilyHandle> handles = new ArrayList<>();
                try (RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles)) {
                    for (ColumnFamilyHandle h : handles) {
                        db.compactRange(h);
                    }
                    handles.forEach(ColumnFamilyHandle::close);
                }
            }
        }
    }
}
