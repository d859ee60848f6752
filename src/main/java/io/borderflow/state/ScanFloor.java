package io.borderflow.state;

/**
 * Where a range scan of a sorted index, whose low end a processor keeps deleting, may start. RocksDB keeps a
 * tombstone for each deleted key until compaction reaches the bottom level, and a scan from the lowest key walks
 * every one of them: over the whole surge, hand-overs and sweeps that scanned from the lowest key spent 72 % of the
 * stream thread skipping deleted keys, more with every day of input.
 *
 * <p>Positions are whatever orders the keys (a day, an hour, a window end). The floor lives in memory: unknown
 * after a (re)start, when the first scan starts from the lowest key and settles it. The protocol: a scan starts at
 * {@link #from}; once it has collected its keys and before it deletes or writes any, {@link #cleared} says that
 * every key below a position is gone; every write at a position goes through {@link #wrote}, which lowers the floor
 * for a key written below it.
 */
public final class ScanFloor {
    private long floor;
    private boolean known;

    /** The position a scan starts from; {@code lowest} while unknown. */
    public long from(long lowest) {
        return known ? Math.max(floor, lowest) : lowest;
    }

    /** A scan found and is about to remove every key below {@code position}. */
    public void cleared(long position) {
        floor = position;
        known = true;
    }

    /** A key was written at {@code position}. */
    public void wrote(long position) {
        if (known && position < floor) {
            floor = position;
        }
    }
}
