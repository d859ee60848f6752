package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DailyCountsCsvSourceTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    static final CheckpointCatalog CATALOG = CheckpointCatalog.builtIn();

    @TempDir
    Path dir;

    final List<Reject> rejects = new ArrayList<>();

    List<Crossing> read(String content, ZoneId zone) throws IOException {
        Path file = dir.resolve("daily.csv");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        List<Crossing> out = new ArrayList<>();
        try (DailyCountsCsvSource s = new DailyCountsCsvSource(file, rejects::add, UnaryOperator.identity(), zone, CLOCK,
                CATALOG)) {
            SpecificRecord e;
            while ((e = s.next()) != null) {
                out.add((Crossing) e);
            }
        }
        return out;
    }

    @Test
    void expandsCountsEvenlyOverTheLocalDayInFileOrder() throws IOException {
        List<Crossing> c = read("date,checkpoint,direction,count,citizenship\n"
                + "2022-09-21,KAIRAK,ENTRY,4,RU\n"
                + "2022-09-21,KAIRAK,EXIT,0,RU\n"
                + "2022-09-20,NOWHERE,EXIT,1,\n", ALMATY);
        assertTrue(rejects.isEmpty(), rejects.toString());
        assertEquals(5, c.size());
        Instant start = Instant.parse("2022-09-20T18:00:00Z"); // 2022-09-21 00:00 +06:00
        for (int i = 0; i < 4; i++) {
            Crossing x = c.get(i);
            assertEquals(start.plus(Duration.ofHours(3 + 6 * i)), x.getTime(), "i=" + i);
            assertNull(x.getTravellerId());
            assertEquals("RU", x.getCitizenship());
            assertEquals(Direction.ENTRY, x.getDirection());
            assertEquals("Kostanay", x.getRegion());
            assertEquals(Mode.ROAD, x.getMode());
            assertEquals("daily/2022-09-21/KAIRAK/ENTRY/RU/" + i, x.getEventId());
        }
        Crossing last = c.get(4);
        assertEquals(Instant.parse("2022-09-19T18:00:00Z").plus(Duration.ofHours(12)), last.getTime());
        assertEquals(DailyCountsCsvSource.UNKNOWN_CITIZENSHIP, last.getCitizenship());
        assertNull(last.getRegion());
        assertNull(last.getMode());
        assertEquals("daily/2022-09-20/NOWHERE/EXIT/XX/0", last.getEventId());
    }

    @Test
    void spreadStaysInsideTheRealLocalDayAcrossDaylightSaving() throws IOException {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        List<Crossing> c = read("checkpoint,count,direction,date\nX,1000,ENTRY,2022-03-27\nX,7,EXIT,2022-10-30\n", berlin);
        assertEquals(1007, c.size());
        Instant s1 = LocalDate.of(2022, 3, 27).atStartOfDay(berlin).toInstant();
        Instant e1 = LocalDate.of(2022, 3, 28).atStartOfDay(berlin).toInstant();
        assertEquals(Duration.ofHours(23), Duration.between(s1, e1));
        for (int i = 0; i < 1000; i++) {
            long expected = s1.toEpochMilli() + (2L * i + 1) * 23 * 3_600_000L / 2000;
            assertEquals(expected, c.get(i).getTime().toEpochMilli(), "i=" + i);
        }
        assertTrue(c.get(0).getTime().isAfter(s1) && c.get(999).getTime().isBefore(e1));
        Instant s2 = LocalDate.of(2022, 10, 30).atStartOfDay(berlin).toInstant();
        for (int i = 0; i < 7; i++) {
            assertEquals(s2.plusMillis((2L * i + 1) * 25 * 3_600_000L / 14), c.get(1000 + i).getTime());
        }
        // gaps between neighbours differ by at most 1 ms
        long minGap = Long.MAX_VALUE;
        long maxGap = 0;
        for (int i = 1; i < 1000; i++) {
            long gap = c.get(i).getTime().toEpochMilli() - c.get(i - 1).getTime().toEpochMilli();
            minGap = Math.min(minGap, gap);
            maxGap = Math.max(maxGap, gap);
        }
        assertTrue(maxGap - minGap <= 1, minGap + ".." + maxGap);
    }

    @Test
    void deterministicAcrossRuns() throws IOException {
        String csv = "date,checkpoint,direction,count\n2022-09-21,ALA,EXIT,250\n";
        assertEquals(read(csv, ALMATY), read(csv, ALMATY));
        assertEquals(250, read(csv, ALMATY).stream().map(Crossing::getEventId).distinct().count());
    }

    @Test
    void badRowsNameTheFieldAndReadingGoesOn() throws IOException {
        List<Crossing> c = read("date,checkpoint,direction,count,citizenship\n"
                + "2022-09-21,KAIRAK,ENTRY,-1,RU\n" // 2
                + "2022-09-21,KAIRAK,ENTRY,2.5,RU\n" // 3
                + "2022-09-21,KAIRAK,ENTRY,,RU\n" // 4
                + "2022-09-21,KAIRAK,ENTRY,99999999999999999999,RU\n" // 5
                + "2022-09-21,KAIRAK,ENTRY,2,RU\n" // 6 ok
                + "21.09.2022,KAIRAK,ENTRY,2,RU\n" // 7
                + "1989-12-31,KAIRAK,ENTRY,2,RU\n" // 8
                + "2025-06-01,KAIRAK,ENTRY,2,RU\n" // 9 (the clock's day, not over)
                + "2022-09-21,KAIRAK,IN,2,RU\n" // 10
                + "2022-09-21,KAIRAK,ENTRY,2,Russia\n" // 11
                + "2022-09-21,,ENTRY,2,RU\n" // 12
                + "2022-09-22,KAIRAK,EXIT,1,RU\n", ALMATY); // 13 ok
        assertEquals(3, c.size());
        assertEquals(List.of(
                "2: field \"count\": \"-1\" is not a non-negative whole number",
                "3: field \"count\": \"2.5\" is not a non-negative whole number",
                "4: field \"count\": missing or empty",
                "5: field \"count\": \"99999999999999999999\" is more than 10000000 (the most one row may expand to)",
                "7: field \"date\": cannot parse \"21.09.2022\" as a date (expected YYYY-MM-DD)",
                "8: field \"date\": 1989-12-31 is before 1990-01-01",
                "9: field \"date\": 2025-06-01 is not over yet in Asia/Almaty (now 2025-06-01T05:00:00+05:00)",
                "10: field \"direction\": unknown value \"IN\" (expected ENTRY or EXIT)",
                "11: field \"citizenship\": \"Russia\" is not a 2-letter upper-case country code (e.g. RU)",
                "12: field \"checkpoint\": missing or empty"),
                rejects.stream().map(r -> r.line() + ": " + r.reason()).toList());
        assertEquals("2022-09-21,KAIRAK,ENTRY,-1,RU", rejects.get(0).raw());
    }

    @Test
    void aDayThatEndedJustNowIsAccepted() throws IOException {
        // 2025-05-31 ends at 2025-05-31T19:00Z in Almaty (+05:00), before the clock's now.
        assertEquals(1, read("date,checkpoint,direction,count\n2025-05-31,ALA,ENTRY,1\n", ALMATY).size());
        assertTrue(rejects.isEmpty(), rejects.toString());
    }

    @Test
    void unknownHeaderColumn() throws IOException {
        assertEquals(List.of(), read("date,checkpoint,direction,count,gender\n2022-09-21,ALA,ENTRY,1,F\n", ALMATY));
        assertEquals(1, rejects.size());
        assertEquals(1, rejects.get(0).line());
        assertEquals("bad header, file skipped: unknown column \"gender\" (expected columns date,checkpoint,direction,"
                + "count and optionally citizenship, in any order)", rejects.get(0).reason());
    }
}
