package io.borderflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.borderflow.flow.DedupeBatches.Stored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class DedupeBatchesTest {
    private static final long HOUR = LocalWindows.HOUR_MS;
    private static final long T0 = 1_663_459_200_000L; // 2022-09-18T00:00Z

    /** What the store holds after the puts: the last value per (key, hour). */
    private final Map<String, Stored> store = new LinkedHashMap<>();

    private void put(Stored s) {
        store.put(s.key() + "@" + s.hourStart(), s);
    }

    private List<long[]> entries() {
        List<long[]> out = new ArrayList<>();
        store.values().forEach(s -> DedupeBatches.forEach(s.hourStart(), s.value(),
                (hi, lo, time) -> out.add(new long[] {hi, lo, time})));
        return out;
    }

    @Test
    void everyIdComesBackWithItsTimeFromTheLatestVersionOfEachBatch() {
        DedupeBatches batches = new DedupeBatches(0);
        List<long[]> added = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Three hours interleaved, one of them 3 days late, and the last millisecond of an hour.
            long time = i % 3 == 0 ? T0 + HOUR - 1 : i % 3 == 1 ? T0 + 5 * HOUR + i : T0 - 72 * HOUR + i * 1_000L;
            long[] id = {i * 31L - 7, -i, time};
            added.add(id);
            put(batches.add(id[0], id[1], id[2]));
        }
        List<long[]> back = entries();
        assertEquals(added.size(), back.size());
        Map<Long, long[]> byHi = new HashMap<>();
        back.forEach(e -> byHi.put(e[0], e));
        for (long[] id : added) {
            assertArrayEquals(id, byHi.get(id[0]));
        }
    }

    @Test
    void aBatchHoldsAtMostItsSizeAndTheNextIdStartsAnother() {
        DedupeBatches batches = new DedupeBatches(41);
        Stored first = null;
        Stored last = null;
        for (int i = 0; i < DedupeBatches.BATCH; i++) {
            last = batches.add(i, i, T0 + i);
            first = first == null ? last : first;
        }
        assertEquals(first.key(), last.key());
        assertEquals(41, DedupeBatches.number(last.key()));
        assertEquals(DedupeBatches.BATCH * DedupeBatches.ENTRY_BYTES, last.value().length);
        assertEquals(T0, last.hourStart());
        Stored next = batches.add(99, 99, T0 + 99);
        assertNotEquals(last.key(), next.key());
        assertEquals(42, DedupeBatches.number(next.key()));
        assertEquals(DedupeBatches.ENTRY_BYTES, next.value().length);
    }

    @Test
    void eachHourHasItsOwnBatchAndManyOpenHoursStillLoseNothing() {
        DedupeBatches batches = new DedupeBatches(0);
        Stored a = batches.add(1, 1, T0);
        Stored b = batches.add(2, 2, T0 + HOUR);
        assertNotEquals(a.key(), b.key());
        assertEquals(T0 + HOUR, b.hourStart());
        put(a);
        put(b);
        // More open hours than are kept open: the dropped ones start new batches, under new numbers.
        for (int h = 0; h < 300; h++) {
            put(batches.add(1_000 + h, h, T0 + h * HOUR + 7));
            put(batches.add(5_000 + h, h, T0 + h * HOUR + 8));
        }
        assertEquals(602, entries().size());
        assertEquals(Bytes.wrap(new byte[] {0, 0, 0, 0, 0, 0, 0, 1}), b.key());
    }
}
