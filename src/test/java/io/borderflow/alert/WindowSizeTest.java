package io.borderflow.alert;

import static io.borderflow.alert.Windows.ALMATY;
import static io.borderflow.alert.Windows.dayStart;
import static io.borderflow.alert.Windows.national;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.Severity;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowSizeTest {

    @Test
    void ids() {
        assertEquals(WindowSize.HOUR, WindowSize.fromId("1h"));
        assertEquals(WindowSize.DAY, WindowSize.fromId("1d"));
        assertNull(WindowSize.fromId("7d"));
        assertNull(WindowSize.fromId(null));
    }

    @Test
    void hoursAreEpochAligned() {
        Instant start = Instant.parse("2022-09-21T05:00:00Z");
        long slot = WindowSize.HOUR.slotOf(start, start.plusSeconds(3600), ALMATY);
        assertEquals(start, WindowSize.HOUR.start(slot, ALMATY));
        assertEquals(start.plusSeconds(3600), WindowSize.HOUR.end(slot, ALMATY));
    }

    /** Almaty moved from UTC+6 to UTC+5 at the start of 1 March 2024: 29 February had 25 hours. */
    @Test
    void localDaysAcrossThe2024OffsetChangeAreConsecutiveSlots() {
        LocalDate feb28 = LocalDate.of(2024, 2, 28);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 4; i++) {
            LocalDate d = feb28.plusDays(i);
            long slot = WindowSize.DAY.slotOf(dayStart(d), dayStart(d.plusDays(1)), ALMATY);
            assertEquals(d.toEpochDay(), slot);
            assertEquals(dayStart(d), WindowSize.DAY.start(slot, ALMATY));
            if (previous != Long.MIN_VALUE) {
                assertEquals(previous + 1, slot);
            }
            previous = slot;
        }
        assertEquals(Duration.ofHours(25), Duration.between(dayStart(LocalDate.of(2024, 2, 29)),
                WindowSize.DAY.end(LocalDate.of(2024, 2, 29).toEpochDay(), ALMATY)));
        // A day window cut with the old fixed offset (+06:00) still lands on its own date.
        Instant fixedStart = LocalDate.of(2024, 3, 5).atStartOfDay(ZoneOffset.ofHours(6)).toInstant();
        assertEquals(LocalDate.of(2024, 3, 5).toEpochDay(),
                WindowSize.DAY.slotOf(fixedStart, fixedStart.plus(Duration.ofDays(1)), ALMATY));
    }

    @Test
    void aDailyAlertRunsAcrossThe25HourDayWithoutAGap() {
        AlertEvaluator ev = new AlertEvaluator(AlertRules.of(ALMATY, List.of(AlertRule.netOutflow("out",
                Severity.CRITICAL, FlowDimension.NATIONAL, WindowSize.DAY, 1000))));
        List<Alert> out = new ArrayList<>();
        LocalDate feb27 = LocalDate.of(2024, 2, 27);
        out.addAll(ev.onWindow(national(feb27, 13000, 13000)));
        for (int i = 1; i <= 3; i++) {   // 28 Feb, 29 Feb (25 h), 1 Mar: outflow
            out.addAll(ev.onWindow(national(feb27.plusDays(i), 13000, 14500)));
        }
        out.addAll(ev.onWindow(national(feb27.plusDays(4), 13000, 13000)));
        assertEquals(List.of(AlertState.RAISED, AlertState.RESOLVED), out.stream().map(Alert::getState).toList());
        assertEquals(dayStart(LocalDate.of(2024, 2, 28)), out.get(1).getStartTime());
        assertEquals(Instant.parse("2024-03-01T19:00:00Z"), out.get(1).getEndTime(), "2 March 00:00+05:00");
    }
}
