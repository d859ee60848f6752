package io.borderflow.flow;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Bytes;

/**
 * Store key of one window of one dimension key: size code, end, start (big-endian, so RocksDB's
 * byte order is window-end order and closing is a range scan), then the dimension key.
 */
record WindowKey(char size, long end, long start, String key) {
    static final char HOUR = 'h';
    static final char DAY = 'd';

    Bytes bytes() {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(17 + k.length).put((byte) size).putLong(end).putLong(start).put(k).array());
    }

    static WindowKey of(Bytes bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes.get());
        char size = (char) b.get();
        long end = b.getLong();
        long start = b.getLong();
        byte[] k = new byte[b.remaining()];
        b.get(k);
        return new WindowKey(size, end, start, new String(k, StandardCharsets.UTF_8));
    }

    /**
     * The smallest key of this size whose end is at or after {@code end}. Times before 1970 are
     * clamped to 0: negative longs sort after positive ones in big-endian byte order (inputs are
     * refused before 1990 anyway).
     */
    static Bytes lowest(char size, long end) {
        return Bytes.wrap(ByteBuffer.allocate(17).put((byte) size).putLong(Math.max(0, end)).putLong(0).array());
    }

    /** A key above every key of this size whose end is at or before {@code end}. */
    static Bytes above(char size, long end) {
        return Bytes.wrap(ByteBuffer.allocate(18).put((byte) size).putLong(end).putLong(Long.MAX_VALUE).put((byte) 0xFF).array());
    }

    String window() {
        return size == HOUR ? "1h" : "1d";
    }
}
