package io.borderflow.replay.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** {@code bench --scale N}: N times the travellers, who behave as before. */
class ScenarioScaleTest {
    private static final LocalDate DAY = LocalDate.of(2024, 1, 10);

    /** Baseline traffic over two days, without its 150 warm-up days (they only slow the test down). */
    private static Scenario baseline() {
        Scenario b = ScenarioLoader.builtIn("baseline");
        return new Scenario(b.name(), b.description(), b.zone(), DAY, DAY.plusDays(1), 0, b.seed(), b.eaeuCapFrom(),
                b.eaeu(), b.pedestrianShare(), b.iinIssuance(), b.segments());
    }

    @Test
    void scaleMultipliesArrivalsDeparturesAndIinCapacity() {
        Scenario surge = ScenarioLoader.builtIn("sept-2022-surge");
        Scenario triple = surge.withScale(3);
        for (int i = 0; i < surge.segments().size(); i++) {
            Segment one = surge.segments().get(i);
            Segment three = triple.segments().get(i);
            assertEquals(3 * one.arrivals().on(DAY), three.arrivals().on(DAY), 1e-9, one.name());
            assertEquals(3 * one.departures().on(DAY), three.departures().on(DAY), 1e-9, one.name());
            assertEquals(one.profiles(), three.profiles());
            assertEquals(one.citizenship(), three.citizenship());
        }
        LocalDate rush = LocalDate.of(2022, 9, 22);
        assertEquals(3 * surge.iinIssuance().capacity().on(rush), triple.iinIssuance().capacity().on(rush), 1e-9);
        assertEquals(surge.start(), triple.start());
        assertEquals(surge.seed(), triple.seed());
    }

    @Test
    void scaledScenarioHasAboutThatManyTravellersAllDistinct() {
        List<SpecificRecord> one = ScenarioGeneratorTest.events(baseline());
        List<SpecificRecord> three = ScenarioGeneratorTest.events(baseline().withScale(3));
        long entriesOne = entries(one).size();
        Set<String> travellersThree = entries(three);
        double ratio = (double) travellersThree.size() / entriesOne;
        assertTrue(entriesOne > 10_000, "two days of baseline: " + entriesOne);
        assertTrue(ratio > 2.8 && ratio < 3.2, "entering travellers x" + ratio);
        long entryRecordsThree = three.stream()
                .filter(e -> e instanceof Crossing c && c.getDirection() == Direction.ENTRY).count();
        assertEquals(entryRecordsThree, travellersThree.size(), "every entry on its first day is a new traveller");
    }

    @Test
    void scaleOneIsTheScenarioItself() {
        Scenario s = baseline();
        assertSame(s, s.withScale(1));
    }

    @Test
    void scaleMustBePositive() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> baseline().withScale(bad));
            assertTrue(e.getMessage().contains("scale"), e.getMessage());
        }
    }

    @Test
    void curveTimesMultipliesEveryPoint() {
        Curve c = Curve.fromJson(java.util.Map.of("2024-01-01", 10, "2024-01-11", 20));
        Curve doubled = c.times(2);
        assertEquals(20, doubled.on(LocalDate.of(2024, 1, 1)), 1e-9);
        assertEquals(30, doubled.on(LocalDate.of(2024, 1, 6)), 1e-9);
        assertEquals(40, doubled.on(LocalDate.of(2024, 2, 1)), 1e-9);
        assertEquals(15, c.on(LocalDate.of(2024, 1, 6)), 1e-9, "the original is unchanged");
    }

    private static Set<String> entries(List<SpecificRecord> events) {
        Set<String> ids = new HashSet<>();
        for (SpecificRecord e : events) {
            if (e instanceof Crossing c && c.getDirection() == Direction.ENTRY) {
                ids.add(c.getTravellerId());
            }
        }
        return ids;
    }
}
