package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T00:00:00Z"), ZoneOffset.UTC);
    static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    final EventJson json = new EventJson(ALMATY, CLOCK);

    static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void crossingIsWrittenInTheDocumentedFieldOrderWithTheZoneOffset() {
        Crossing c = new Crossing("e1", "p-abc", "RU", Direction.ENTRY, "KAIRAK", "Kostanay", Mode.ROAD,
                t("2022-09-21T02:15:00Z"));
        assertEquals("{\"type\":\"crossing\",\"eventId\":\"e1\",\"travellerId\":\"p-abc\",\"citizenship\":\"RU\","
                + "\"direction\":\"ENTRY\",\"checkpoint\":\"KAIRAK\",\"region\":\"Kostanay\",\"mode\":\"ROAD\","
                + "\"time\":\"2022-09-21T08:15:00+06:00\"}", json.toJson(c));
    }

    @Test
    void nullsAreWrittenAsNullAndMillisOnlyWhenNonZero() {
        Crossing c = new Crossing("e2", null, "KZ", Direction.EXIT, "ALA", null, null, t("2022-09-21T02:15:00.120Z"));
        assertEquals("{\"type\":\"crossing\",\"eventId\":\"e2\",\"travellerId\":null,\"citizenship\":\"KZ\","
                + "\"direction\":\"EXIT\",\"checkpoint\":\"ALA\",\"region\":null,\"mode\":null,"
                + "\"time\":\"2022-09-21T08:15:00.120+06:00\"}", json.toJson(c));
        Registration r = new Registration("r1", "p-x", RegistrationKind.HOST_NOTIFICATION, LocalDate.of(2022, 9, 22),
                null, null, t("2022-09-22T04:00:00Z"));
        assertEquals("{\"type\":\"registration\",\"eventId\":\"r1\",\"travellerId\":\"p-x\",\"kind\":\"HOST_NOTIFICATION\","
                + "\"validFrom\":\"2022-09-22\",\"validTo\":null,\"region\":null,\"time\":\"2022-09-22T10:00:00+06:00\"}",
                json.toJson(r));
        IinApplication a = new IinApplication("i1", "p-y", "RU", "Almaty", IinStage.ISSUED, t("2022-10-01T03:00:00.001Z"));
        assertEquals("{\"type\":\"iin\",\"eventId\":\"i1\",\"travellerId\":\"p-y\",\"citizenship\":\"RU\","
                + "\"region\":\"Almaty\",\"stage\":\"ISSUED\",\"time\":\"2022-10-01T09:00:00.001+06:00\"}", json.toJson(a));
    }

    static List<SpecificRecord> samples() {
        return List.of(
                new Crossing("e1", "p-abc", "RU", Direction.ENTRY, "KAIRAK", "Kostanay", Mode.ROAD, t("2022-09-21T02:15:00Z")),
                new Crossing("e2", null, "KZ", Direction.EXIT, "ALA", null, null, t("2022-09-21T02:15:00.999Z")),
                new Crossing("e3 \"quoted\" \\ back\nslash\u0001", "тр-ид ü 😀", "UA", Direction.EXIT, "ATA-MEKEN",
                        "Область, \"x\"", Mode.PEDESTRIAN, t("1990-01-02T00:00:00Z")),
                new Registration("r1", "p-x", RegistrationKind.HOST_NOTIFICATION, LocalDate.of(2022, 9, 22), null, null,
                        t("2022-09-22T04:00:00Z")),
                new Registration("r2", "p-x", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, LocalDate.of(2022, 9, 22),
                        LocalDate.of(2023, 9, 21), "Almaty", t("2022-09-22T04:00:00.5Z")),
                new Registration("r3", "p-x", RegistrationKind.PERMANENT_RESIDENCE, LocalDate.of(2022, 9, 22),
                        LocalDate.of(2022, 9, 22), "Astana", t("2022-09-22T04:00:00Z")),
                new IinApplication("i1", "p-y", "RU", null, IinStage.APPLIED, t("2022-10-01T03:00:00Z")),
                new IinApplication("i2", "p-y", "RU", "Almaty", IinStage.ISSUED, t("2024-03-01T12:00:00.007Z")));
    }

    @Test
    void roundTripIsExactForAllTypesInSeveralZones() {
        for (String zone : List.of("Asia/Almaty", "UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu")) {
            EventJson j = new EventJson(ZoneId.of(zone), CLOCK);
            for (SpecificRecord e : samples()) {
                String line = j.toJson(e);
                EventJson.Parsed p = j.parse(line);
                assertNull(p.reason(), line);
                assertEquals(e, p.event(), line);
                // and any zone reads it back to the same instant
                assertEquals(e, json.parse(line).event(), line);
            }
        }
    }

    @Test
    void almatyOffsetChangeOf2024IsRendered() {
        // Kazakhstan moved from +06:00 to +05:00 on 2024-03-01 00:00 local.
        assertEquals("2024-02-29T23:59:59+06:00", TimeCodec.format(t("2024-02-29T17:59:59Z"), ALMATY.getRules()));
        assertEquals("2024-02-29T23:00:00+05:00", TimeCodec.format(t("2024-02-29T18:00:00Z"), ALMATY.getRules()));
    }

    @Test
    void daylightSavingOverlapKeepsTheInstant() {
        EventJson berlin = new EventJson(ZoneId.of("Europe/Berlin"), CLOCK);
        Crossing a = new Crossing("a", null, "DE", Direction.ENTRY, "X", null, null, t("2022-10-30T00:30:00Z"));
        Crossing b = new Crossing("b", null, "DE", Direction.ENTRY, "X", null, null, t("2022-10-30T01:30:00Z"));
        assertTrue(berlin.toJson(a).contains("\"2022-10-30T02:30:00+02:00\""), berlin.toJson(a));
        assertTrue(berlin.toJson(b).contains("\"2022-10-30T02:30:00+01:00\""), berlin.toJson(b));
        assertEquals(a, berlin.parse(berlin.toJson(a)).event());
        assertEquals(b, berlin.parse(berlin.toJson(b)).event());
    }

    @Test
    void zeroOffsetIsNumericAndOtherIsoFormsAreRead() {
        EventJson utc = new EventJson(ZoneOffset.UTC, CLOCK);
        Crossing c = new Crossing("e", null, "RU", Direction.ENTRY, "X", null, null, t("2022-01-01T00:00:00Z"));
        assertTrue(utc.toJson(c).endsWith("\"time\":\"2022-01-01T00:00:00+00:00\"}"));
        for (String time : List.of("2022-01-01T00:00:00Z", "2022-01-01T06:00+06:00", "2022-01-01T06:00:00.000000+06:00",
                "2022-01-01T05:00:00.0+05:00")) {
            String line = "{\"type\":\"crossing\",\"eventId\":\"e\",\"travellerId\":null,\"citizenship\":\"RU\","
                    + "\"direction\":\"ENTRY\",\"checkpoint\":\"X\",\"time\":\"" + time + "\"}";
            assertEquals(c, json.parse(line).event(), time);
        }
    }

    @Test
    void absentOptionalFieldsReadAsNullAndFieldOrderIsFree() {
        String line = "{\"time\":\"2022-09-21T08:15:00+06:00\",\"checkpoint\":\"KAIRAK\",\"direction\":\"EXIT\","
                + "\"citizenship\":\"RU\",\"eventId\":\"x\",\"type\":\"crossing\"}";
        assertEquals(new Crossing("x", null, "RU", Direction.EXIT, "KAIRAK", null, null, t("2022-09-21T02:15:00Z")),
                json.parse(line).event());
    }

    @Test
    void lineWriterWritesOneLinePerEvent() throws Exception {
        StringWriter out = new StringWriter();
        try (EventJson.LineWriter w = json.newWriter(out)) {
            for (SpecificRecord e : samples()) {
                w.write(e);
            }
        }
        String[] lines = out.toString().split("\n", -1);
        assertEquals(samples().size() + 1, lines.length);
        assertEquals("", lines[lines.length - 1]);
        for (int i = 0; i < samples().size(); i++) {
            assertEquals(json.toJson(samples().get(i)), lines[i]);
            assertEquals(samples().get(i), json.parse(lines[i]).event());
        }
        StringBuilder sb = new StringBuilder();
        json.write(samples().get(0), sb);
        assertEquals(lines[0] + "\n", sb.toString());
    }
}
