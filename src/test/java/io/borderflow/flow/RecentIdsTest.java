package io.borderflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecentIdsTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_663_459_200_000L; // 2022-09-18T00:00Z
    private static final long NOT_SEEN = RecentIds.NOT_SEEN;

    @Test
    void answersWithTheTimeSeenOnlyForTheTimesAskedAbout() {
        RecentIds ids = new RecentIds(14 * DAY);
        ids.add(42, 7, T0 + 3 * DAY + 5);
        assertEquals(T0 + 3 * DAY + 5, ids.seenAt(42, 7, T0, T0 + 7 * DAY));
        assertEquals(T0 + 3 * DAY + 5, ids.seenAt(42, 7, T0 + 3 * DAY + 5, T0 + 3 * DAY + 5));
        assertEquals(NOT_SEEN, ids.seenAt(42, 7, T0 + 3 * DAY + 6, T0 + 9 * DAY), "seen a millisecond before");
        assertEquals(NOT_SEEN, ids.seenAt(42, 7, T0, T0 + 3 * DAY + 4), "seen a millisecond after");
        assertEquals(NOT_SEEN, ids.seenAt(42, 8, T0, T0 + 7 * DAY), "the same first half is not the same id");
        assertEquals(NOT_SEEN, ids.seenAt(43, 7, T0, T0 + 7 * DAY));
    }

    @Test
    void holdsAnIdSeenAgainOutsideAShortHorizonUnderBothTimes() {
        RecentIds ids = new RecentIds(2 * 3_600_000L);
        ids.add(1, 1, T0 + 1_000);
        ids.add(1, 1, T0 + 5_000);
        assertEquals(T0 + 1_000, ids.seenAt(1, 1, T0, T0 + 2_000));
        assertEquals(T0 + 5_000, ids.seenAt(1, 1, T0 + 4_000, T0 + 6_000));
        assertEquals(2, ids.size());
    }

    @Test
    void forgetsWholeDaysOnceOlderThanTheStoreKeepsThem() {
        RecentIds ids = new RecentIds(14 * DAY);
        ids.add(1, 1, T0);
        ids.add(4, 4, T0 + DAY - 1);
        ids.add(2, 2, T0 + 14 * DAY);
        assertEquals(T0, ids.seenAt(1, 1, T0, T0), "exactly the retention behind: kept");
        ids.add(3, 3, T0 + 15 * DAY - 1);
        assertEquals(T0, ids.seenAt(1, 1, T0, T0), "more than the retention behind, but its day is not");
        ids.add(5, 5, T0 + 15 * DAY + 1);
        assertEquals(NOT_SEEN, ids.seenAt(1, 1, T0, T0));
        assertEquals(NOT_SEEN, ids.seenAt(4, 4, T0, T0 + DAY));
        assertEquals(T0 + 14 * DAY, ids.seenAt(2, 2, T0 + 14 * DAY, T0 + 14 * DAY));
        assertEquals(3, ids.size());
    }

    @Test
    void keepsEveryIdThroughGrowthIncludingZeroes() {
        RecentIds.IdSet set = new RecentIds.IdSet();
        Random random = new Random(7);
        List<long[]> added = new ArrayList<>();
        set.add(0, 0, 0);
        added.add(new long[] {0, 0, 0});
        for (int i = 0; i < 100_000; i++) {
            // Few distinct first halves, so probing runs are long and the second half must tell ids apart.
            long[] id = {random.nextInt(1_000), random.nextLong(), random.nextInt(1_000_000)};
            set.add(id[0], id[1], id[2]);
            added.add(id);
        }
        assertEquals(added.size(), set.size());
        for (long[] id : added) {
            assertEquals(id[2], set.seenAt(id[0], id[1], id[2], id[2]));
        }
        for (int i = 0; i < 10_000; i++) {
            assertEquals(NOT_SEEN, set.seenAt(random.nextInt(1_000), random.nextLong(), 0, 1_000_000));
        }
    }

    @Test
    void clearStartsOver() {
        RecentIds ids = new RecentIds(DAY);
        ids.add(5, 5, T0);
        ids.add(6, 6, T0 + 3 * DAY);
        ids.clear();
        assertEquals(NOT_SEEN, ids.seenAt(6, 6, T0, T0 + 5 * DAY));
        assertEquals(0, ids.size());
    }
}
