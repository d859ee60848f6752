package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
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

class JsonLinesSourceTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");

    @TempDir
    Path dir;

    final List<Reject> rejects = new ArrayList<>();

    static final String GOOD_CROSSING = "{\"type\":\"crossing\",\"eventId\":\"c1\",\"travellerId\":\"T-1\",\"citizenship\":\"RU\","
            + "\"direction\":\"ENTRY\",\"checkpoint\":\"KAIRAK\",\"region\":\"Kostanay\",\"mode\":\"ROAD\","
            + "\"time\":\"2022-09-21T08:15:00+06:00\"}";
    static final String GOOD_REGISTRATION = "{\"type\":\"registration\",\"eventId\":\"r1\",\"travellerId\":\"T-1\","
            + "\"kind\":\"TEMPORARY_RESIDENCE_PERMIT\",\"validFrom\":\"2022-09-22\",\"validTo\":\"2023-09-21\","
            + "\"region\":\"Almaty\",\"time\":\"2022-09-22T10:00:00+06:00\"}";
    static final String GOOD_IIN = "{\"type\":\"iin\",\"eventId\":\"i1\",\"travellerId\":\"T-1\",\"citizenship\":\"RU\","
            + "\"region\":null,\"stage\":\"APPLIED\",\"time\":\"2022-10-01T09:00:00+06:00\"}";

    List<SpecificRecord> readAll(String content, UnaryOperator<String> pseudo) throws IOException {
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        List<SpecificRecord> out = new ArrayList<>();
        try (JsonLinesSource s = new JsonLinesSource(file, rejects::add, pseudo, ALMATY, CLOCK)) {
            SpecificRecord e;
            while ((e = s.next()) != null) {
                out.add(e);
            }
        }
        return out;
    }

    /** The one reason for a single bad line placed at line 2 between two good lines. */
    String reasonFor(String badLine) throws IOException {
        rejects.clear();
        List<SpecificRecord> events = readAll(GOOD_CROSSING + "\n" + badLine + "\n" + GOOD_IIN + "\n", UnaryOperator.identity());
        assertEquals(2, events.size(), "both good lines are kept around " + badLine);
        assertEquals(1, rejects.size(), badLine);
        Reject r = rejects.get(0);
        assertEquals(2, r.line());
        assertEquals(dir.resolve("events.jsonl").toString(), r.source());
        assertEquals(badLine, r.raw());
        assertFalse(r.reason().contains("\n"));
        return r.reason();
    }

    static String crossingWith(String field, String jsonValue) {
        return GOOD_CROSSING.replaceFirst("\"" + field + "\":(\"[^\"]*\"|null)", "\"" + field + "\":" + jsonValue);
    }

    static String without(String line, String field) {
        return line.replaceFirst(",?\"" + field + "\":(\"[^\"]*\"|null)", "").replace("{,", "{");
    }

    @Test
    void readsAllThreeTypesSkipsBlankLinesAndPseudonymises() throws IOException {
        List<SpecificRecord> events = readAll(GOOD_CROSSING + "\n\n   \r\n" + GOOD_REGISTRATION + "\r\n" + GOOD_IIN,
                id -> "P(" + id + ")");
        assertTrue(rejects.isEmpty(), rejects.toString());
        assertEquals(3, events.size());
        Crossing c = (Crossing) events.get(0);
        assertEquals("P(T-1)", c.getTravellerId());
        assertEquals(Direction.ENTRY, c.getDirection());
        assertEquals(Instant.parse("2022-09-21T02:15:00Z"), c.getTime());
        assertEquals("P(T-1)", ((Registration) events.get(1)).getTravellerId());
        assertEquals("P(T-1)", ((IinApplication) events.get(2)).getTravellerId());
    }

    @Test
    void anonymousCrossingIsNotPseudonymised() throws IOException {
        List<SpecificRecord> events = readAll(crossingWith("travellerId", "null"), id -> {
            throw new AssertionError("called for null");
        });
        assertEquals(null, ((Crossing) events.get(0)).getTravellerId());
    }

    @Test
    void malformedJson() throws IOException {
        assertTrue(reasonFor("{\"type\":\"crossing\",").startsWith("malformed JSON"), reasonFor("{\"type\":\"crossing\","));
        assertTrue(reasonFor("not json at all").startsWith("malformed JSON"));
        assertTrue(reasonFor("[1,2]").startsWith("malformed JSON"));
        assertEquals("malformed JSON: more than one value on the line", reasonFor(GOOD_CROSSING + GOOD_CROSSING));
        // Jackson's message would quote the bad token: it may be an identity and must not be repeated.
        assertFalse(reasonFor("{\"type\":\"crossing\",\"travellerId\":SECRET123}").contains("SECRET123"));
    }

    @Test
    void unknownType() throws IOException {
        assertEquals("field \"type\": unknown value \"border\" (expected crossing, registration or iin)",
                reasonFor(GOOD_CROSSING.replace("\"crossing\"", "\"border\"")));
        assertEquals("field \"type\": missing or empty", reasonFor(without(GOOD_CROSSING, "type")));
    }

    @Test
    void missingOrEmptyRequiredFieldsAreNamed() throws IOException {
        for (String f : List.of("eventId", "citizenship", "direction", "checkpoint", "time")) {
            assertEquals("field \"" + f + "\": missing or empty", reasonFor(without(GOOD_CROSSING, f)), f);
            assertEquals("field \"" + f + "\": missing or empty", reasonFor(crossingWith(f, "\"\"")), f);
            assertEquals("field \"" + f + "\": missing or empty", reasonFor(crossingWith(f, "null")), f);
        }
        assertEquals("field \"travellerId\": missing or empty", reasonFor(crossingWith("travellerId", "\"  \"")));
        for (String f : List.of("eventId", "travellerId", "kind", "validFrom", "time")) {
            assertEquals("field \"" + f + "\": missing or empty", reasonFor(without(GOOD_REGISTRATION, f)), f);
        }
        for (String f : List.of("eventId", "travellerId", "citizenship", "stage", "time")) {
            assertEquals("field \"" + f + "\": missing or empty", reasonFor(without(GOOD_IIN, f)), f);
        }
    }

    @Test
    void unknownEnumValuesNameFieldValueAndAllowedOnes() throws IOException {
        assertEquals("field \"direction\": unknown value \"INN\" (expected ENTRY or EXIT)",
                reasonFor(crossingWith("direction", "\"INN\"")));
        assertEquals("field \"direction\": unknown value \"entry\" (expected ENTRY or EXIT)",
                reasonFor(crossingWith("direction", "\"entry\"")));
        assertEquals("field \"mode\": unknown value \"SEA\" (expected ROAD, RAIL, AIR or PEDESTRIAN)",
                reasonFor(crossingWith("mode", "\"SEA\"")));
        assertEquals("field \"kind\": unknown value \"VISA\" (expected HOST_NOTIFICATION, TEMPORARY_RESIDENCE_PERMIT"
                + " or PERMANENT_RESIDENCE)", reasonFor(GOOD_REGISTRATION.replace("TEMPORARY_RESIDENCE_PERMIT", "VISA")));
        assertEquals("field \"stage\": unknown value \"REFUSED\" (expected APPLIED or ISSUED)",
                reasonFor(GOOD_IIN.replace("APPLIED", "REFUSED")));
    }

    @Test
    void badTimes() throws IOException {
        assertEquals("field \"time\": cannot parse \"yesterday\" as an ISO-8601 date-time (expected e.g."
                + " 2022-09-21T08:15:00+06:00)", reasonFor(crossingWith("time", "\"yesterday\"")));
        assertTrue(reasonFor(crossingWith("time", "\"2022-02-30T08:15:00+06:00\"")).startsWith("field \"time\": cannot parse"));
        assertEquals("field \"time\": \"2022-09-21T08:15:00\" has no UTC offset (expected e.g. 2022-09-21T08:15:00+06:00)",
                reasonFor(crossingWith("time", "\"2022-09-21T08:15:00\"")));
        assertEquals("field \"time\": 1989-12-31T23:59:59+06:00 is before 1990-01-01",
                reasonFor(crossingWith("time", "\"1989-12-31T23:59:59+06:00\"")));
        assertEquals("field \"time\": 2025-06-01T05:00:00.001+05:00 is in the future (now 2025-06-01T05:00:00+05:00)",
                reasonFor(crossingWith("time", "\"2025-06-01T00:00:00.001Z\"")));
        assertEquals("field \"time\": 2030-01-01T05:00:00+05:00 is in the future (now 2025-06-01T05:00:00+05:00)",
                reasonFor(GOOD_IIN.replace("2022-10-01T09:00:00+06:00", "2030-01-01T00:00:00Z")));
        assertTrue(reasonFor(crossingWith("time", "1663726500000")).startsWith("field \"time\": expected a string or null, got a number"));
    }

    @Test
    void boundsAreInclusive() throws IOException {
        List<SpecificRecord> events = readAll(crossingWith("time", "\"2025-06-01T00:00:00Z\"") + "\n"
                + crossingWith("time", "\"1990-01-01T00:00:00+06:00\""), UnaryOperator.identity());
        assertTrue(rejects.isEmpty(), rejects.toString());
        assertEquals(2, events.size());
    }

    @Test
    void registrationPeriod() throws IOException {
        assertEquals("field \"validTo\": 2022-09-21 is before validFrom 2022-09-22",
                reasonFor(GOOD_REGISTRATION.replace("2023-09-21", "2022-09-21")));
        assertEquals("field \"validFrom\": cannot parse \"22.09.2022\" as a date (expected YYYY-MM-DD)",
                reasonFor(GOOD_REGISTRATION.replace("\"2022-09-22\"", "\"22.09.2022\"")));
        // open-ended and one-day validities are fine
        rejects.clear();
        readAll(GOOD_REGISTRATION.replace("\"2023-09-21\"", "null") + "\n"
                + GOOD_REGISTRATION.replace("2023-09-21", "2022-09-22"), UnaryOperator.identity());
        assertTrue(rejects.isEmpty(), rejects.toString());
    }

    @Test
    void citizenshipMustBeTwoUpperCaseLetters() throws IOException {
        for (String bad : List.of("ru", "RUS", "R", "R1", "Ру")) {
            assertEquals("field \"citizenship\": \"" + bad + "\" is not a 2-letter upper-case country code (e.g. RU)",
                    reasonFor(crossingWith("citizenship", "\"" + bad + "\"")), bad);
        }
        assertEquals("field \"citizenship\": \"kz\" is not a 2-letter upper-case country code (e.g. RU)",
                reasonFor(GOOD_IIN.replace("\"RU\"", "\"kz\"")));
    }

    @Test
    void unknownDuplicateAndForeignFields() throws IOException {
        assertEquals("unknown field \"passport\"", reasonFor(GOOD_CROSSING.replace("{", "{\"passport\":\"X\",")));
        assertEquals("field \"kind\": not a field of type \"crossing\"",
                reasonFor(GOOD_CROSSING.replace("{", "{\"kind\":\"HOST_NOTIFICATION\",")));
        assertEquals("field \"eventId\": appears twice", reasonFor(GOOD_CROSSING.replace("}", ",\"eventId\":\"c2\"}")));
        assertEquals("field \"region\": expected a string or null, got an object",
                reasonFor(crossingWith("region", "{\"a\":1}")));
    }

    @Test
    void rawIdsNeverAppearInReasons() throws IOException {
        String bad = GOOD_CROSSING.replace("T-1", "SECRET-ID").replace("ENTRY", "INN");
        assertFalse(reasonFor(bad).contains("SECRET-ID"));
        assertFalse(rejects.get(0).describe().contains("SECRET-ID"));
    }

    @Test
    void keepsGoingAfterBadLinesAndDropsNothingValid() throws IOException {
        StringBuilder in = new StringBuilder();
        int good = 0;
        for (int i = 0; i < 300; i++) {
            switch (i % 5) {
                case 0 -> in.append("garbage ").append(i);
                case 1 -> in.append(crossingWith("direction", "\"SIDEWAYS\""));
                case 2 -> in.append(crossingWith("eventId", "\"c" + i + "\"").replace("T-1", "T-" + i));
                case 3 -> in.append("{\"type\":\"crossing\"");
                default -> in.append(GOOD_IIN.replace("\"i1\"", "\"i" + i + "\""));
            }
            if (i % 5 == 2 || i % 5 == 4) {
                good++;
            }
            in.append('\n');
        }
        List<SpecificRecord> events = readAll(in.toString(), UnaryOperator.identity());
        assertEquals(good, events.size());
        assertEquals(300 - good, rejects.size());
        for (int k = 0; k < rejects.size(); k++) {
            long line = rejects.get(k).line();
            assertTrue((line - 1) % 5 == 0 || (line - 1) % 5 == 1 || (line - 1) % 5 == 3, "line " + line);
        }
        assertEquals("c2", ((Crossing) events.get(0)).getEventId());
    }

    @Test
    void invalidUtf8AndByteOrderMark() throws IOException {
        Path file = dir.resolve("bytes.jsonl");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] good = (GOOD_CROSSING + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', '"', (byte) 0xC3, '"', '}', '\n'};
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes(bom);
        b.writeBytes(good);
        b.writeBytes(bad);
        b.writeBytes(good);
        Files.write(file, b.toByteArray());
        int n = 0;
        try (JsonLinesSource s = new JsonLinesSource(file, rejects::add, UnaryOperator.identity(), ALMATY, CLOCK)) {
            while (s.next() != null) {
                n++;
            }
        }
        assertEquals(2, n);
        assertEquals(1, rejects.size());
        assertEquals(2, rejects.get(0).line());
        assertEquals("not valid UTF-8", rejects.get(0).reason());
    }
}
