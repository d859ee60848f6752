package io.borderflow.deadletter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The check every stage applies to an input record: the reason and a one-line message naming the field. */
class InputCheckTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    private static final InputCheck CHECK = new InputCheck(ALMATY, Clock.fixed(NOW, ZoneOffset.UTC));
    private static final String C = "border.crossings.v1";
    private static final Instant T = Instant.parse("2022-09-21T04:00:00Z");

    private static Crossing crossing() {
        return new Crossing("e1", "t1", "RU", Direction.ENTRY, "SYRYM", "West Kazakhstan", Mode.ROAD, T);
    }

    private static byte[] encode(Crossing c) {
        return AvroSerde.of(Crossing.class).encode(c);
    }

    private static byte[] encode(Registration r) {
        return AvroSerde.of(Registration.class).encode(r);
    }

    private static byte[] encode(IinApplication a) {
        return AvroSerde.of(IinApplication.class).encode(a);
    }

    private static Registration permit(LocalDate from, LocalDate to) {
        return new Registration("r1", "t1", RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, from, to, null, T);
    }

    static Stream<Arguments> badRecords() {
        byte[] good = encode(crossing());
        return Stream.of(
                Arguments.of("no value", (Supplier<?>) () -> CHECK.crossing(C, null), DeadLetters.EMPTY,
                        "a record with no value and no watermark header"),
                Arguments.of("not Avro", (Supplier<?>) () -> CHECK.crossing(C, "{\"eventId\":\"e1\"}".getBytes(StandardCharsets.UTF_8)),
                        DeadLetters.DESERIALIZATION, C + ": not Avro single-object encoding"),
                Arguments.of("truncated", (Supplier<?>) () -> CHECK.crossing(C, Arrays.copyOf(good, good.length - 3)),
                        DeadLetters.DESERIALIZATION, C + ": corrupt Crossing body"),
                Arguments.of("another type", (Supplier<?>) () -> CHECK.crossing(C, encode(permit(LocalDate.of(2022, 9, 1),
                        null))), DeadLetters.DESERIALIZATION, C + ": schema fingerprint"),
                Arguments.of("before 1990", (Supplier<?>) () -> CHECK.crossing(C, encode(Crossing.newBuilder(crossing())
                        .setTime(Instant.parse("1989-12-31T00:00:00Z")).build())), DeadLetters.INVALID,
                        "field \"time\": 1989-12-31"),
                Arguments.of("two days ahead", (Supplier<?>) () -> CHECK.crossing(C, encode(Crossing.newBuilder(crossing())
                        .setTime(NOW.plus(Duration.ofDays(2))).build())), DeadLetters.INVALID, "field \"time\": 2025-06-03"),
                Arguments.of("empty traveller", (Supplier<?>) () -> CHECK.crossing(C, encode(Crossing.newBuilder(crossing())
                        .setTravellerId("").build())), DeadLetters.INVALID, "field \"travellerId\": missing or empty"),
                Arguments.of("citizenship word", (Supplier<?>) () -> CHECK.crossing(C, encode(Crossing.newBuilder(crossing())
                        .setCitizenship("Russia").build())), DeadLetters.INVALID,
                        "field \"citizenship\": \"Russia\" is not a 2-letter country code (e.g. RU)"),
                Arguments.of("citizenship control", (Supplier<?>) () -> CHECK.crossing(C, encode(Crossing.newBuilder(crossing())
                        .setCitizenship("R\n").build())), DeadLetters.INVALID,
                        "field \"citizenship\": \"R\\u000a\" is not"),
                Arguments.of("long event id", (Supplier<?>) () -> CHECK.crossing(C, encode(Crossing.newBuilder(crossing())
                        .setEventId("e".repeat(129)).build())), DeadLetters.INVALID,
                        "field \"eventId\": 129 characters, at most 128"),
                Arguments.of("long region", (Supplier<?>) () -> CHECK.crossing(C, encode(Crossing.newBuilder(crossing())
                        .setRegion("r".repeat(200)).build())), DeadLetters.INVALID, "field \"region\": 200 characters"),
                Arguments.of("permit backwards", (Supplier<?>) () -> CHECK.registration("r", encode(permit(
                        LocalDate.of(2022, 10, 1), LocalDate.of(2022, 9, 30)))), DeadLetters.INVALID,
                        "field \"validTo\": 2022-09-30 is before validFrom 2022-10-01"),
                Arguments.of("permit year 3000", (Supplier<?>) () -> CHECK.registration("r", encode(permit(
                        LocalDate.of(2022, 10, 1), LocalDate.of(3000, 1, 1)))), DeadLetters.INVALID,
                        "field \"validTo\": 3000-01-01 is outside 1900-01-01 to 2199-12-31"),
                Arguments.of("iin blank traveller", (Supplier<?>) () -> CHECK.iin("i", encode(new IinApplication("i1", " ",
                        "KG", null, IinStage.ISSUED, T))), DeadLetters.INVALID, "field \"travellerId\": missing or empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRecords")
    void aBadRecordIsRefusedWithItsReasonAndTheField(String what, Supplier<?> check, String reason, String message) {
        BadInputException e = assertThrows(BadInputException.class, check::get);
        assertEquals(reason, e.reason(), what);
        assertTrue(e.getMessage().startsWith(message), what + ": " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line");
        assertTrue(!e.getMessage().contains("t1"), "never the traveller id: " + e.getMessage());
        if (reason.equals(DeadLetters.EMPTY)) {
            assertNull(e.errorClass());
        } else {
            assertTrue(e.errorClass().endsWith(reason.equals(DeadLetters.INVALID) ? "InvalidEventException"
                    : "SerializationException"), e.errorClass());
        }
    }

    @Test
    void validRecordsPassAsTheyAre() {
        Crossing c = crossing();
        assertEquals(c, CHECK.crossing(C, encode(c)));
        Crossing anonymous = Crossing.newBuilder(c).setTravellerId(null).build();
        assertNull(CHECK.crossing(C, encode(anonymous)).getTravellerId(), "anonymous crossings are valid");
        // The stages read citizenship case-insensitively; the record goes on unchanged.
        Crossing lower = Crossing.newBuilder(c).setCitizenship("ru").build();
        assertEquals("ru", CHECK.crossing(C, encode(lower)).getCitizenship());
        Crossing clockAhead = Crossing.newBuilder(c).setTime(NOW.plus(Duration.ofHours(20))).build();
        assertEquals(clockAhead, CHECK.crossing(C, encode(clockAhead)), "within a day of the clock");
        Registration open = permit(LocalDate.of(2022, 9, 1), null);
        assertEquals(open, CHECK.registration("r", encode(open)));
        Registration oneDay = permit(LocalDate.of(2022, 9, 1), LocalDate.of(2022, 9, 1));
        assertEquals(oneDay, CHECK.registration("r", encode(oneDay)));
        IinApplication a = new IinApplication("i1", "t1", "kg", null, IinStage.APPLIED, T);
        assertEquals(a, CHECK.iin("i", encode(a)));
    }

    @Test
    void theSameBytesGetTheSameAnswerFromEveryCheck() {
        byte[] bad = encode(Crossing.newBuilder(crossing()).setCheckpoint("").build());
        InputCheck other = new InputCheck(ALMATY, Clock.fixed(NOW, ZoneOffset.UTC));
        BadInputException a = assertThrows(BadInputException.class, () -> CHECK.crossing(C, bad));
        BadInputException b = assertThrows(BadInputException.class, () -> other.crossing(C, bad));
        assertEquals(a.reason(), b.reason());
        assertEquals(a.getMessage(), b.getMessage());
        assertSame(DeadLetters.INVALID, a.reason());
    }

    @Test
    void aRecordThatPassedIsDecodedOnceForEveryStageOfTheThreadThatReadsIt() {
        InputCheck flow = new InputCheck(ALMATY);
        InputCheck stay = new InputCheck(ALMATY);
        byte[] value = encode(crossing());
        Crossing first = flow.crossing(C, value);
        assertEquals(crossing(), first);
        assertSame(first, stay.crossing(C, value), "the same array: what the first stage decoded");
        assertNotSame(first, stay.crossing(C, value.clone()), "equal bytes in another array: a record of its own");
        byte[] registration = encode(permit(LocalDate.of(2022, 9, 1), null));
        Registration r = flow.registration("r", registration);
        assertSame(r, stay.registration("r", registration));
        assertNotSame(first, stay.crossing(C, value), "only the last record is kept");
        Crossing elsewhere = new InputCheck(ZoneId.of("Europe/Moscow")).crossing(C, value);
        assertNotSame(stay.crossing(C, value), elsewhere, "a check in another zone decides for itself");
        InputCheck ownClock = new InputCheck(ALMATY, Clock.systemUTC());
        Crossing own = ownClock.crossing(C, value);
        assertNotSame(own, ownClock.crossing(C, value), "a check on a clock of its own keeps nothing");
    }

    @Test
    void aRecordThatFailedIsCheckedAgainByTheNextStage() {
        InputCheck flow = new InputCheck(ALMATY);
        InputCheck stay = new InputCheck(ALMATY);
        byte[] good = encode(crossing());
        Crossing passed = flow.crossing(C, good);
        byte[] bad = encode(Crossing.newBuilder(crossing()).setCheckpoint("").build());
        assertThrows(BadInputException.class, () -> flow.crossing(C, bad));
        assertThrows(BadInputException.class, () -> stay.crossing(C, bad));
        assertSame(passed, stay.crossing(C, good), "a failure does not replace the last record that passed");
    }
}
