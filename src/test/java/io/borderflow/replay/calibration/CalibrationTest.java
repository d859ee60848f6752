package io.borderflow.replay.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioGenerator;
import io.borderflow.replay.scenario.ScenarioLoader;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    static DailyTally replay(Scenario s) {
        DailyTally tally = new DailyTally(s.zone());
        try (ScenarioGenerator g = new ScenarioGenerator(s, CheckpointCatalog.builtIn())) {
            SpecificRecord e;
            while ((e = g.next()) != null) {
                tally.accept(e);
            }
        }
        return tally;
    }

    /** The built-in seed, and another: the calibration must not hang on one lucky draw. */
    @ParameterizedTest
    @ValueSource(longs = {0, 1})
    void theSurgeMeetsEveryPublishedTarget(long seedOffset) {
        Scenario s = ScenarioLoader.builtIn("sept-2022-surge").withRange(null, LocalDate.of(2022, 10, 31));
        s = s.withSeed(s.seed() + seedOffset);
        CalibrationReport report = CalibrationReport.of(replay(s));
        assertEquals(20, report.rows().size());
        String failed = report.rows().stream().filter(r -> !r.pass())
                .map(r -> r.target() + " " + r.what() + " = " + r.replayed()).collect(Collectors.joining("; "));
        assertTrue(report.allPass(), "figures outside tolerance: " + failed + "\n" + report.table());
        assertTrue(report.table().contains("20 of 20 figures within tolerance"));
    }

    @Test
    void aReportOnTheWrongDataFailsAndSaysWhere() {
        DailyTally t = new DailyTally(ZoneId.of("Asia/Almaty"));
        // A flat 8,500 a day in each direction: no surge at all.
        for (LocalDate d = LocalDate.of(2022, 9, 1); !d.isAfter(LocalDate.of(2022, 10, 31)); d = d.plusDays(1)) {
            Instant noon = d.atTime(12, 0).atZone(t.zone()).toInstant();
            for (int i = 0; i < 8500; i++) {
                t.accept(new Crossing("in" + i, "t", "RU", Direction.ENTRY, "SYRYM", null, null, noon));
                t.accept(new Crossing("out" + i, "t", "RU", Direction.EXIT, "SYRYM", null, null, noon));
            }
        }
        CalibrationReport report = CalibrationReport.of(t);
        assertFalse(report.allPass());
        CalibrationReport.Row t2 = report.rows().stream().filter(r -> r.what().equals("in 21-27 Sep")).findFirst().orElseThrow();
        assertEquals(59_500, t2.replayed());
        assertFalse(t2.pass());
        assertTrue(report.rows().get(0).pass(), "T1 holds for normal traffic");
        assertTrue(report.table().contains("FAIL"));
    }

    @Test
    void figuresOutsideTheReplayedRangeAreMarkedNotCovered() {
        Scenario s = ScenarioLoader.builtIn("sept-2022-surge").withRange(LocalDate.of(2022, 9, 28), LocalDate.of(2022, 9, 29));
        CalibrationReport report = CalibrationReport.of(replay(s));
        assertTrue(report.rows().stream().anyMatch(r -> !r.covered()));
        assertTrue(report.table().contains("not in replayed range"));
        CalibrationReport.Row t5 = report.rows().stream().filter(r -> r.what().equals("in 29 Sep")).findFirst().orElseThrow();
        assertTrue(t5.covered() && t5.pass(), "29 Sep replayed on its own still meets its figure: " + t5.replayed());
    }
}
