package io.borderflow.replay.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CurveTest {
    @Test
    void interpolatesBetweenPointsAndHoldsOutside() {
        Curve c = Curve.fromJson(Map.of("2022-09-21", 10_000, "2022-09-25", 30_000));
        assertEquals(10_000, c.on(LocalDate.of(2022, 1, 1)));
        assertEquals(10_000, c.on(LocalDate.of(2022, 9, 21)));
        assertEquals(20_000, c.on(LocalDate.of(2022, 9, 23)));
        assertEquals(30_000, c.on(LocalDate.of(2022, 9, 25)));
        assertEquals(30_000, c.on(LocalDate.of(2030, 1, 1)));
        assertEquals(42, Curve.fromJson(42).on(LocalDate.of(2022, 9, 23)));
    }

    @Test
    void rejectsNegativeAndNonNumericPoints() {
        assertThrows(IllegalArgumentException.class, () -> Curve.fromJson(-1));
        assertThrows(IllegalArgumentException.class, () -> Curve.fromJson(Map.of("2022-09-21", "many")));
        assertThrows(IllegalArgumentException.class, () -> Curve.fromJson(Map.of("yesterday", 1)));
    }

    @Test
    void stayLengthsStayInsideTheirBoundsAndLognormalHasItsMedian() {
        SplittableRandom r = new SplittableRandom(1);
        StayLength uniform = new StayLength("uniform", null, null, 2, 5);
        for (int i = 0; i < 1000; i++) {
            int d = uniform.draw(r);
            assertTrue(d >= 2 && d <= 5, "uniform draw " + d);
        }
        StayLength logn = new StayLength("lognormal", 30.0, 0.5, null, 89);
        int[] draws = new int[10_001];
        for (int i = 0; i < draws.length; i++) {
            draws[i] = logn.draw(r);
            assertTrue(draws[i] <= 89);
        }
        java.util.Arrays.sort(draws);
        assertEquals(30, draws[draws.length / 2], 1.5);
    }
}
