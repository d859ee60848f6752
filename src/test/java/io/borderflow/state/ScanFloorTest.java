package io.borderflow.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.TreeSet;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class ScanFloorTest {
    @Test
    void unknownUntilTheFirstScanThenTheLastClearedPosition() {
        ScanFloor floor = new ScanFloor();
        floor.wrote(5);
        assertEquals(0, floor.from(0), "nothing known after a start: scan from the lowest key");
        floor.cleared(10);
        assertEquals(10, floor.from(0));
        floor.wrote(12);
        assertEquals(10, floor.from(0));
        floor.wrote(7);
        assertEquals(7, floor.from(0), "a key written below the floor is found by the next scan");
        floor.cleared(20);
        assertEquals(20, floor.from(0));
    }

    /** A daily sweep over an index with random writes, past ones included, finds what a scan from 0 would. */
    @Test
    void aSweepFromTheFloorFindsEveryDueKey() {
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        TreeSet<Long> index = new TreeSet<>();
        ScanFloor floor = new ScanFloor();
        for (long today = 1; today < 2_000; today++) {
            for (int i = 0; i < 5; i++) {
                long day = today + random.nextLong(-30, 200);
                index.add(day);
                floor.wrote(day);
            }
            TreeSet<Long> expected = new TreeSet<>(index.headSet(today, false));
            TreeSet<Long> found = new TreeSet<>(index.subSet(floor.from(Long.MIN_VALUE), true, today, false));
            assertEquals(expected, found, "day " + today);
            floor.cleared(today);
            index.removeAll(found);
            long later = today + random.nextLong(-10, 10); // written while the sweep handles its keys
            index.add(later);
            floor.wrote(later);
        }
    }
}
