package io.borderflow.stay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.replay.Pseudonymiser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class DueKeyTest {
    private static final long DAY = LocalDate.of(2022, 9, 21).toEpochDay();
    private final Pseudonymiser pseudonymiser = new Pseudonymiser("a test key of enough bytes".getBytes(StandardCharsets.UTF_8));

    @Test
    void pseudonymsPackToTheirSixteenBytesAndBack() {
        for (int i = 0; i < 2_000; i++) {
            String id = pseudonymiser.apply("passport " + i);
            Bytes key = DueKey.of(DAY, id);
            assertEquals(DueKey.DAY_BYTES + 1 + 16, key.get().length, id);
            assertEquals(DueKey.PSEUDONYM, key.get()[DueKey.DAY_BYTES]);
            assertEquals(id, DueKey.id(key));
            assertEquals(DAY, DueKey.day(key));
        }
    }

    @Test
    void scenarioIdsPackToEightBytesAndBack() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            String id = "t" + String.format("%016x", random.nextLong());
            Bytes key = DueKey.of(DAY, id);
            assertEquals(DueKey.DAY_BYTES + 1 + 8, key.get().length, id);
            assertEquals(id, DueKey.id(key));
        }
    }

    @Test
    void idsOfNoKnownFormAreKeptAsTheirUtf8Bytes() {
        for (String id : List.of("T0123456789abcdef0", "t0123456789ABCDEF", "t0123456789abcdeg", "t0123456789abcde",
                "p-AAAAAAAAAAAAAAAAAAAAA", "p-AAAAAAAAAAAAAAAAAAAAAAA", "p-AAAAAAAAAAAAAAAAAAAA+A", "q-AAAAAAAAAAAAAAAAAAAAAA",
                "csv-traveller-7", "Ωμέγα", "x")) {
            Bytes key = DueKey.of(DAY, id);
            assertArrayEquals(legacy(DAY, id).get(), key.get(), id);
            assertEquals(id, DueKey.id(key));
        }
    }

    @Test
    void aBase64TailWithBitsBeyondTheSixteenBytesIsNotPacked() {
        // 'A' and 'B' differ in the lowest of the 132 bits, which 16 bytes do not hold: packing 'B' would read back 'A'.
        String canonical = "p-AAAAAAAAAAAAAAAAAAAAAA";
        String stray = "p-AAAAAAAAAAAAAAAAAAAAAB";
        assertEquals(DueKey.PSEUDONYM, DueKey.of(DAY, canonical).get()[DueKey.DAY_BYTES]);
        assertArrayEquals(legacy(DAY, stray).get(), DueKey.of(DAY, stray).get());
        assertEquals(stray, DueKey.id(DueKey.of(DAY, stray)));
    }

    @Test
    void anIdStartingWithATagCharacterGetsTheRawTag() {
        for (String id : List.of("\u0000a", "\u0001" + "0123456789abcdef", "\u0002")) {
            Bytes key = DueKey.of(DAY, id);
            assertEquals(DueKey.RAW, key.get()[DueKey.DAY_BYTES]);
            assertEquals(id, DueKey.id(key));
        }
    }

    @Test
    void keysWrittenBeforeIdsWerePackedReadTheSame() {
        for (String id : List.of(pseudonymiser.apply("x"), "t00000000000000ff", "other")) {
            Bytes old = legacy(DAY, id);
            assertEquals(id, DueKey.id(old));
            assertEquals(DAY, DueKey.day(old));
        }
    }

    @Test
    void keysSortByDayWhateverTheirIdsForm() {
        List<Bytes> keys = new ArrayList<>();
        long[] days = {-40_000, -1, 0, 1, DAY, DAY + 1, 60_000};
        for (long day : days) {
            keys.add(DueKey.of(day, "\u0001x"));
            keys.add(DueKey.of(day, pseudonymiser.apply("a")));
            keys.add(DueKey.of(day, "tffffffffffffffff"));
            keys.add(DueKey.of(day, "\uffff"));
        }
        for (int i = 0; i < days.length; i++) {
            Bytes lowest = DueKey.of(days[i], null);
            assertEquals(days[i], DueKey.day(lowest));
            for (int j = 0; j < keys.size(); j++) {
                long day = DueKey.day(keys.get(j));
                assertEquals(days[j / 4], day);
                // The day's null key bounds a range scan: below every key of its day, above every key before it.
                assertTrue(day < days[i] == keys.get(j).compareTo(lowest) < 0, keys.get(j) + " against " + lowest);
            }
        }
    }

    private static Bytes legacy(long day, String id) {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(4 + utf8.length).putInt((int) day ^ Integer.MIN_VALUE).put(utf8).array());
    }
}
