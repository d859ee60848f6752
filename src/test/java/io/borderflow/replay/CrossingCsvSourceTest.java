package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrossingCsvSourceTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    static final CheckpointCatalog CATALOG = CheckpointCatalog.builtIn();
    static final UnaryOperator<String> PSEUDO = id -> "p(" + id + ")";

    @TempDir
    Path dir;

    final List<Reject> rejects = new ArrayList<>();

    List<Crossing> read(String name, String content, ZoneId zone) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        List<Crossing> out = new ArrayList<>();
        try (CrossingCsvSource s = new CrossingCsvSource(file, rejects::add, PSEUDO, zone, CLOCK, CATALOG)) {
            SpecificRecord e;
            while ((e = s.next()) != null) {
                out.add((Crossing) e);
            }
        }
        return out;
    }

    List<Crossing> read(String content) throws IOException {
        return read("crossings.csv", content, ALMATY);
    }

    @Test
    void readsRowsFillsRegionAndModeFromTheCatalog() throws IOException {
        List<Crossing> c = read("time,direction,checkpoint,citizenship,traveller_id\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A1\n"
                + "2022-09-21T09:00:00+06:00,EXIT,NOWHERE,RU,\n");
        assertTrue(rejects.isEmpty(), rejects.toString());
        assertEquals(2, c.size());
        Crossing a = c.get(0);
        assertEquals(Instant.parse("2022-09-21T02:15:00Z"), a.getTime());
        assertEquals(Direction.ENTRY, a.getDirection());
        assertEquals("KAIRAK", a.getCheckpoint());
        assertEquals("RU", a.getCitizenship());
        assertEquals("p(A1)", a.getTravellerId());
        assertEquals("Kostanay", a.getRegion());
        assertEquals(Mode.ROAD, a.getMode());
        Crossing b = c.get(1);
        assertNull(b.getTravellerId(), "empty traveller_id is anonymous");
        assertNull(b.getRegion(), "unknown checkpoint: no region");
        assertNull(b.getMode());
    }

    @Test
    void columnsInAnotherOrderWithQuotesAndExplicitModeRegion() throws IOException {
        List<Crossing> c = read("\uFEFFRegion , Traveller_ID,Mode,citizenship,checkpoint,direction,time\r\n"
                + "\"Almaty, city\",\"id \"\"7\"\", x\",AIR,KZ,ALA,EXIT,\"2022-09-21T08:15:00+06:00\"\r\n"
                + ",  B2  ,,KZ,PETROPAVL-RAIL,ENTRY,2022-09-21T10:00:00+06:00\r\n"
                + "\"multi\nline region\",C3,ROAD,KZ,ALA,ENTRY,2022-09-21T11:00:00+06:00\n"
                + "Astana,D4,RAIL,KZ,ALA,ENTRY,2022-09-21T12:00:00+06:00\n");
        assertTrue(rejects.isEmpty(), rejects.toString());
        assertEquals(4, c.size());
        assertEquals("Almaty, city", c.get(0).getRegion());
        assertEquals("p(id \"7\", x)", c.get(0).getTravellerId());
        assertEquals(Mode.AIR, c.get(0).getMode());
        assertEquals(Direction.EXIT, c.get(0).getDirection());
        assertEquals("p(B2)", c.get(1).getTravellerId(), "blanks around unquoted values are dropped");
        assertEquals("North Kazakhstan", c.get(1).getRegion());
        assertEquals(Mode.RAIL, c.get(1).getMode());
        assertEquals("multi\nline region", c.get(2).getRegion());
        assertEquals(Mode.ROAD, c.get(2).getMode(), "explicit mode wins over the catalog");
        assertEquals("Astana", c.get(3).getRegion());
        assertEquals(Mode.RAIL, c.get(3).getMode());
    }

    @Test
    void localTimesWithoutOffsetAreReadInTheZone() throws IOException {
        List<Crossing> c = read("time,direction,checkpoint,citizenship,traveller_id\n"
                + "2022-09-21T08:15:00,ENTRY,KAIRAK,RU,A\n"
                + "2022-09-21 08:15,ENTRY,KAIRAK,RU,B\n"
                + "2024-03-01T08:15:00.250,ENTRY,KAIRAK,RU,C\n"
                + "2022-09-21T08:15:00Z,ENTRY,KAIRAK,RU,D\n");
        assertTrue(rejects.isEmpty(), rejects.toString());
        assertEquals(Instant.parse("2022-09-21T02:15:00Z"), c.get(0).getTime());
        assertEquals(Instant.parse("2022-09-21T02:15:00Z"), c.get(1).getTime());
        assertEquals(Instant.parse("2024-03-01T03:15:00.250Z"), c.get(2).getTime(), "+05:00 after the 2024 change");
        assertEquals(Instant.parse("2022-09-21T08:15:00Z"), c.get(3).getTime());
    }

    @Test
    void localTimesInADaylightSavingGapAreRefusedAndOverlapsTakeTheEarlierOffset() throws IOException {
        List<Crossing> c = read("berlin.csv", "time,direction,checkpoint,citizenship,traveller_id\n"
                + "2022-03-27T02:30:00,ENTRY,X,DE,A\n"
                + "2022-10-30T02:30:00,ENTRY,X,DE,B\n", ZoneId.of("Europe/Berlin"));
        assertEquals(1, c.size());
        assertEquals(Instant.parse("2022-10-30T00:30:00Z"), c.get(0).getTime());
        assertEquals(1, rejects.size());
        assertEquals(2, rejects.get(0).line());
        assertEquals("field \"time\": local time \"2022-03-27T02:30:00\" does not exist in Europe/Berlin (clocks moved"
                + " forward from 02:00 to 03:00); give an offset", rejects.get(0).reason());
    }

    @Test
    void eventIdsAreDeterministicAndDependOnContent() throws IOException {
        String csv = "time,direction,checkpoint,citizenship,traveller_id\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,B\n";
        List<Crossing> first = read(csv);
        List<Crossing> again = read(csv);
        assertEquals(first, again);
        assertEquals(4, first.stream().map(Crossing::getEventId).distinct().count());
        assertTrue(first.get(0).getEventId().matches("csv-[A-Za-z0-9_-]{22}"), first.get(0).getEventId());
        // a re-sent feed under another name, rows re-ordered: identified crossings keep their ids
        List<Crossing> resent = read("resent.csv", "traveller_id,time,direction,checkpoint,citizenship\n"
                + "B,2022-09-21T02:15:00Z,ENTRY,KAIRAK,RU\nA,2022-09-21T08:15:00,ENTRY,KAIRAK,RU\n", ALMATY);
        assertEquals(first.get(0).getEventId(), resent.get(1).getEventId());
        assertEquals(first.get(3).getEventId(), resent.get(0).getEventId());
        assertNotEquals(first.get(1).getEventId(), first.get(2).getEventId());
    }

    @Test
    void headerWithUnknownColumnIsOneErrorAtLineOne() throws IOException {
        List<Crossing> c = read("time,direction,checkpoint,citizenship,traveller_id,notes\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A,hello\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A,hello\n");
        assertEquals(List.of(), c);
        assertEquals(1, rejects.size());
        assertEquals(1, rejects.get(0).line());
        assertEquals("bad header, file skipped: unknown column \"notes\" (expected columns time,direction,checkpoint,"
                + "citizenship,traveller_id and optionally mode,region, in any order)", rejects.get(0).reason());
    }

    @Test
    void headerMissingColumnsOrNoHeaderAtAll() throws IOException {
        read("time,direction,checkpoint,citizenship\n2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU\n");
        assertEquals(1, rejects.size());
        assertTrue(rejects.get(0).reason().contains("missing column traveller_id"), rejects.get(0).reason());
        rejects.clear();
        read("2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A\n2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A\n");
        assertEquals(1, rejects.size());
        assertEquals(1, rejects.get(0).line());
        assertEquals("bad header, file skipped: no header row (the first line names none of the expected columns)"
                + " (expected columns time,direction,checkpoint,citizenship,traveller_id and optionally mode,region,"
                + " in any order)", rejects.get(0).reason());
        rejects.clear();
        read("time,direction,checkpoint,citizenship,traveller_id,Time\n");
        assertTrue(rejects.get(0).reason().contains("column \"time\" appears twice"), rejects.get(0).reason());
    }

    @Test
    void badRowsAreReportedWithLineAndFieldAndReadingGoesOn() throws IOException {
        String header = "time,direction,checkpoint,citizenship,traveller_id,mode\n";
        List<Crossing> c = read(header
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A,\n" // 2 ok
                + "2022-09-21T08:15:00+06:00,INN,KAIRAK,RU,A,\n" // 3
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,rus,A,\n" // 4
                + "2022-09-21T08:15:00+06:00,ENTRY,,RU,A,\n" // 5
                + "1985-01-01T00:00:00+06:00,ENTRY,KAIRAK,RU,A,\n" // 6
                + "2030-01-01T00:00:00+06:00,ENTRY,KAIRAK,RU,A,\n" // 7
                + "21/09/2022 08:15,ENTRY,KAIRAK,RU,A,\n" // 8
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,A,SHIP\n" // 9
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU\n" // 10
                + "2022-09-21T08:15:00+06:00,ENTRY,\"KAIRAK,RU,A,\n" // 11 quote never closed: only this line
                + "\n" // 12 blank
                + "2022-09-21T08:16:00+06:00,EXIT,KAIRAK,RU,A,\n" // 13 ok
                + "2022-09-21T08:15:00+06:00,ENTRY,\"KAIRAK\"x,RU,A,\n" // 14
                + "2022-09-21T08:17:00+06:00,EXIT,KAIRAK,RU,A,RAIL"); // 15 ok, no final newline
        assertEquals(3, c.size());
        assertEquals(Instant.parse("2022-09-21T02:16:00Z"), c.get(1).getTime());
        assertEquals(Mode.RAIL, c.get(2).getMode());
        List<String> got = rejects.stream().map(Reject::describe).toList();
        String f = dir.resolve("crossings.csv") + ":";
        assertEquals(List.of(
                f + "3: field \"direction\": unknown value \"INN\" (expected ENTRY or EXIT)",
                f + "4: field \"citizenship\": \"rus\" is not a 2-letter upper-case country code (e.g. RU)",
                f + "5: field \"checkpoint\": missing or empty",
                f + "6: field \"time\": 1985-01-01T00:00:00+06:00 is before 1990-01-01",
                f + "7: field \"time\": 2029-12-31T23:00:00+05:00 is in the future (now 2025-06-01T05:00:00+05:00)",
                f + "8: field \"time\": cannot parse \"21/09/2022 08:15\" as an ISO-8601 date-time (expected e.g."
                        + " 2022-09-21T08:15:00+06:00)",
                f + "9: field \"mode\": unknown value \"SHIP\" (expected ROAD, RAIL, AIR or PEDESTRIAN)",
                f + "10: expected 6 columns as in the header, got 4",
                f + "11: quoted field not closed on this line",
                f + "14: column 3: unexpected text after a closing quote"), got);
        assertEquals("2022-09-21T08:15:00+06:00,ENTRY,\"KAIRAK,RU,A,", rejects.get(8).raw());
    }

    @Test
    void quoteOpenUntilTheEndOfTheFileLosesOnlyItsLine() throws IOException {
        List<Crossing> c = read("time,direction,checkpoint,citizenship,traveller_id\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,\"KAIRAK,RU,A\n"
                + "2022-09-21T08:15:00+06:00,ENTRY,KAIRAK,RU,B\n");
        assertEquals(1, c.size());
        assertEquals("p(B)", c.get(0).getTravellerId());
        assertEquals(List.of("2: quoted field not closed before the end of the file"),
                rejects.stream().map(r -> r.line() + ": " + r.reason()).toList());
    }
}
