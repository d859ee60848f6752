package io.borderflow.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;

class FullCompactionTest {
    private static final byte[] SECOND_FAMILY = "keyValueWithTimestamp".getBytes();
    private static final int KEYS = 20_000;

    /**
     * A store laid out as Kafka Streams lays out a task's stores, whose keys all moved once (a tombstone and a new
     * key, flushed apart so no compaction has met them): compacted, it keeps the live keys of both column families
     * and drops the rest.
     */
    @Test
    void compactionLeavesTheLiveKeysAndDropsTheDeletedOnes(@TempDir Path stateDir) throws Exception {
        Path store = stateDir.resolve("app/0_0/rocksdb/stay-due-index");
        java.nio.file.Files.createDirectories(store);
        // Random values: the compaction's compression cannot account for what it drops.
        byte[][] values = new byte[KEYS][32];
        Random random = new Random(3);
        for (byte[] v : values) {
            random.nextBytes(v);
        }
        RocksDB.loadLibrary();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)) {
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB db = RocksDB.open(options, store.toString(), List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(SECOND_FAMILY)),
                    handles); FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                for (ColumnFamilyHandle h : handles) {
                    for (int i = 0; i < KEYS; i++) {
                        db.put(h, key(0, i), values[i]);
                    }
                    db.flush(flush, h);
                    for (int i = 0; i < KEYS; i++) {
                        db.delete(h, key(0, i));
                        db.put(h, key(1, i), values[i]);
                    }
                    db.flush(flush, h);
                }
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
        StateSize before = StateSize.of(stateDir);

        assertEquals(1, FullCompaction.compactAll(stateDir));

        StateSize after = StateSize.of(stateDir);
        assertTrue(after.storeBytes().get("stay-due-index") < before.storeBytes().get("stay-due-index") / 2,
                before + " then " + after);
        try (DBOptions options = new DBOptions()) {
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try (RocksDB db = RocksDB.open(options, store.toString(), List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY), new ColumnFamilyDescriptor(SECOND_FAMILY)),
                    handles)) {
                for (ColumnFamilyHandle h : handles) {
                    for (int i = 0; i < KEYS; i += 997) {
                        assertNull(db.get(h, key(0, i)));
                        assertArrayEquals(values[i], db.get(h, key(1, i)));
                    }
                }
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    @Test
    void aStateDirectoryWithoutRocksDbHasNothingToCompact(@TempDir Path stateDir) throws Exception {
        java.nio.file.Files.writeString(stateDir.resolve(".lock"), "");
        assertEquals(0, FullCompaction.compactAll(stateDir));
    }

    private static byte[] key(int day, int id) {
        return ByteBuffer.allocate(8).putInt(day).putInt(id * 7919).array();
    }
}
