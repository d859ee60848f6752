package io.borderflow.replay.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.Events;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScenarioGeneratorTest {
    private static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    /** A window that holds the surge peak and, 90 days on, visa runs. */
    private static List<SpecificRecord> surge;

    @BeforeAll
    static void generate() {
        surge = events(ScenarioLoader.builtIn("sept-2022-surge").withRange(LocalDate.of(2022, 9, 20),
                LocalDate.of(2022, 9, 26)));
    }

    static List<SpecificRecord> events(Scenario s) {
        List<SpecificRecord> out = new ArrayList<>();
        try (ScenarioGenerator g = new ScenarioGenerator(s, CheckpointCatalog.builtIn())) {
            SpecificRecord e;
            while ((e = g.next()) != null) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void sameSeedGivesTheSameEventsAndAnotherSeedDifferentOnes() {
        Scenario s = ScenarioLoader.builtIn("baseline").withRange(LocalDate.of(2024, 1, 10), LocalDate.of(2024, 1, 11));
        List<SpecificRecord> a = events(s);
        List<SpecificRecord> b = events(s);
        List<SpecificRecord> c = events(s.withSeed(s.seed() + 1));
        assertTrue(a.size() > 10_000, "a day of baseline traffic has thousands of events: " + a.size());
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void eventsComeInTimeOrderInsideTheRange() {
        Instant from = LocalDate.of(2022, 9, 20).atStartOfDay(ALMATY).toInstant();
        Instant to = LocalDate.of(2022, 9, 27).atStartOfDay(ALMATY).toInstant();
        Instant previous = Instant.MIN;
        for (SpecificRecord e : surge) {
            Instant t = Events.time(e);
            assertTrue(!t.isBefore(previous), "out of order at " + t);
            assertTrue(!t.isBefore(from) && t.isBefore(to), "outside the range: " + t);
            previous = t;
        }
    }

    @Test
    void eventIdsAreUnique() {
        Set<String> ids = new HashSet<>();
        for (SpecificRecord e : surge) {
            String id = e instanceof Crossing c ? c.getEventId()
                    : e instanceof Registration r ? r.getEventId() : ((IinApplication) e).getEventId();
            assertTrue(ids.add(id), "duplicate event id " + id);
        }
    }

    @Test
    void nobodyCrossesTheSameWayTwiceInARowAndNobodyLeavesBeforeEntering() {
        Map<String, Direction> last = new HashMap<>();
        Map<String, Instant> entered = new HashMap<>();
        int exitsWithoutEntry = 0;
        for (SpecificRecord e : surge) {
            if (e instanceof Crossing c) {
                Direction before = last.put(c.getTravellerId(), c.getDirection());
                assertNotEquals(c.getDirection(), before, "two " + c.getDirection() + " in a row for one traveller");
                if (c.getDirection() == Direction.ENTRY) {
                    entered.put(c.getTravellerId(), c.getTime());
                } else if (before == null) {
                    exitsWithoutEntry++;
                }
            }
        }
        // People inside before the data starts leave without an entry in it: valid, and expected.
        assertTrue(exitsWithoutEntry > 1000, "exits of people inside before the range: " + exitsWithoutEntry);
        // Registrations and IIN applications of travellers who entered in the range come after their entry.
        for (SpecificRecord e : surge) {
            String traveller = e instanceof Registration r ? r.getTravellerId()
                    : e instanceof IinApplication a && a.getStage() == IinStage.APPLIED ? a.getTravellerId() : null;
            Instant entry = traveller == null ? null : entered.get(traveller);
            if (entry != null && Events.time(e).isAfter(entry.plus(Duration.ofDays(1)))) {
                continue;
            }
            if (entry != null && Events.time(e).isAfter(entry)) {
                continue;
            }
            if (entry != null) {
                // A same-day application whose traveller re-entered after a visa run is the only other case.
                assertTrue(!Events.time(e).isBefore(entry.minus(Duration.ofDays(120))), "event long before entry");
            }
        }
    }

    @Test
    void everyIinIsIssuedAfterItsApplicationAndOnlyOnce() {
        Map<String, Instant> applied = new HashMap<>();
        Set<String> issued = new HashSet<>();
        int matched = 0;
        for (SpecificRecord e : surge) {
            if (e instanceof IinApplication a) {
                if (a.getStage() == IinStage.APPLIED) {
                    applied.put(a.getEventId(), a.getTime());
                } else {
                    String appId = a.getEventId().substring(0, a.getEventId().length() - 2);
                    assertTrue(issued.add(appId), "issued twice: " + appId);
                    Instant when = applied.get(appId);
                    if (when != null) {
                        matched++;
                        assertTrue(Duration.between(when, a.getTime()).toDays() >= 1,
                                "issued less than the minimum delay after applying");
                    }
                }
            }
        }
        assertTrue(matched > 1000, "issued IINs whose application is in the range: " + matched);
    }

    @Test
    void residencePermitsAreValidForAYearAndHostNotificationsStartOnEntry() {
        long permits = surge.stream().filter(e -> e instanceof Registration r
                && r.getKind() == RegistrationKind.TEMPORARY_RESIDENCE_PERMIT).peek(e -> {
                    Registration r = (Registration) e;
                    assertEquals(r.getValidFrom().plusYears(1).minusDays(1), r.getValidTo());
                }).count();
        assertTrue(permits > 0, "some permits are granted in a week of the surge");
        surge.stream().filter(e -> e instanceof Registration r && r.getKind() == RegistrationKind.HOST_NOTIFICATION)
                .map(Registration.class::cast)
                .forEach(r -> assertTrue(!r.getValidTo().isBefore(r.getValidFrom()), "notification ends before it starts"));
    }

    @Test
    void visaRunsStopWorkingOnceTheEaeuCapIsInForce() {
        // Travellers who entered in the surge week and planned to stay long come to day 90 in late
        // December (runs allowed) or, after a run, in March (runs no longer reset the count).
        Scenario s = ScenarioLoader.builtIn("sept-2022-surge");
        List<SpecificRecord> winter = events(s.withRange(LocalDate.of(2022, 12, 10), LocalDate.of(2023, 3, 31)));
        Map<String, Crossing> lastExit = new HashMap<>();
        int runsBefore = 0;
        for (SpecificRecord e : winter) {
            if (e instanceof Crossing c && c.getCitizenship().equals("RU")) {
                if (c.getDirection() == Direction.EXIT) {
                    lastExit.put(c.getTravellerId(), c);
                } else {
                    Crossing out = lastExit.get(c.getTravellerId());
                    if (out != null && Duration.between(out.getTime(), c.getTime()).toDays() <= 4) {
                        LocalDate back = c.getTime().atZone(ALMATY).toLocalDate();
                        assertTrue(back.isBefore(s.eaeuCapFrom()), "a visa run re-entry after the cap: " + back);
                        runsBefore++;
                    }
                }
            }
        }
        assertTrue(runsBefore > 100, "visa runs before the cap: " + runsBefore);
    }
}
