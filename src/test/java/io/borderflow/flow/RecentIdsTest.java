package io.borderflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecentIdsTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_663_459_200_000L; // 2022-09-18T00:00Z

    @Test
    void answersOnlyForTheTimesAskedAbout() {
        RecentIds ids = new RecentIds(14 * DAY);
        ids.add(42, T0 + 3 * DAY);
        assertTrue(ids.mayContain(42, T0, T0 + 7 * DAY));
        assertTrue(ids.mayContain(42, T0 + 3 * DAY, T0 + 3 * DAY));
        assertFalse(ids.mayContain(42, T0 + 4 * DAY, T0 + 9 * DAY), "seen on another day");
        assertFalse(ids.mayContain(43, T0, T0 + 7 * DAY));
    }

    @Test
    void forgetsWhatTheStoreForgetsAndSaysFromWhenItIsComplete() {
        RecentIds ids = new RecentIds(14 * DAY);
        ids.add(1, T0);
        assertEquals(Long.MIN_VALUE, ids.floor(), "everything added so far is still here");
        ids.add(2, T0 + 14 * DAY);
        assertTrue(ids.mayContain(1, T0, T0), "exactly the retention behind: kept");
        ids.add(3, T0 + 15 * DAY + 1);
        assertFalse(ids.mayContain(1, T0, T0));
        assertEquals(T0 + DAY, ids.floor(), "a lookup reaching before this must ask the store");
        assertTrue(ids.mayContain(2, T0 + 14 * DAY, T0 + 14 * DAY));
        assertEquals(2, ids.size());
    }

    @Test
    void keepsEveryFingerprintThroughGrowthIncludingZero() {
        RecentIds.LongSet set = new RecentIds.LongSet();
        Random random = new Random(7);
        Set<Long> expected = new HashSet<>();
        expected.add(0L);
        set.add(0L);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong();
            assertEquals(expected.add(v), set.add(v));
        }
        assertEquals(expected.size(), set.size());
        for (long v : expected) {
            assertTrue(set.contains(v));
        }
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong();
            assertEquals(expected.contains(v), set.contains(v));
        }
    }

    @Test
    void clearStartsOver() {
        RecentIds ids = new RecentIds(DAY);
        ids.add(5, T0);
        ids.add(6, T0 + 3 * DAY);
        ids.clear();
        assertEquals(Long.MIN_VALUE, ids.floor());
        assertFalse(ids.mayContain(6, T0, T0 + 5 * DAY));
        assertEquals(0, ids.size());
    }
}
