package io.borderflow.deadletter;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import io.borderflow.replay.EventValidator;
import io.borderflow.replay.InvalidEventException;
import io.borderflow.serde.AvroSerde;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * What every stage that reads an input topic does first: decode the value and check it. The rules are the
 * replay's ({@link EventValidator}: required ids, times from 1990 to now, validTo not before validFrom), so a
 * record the replay would refuse is refused here too (a citizenship only needs two ASCII letters in any case:
 * the stages upper-case it), plus bounds that keep the outputs small (lengths of ids and names, years of
 * permit dates). Clocks differ between producers and this app by
 * up to {@link #FUTURE_TOLERANCE}.
 *
 * <p>Every stage applies the same check, so they agree on which records are bad; only the first stage that
 * reads a topic reports them (see {@code StayTopology.addTo}), so each bad record is dead-lettered once.
 * Thread-safe.
 *
 * <p>Those stages read a record one after another on the same thread, so each thread keeps the last record that
 * passed and what it decoded to: the next stage gets the same object (read-only, as every stage uses it) instead of
 * decoding and checking the record again. It is recognised by identity (the array Kafka Streams hands every stage)
 * and by the check's time zone; checks on a clock of their own (tests) keep nothing.
 */
public final class InputCheck {
    /** How far past the wall clock an event time may lie before it is impossible. */
    public static final Duration FUTURE_TOLERANCE = Duration.ofDays(1);
    static final int MAX_ID_LENGTH = 128;
    static final int MAX_CHECKPOINT_LENGTH = 64;
    static final int MAX_REGION_LENGTH = 128;
    private static final LocalDate EARLIEST_PERMIT_DATE = LocalDate.of(1900, 1, 1);
    private static final LocalDate LATEST_PERMIT_DATE = LocalDate.of(2199, 12, 31);

    private static final ThreadLocal<Passed> LAST_PASSED = new ThreadLocal<>();

    /** A record that passed: its value, the zone of the check it passed, and what it decoded to. */
    private record Passed(byte[] value, ZoneId zone, SpecificRecord record) {
    }

    private final EventValidator validator;
    /** The zone this check shares its last passed records under; null: it shares none. */
    private final ZoneId sharedUnder;

    public InputCheck(ZoneId zone) {
        this(zone, Clock.systemUTC(), zone);
    }

    public InputCheck(ZoneId zone, Clock clock) {
        this(zone, clock, null);
    }

    private InputCheck(ZoneId zone, Clock clock, ZoneId sharedUnder) {
        this.validator = new EventValidator(zone, Clock.offset(clock, FUTURE_TOLERANCE));
        this.sharedUnder = sharedUnder;
    }

    /** What the last check on this thread gave for this very value, or null. */
    private <T extends SpecificRecord> T passedBefore(Class<T> type, byte[] value) {
        Passed last = sharedUnder == null ? null : LAST_PASSED.get();
        if (last != null && last.value == value && last.zone.equals(sharedUnder) && type.isInstance(last.record)) {
            return type.cast(last.record);
        }
        return null;
    }

    private <T extends SpecificRecord> T passed(byte[] value, T record) {
        if (sharedUnder != null) {
            LAST_PASSED.set(new Passed(value, sharedUnder, record));
        }
        return record;
    }

    public Crossing crossing(String topic, byte[] value) {
        Crossing before = passedBefore(Crossing.class, value);
        if (before != null) {
            return before;
        }
        Crossing c = decode(AvroSerde.of(Crossing.class), topic, value);
        String citizenship = citizenship(c.getCitizenship());
        check(citizenship.equals(c.getCitizenship()) ? c : Crossing.newBuilder(c).setCitizenship(citizenship).build());
        length("eventId", c.getEventId(), MAX_ID_LENGTH);
        length("travellerId", c.getTravellerId(), MAX_ID_LENGTH);
        length("checkpoint", c.getCheckpoint(), MAX_CHECKPOINT_LENGTH);
        length("region", c.getRegion(), MAX_REGION_LENGTH);
        return passed(value, c);
    }

    public Registration registration(String topic, byte[] value) {
        Registration before = passedBefore(Registration.class, value);
        if (before != null) {
            return before;
        }
        Registration r = decode(AvroSerde.of(Registration.class), topic, value);
        check(r);
        length("eventId", r.getEventId(), MAX_ID_LENGTH);
        length("travellerId", r.getTravellerId(), MAX_ID_LENGTH);
        length("region", r.getRegion(), MAX_REGION_LENGTH);
        permitDate("validFrom", r.getValidFrom());
        permitDate("validTo", r.getValidTo());
        return passed(value, r);
    }

    public IinApplication iin(String topic, byte[] value) {
        IinApplication before = passedBefore(IinApplication.class, value);
        if (before != null) {
            return before;
        }
        IinApplication a = decode(AvroSerde.of(IinApplication.class), topic, value);
        String citizenship = citizenship(a.getCitizenship());
        check(citizenship.equals(a.getCitizenship()) ? a
                : IinApplication.newBuilder(a).setCitizenship(citizenship).build());
        length("eventId", a.getEventId(), MAX_ID_LENGTH);
        length("travellerId", a.getTravellerId(), MAX_ID_LENGTH);
        length("region", a.getRegion(), MAX_REGION_LENGTH);
        return passed(value, a);
    }

    private static <T extends SpecificRecord> T decode(AvroSerde<T> serde, String topic, byte[] value) {
        if (value == null) {
            throw new BadInputException(DeadLetters.EMPTY, "a record with no value and no watermark header", null);
        }
        try {
            return serde.deserialize(topic, value);
        } catch (SerializationException e) {
            throw new BadInputException(DeadLetters.DESERIALIZATION, e.getMessage(), e.getClass().getName());
        }
    }

    private void check(SpecificRecord record) {
        try {
            validator.check(record);
        } catch (InvalidEventException e) {
            throw invalid(e.getMessage());
        }
    }

    /**
     * The citizenship as the stages read it (stripped, upper-case: the stay stage has always taken {@code ru} for
     * RU); anything but two ASCII letters is impossible.
     */
    private static String citizenship(String value) {
        if (value != null && value.length() == 2 && upper(value.charAt(0)) && upper(value.charAt(1))) {
            return value; // the usual case, without allocating
        }
        String c = value == null ? "" : value.strip().toUpperCase(Locale.ROOT);
        if (c.length() != 2 || !upper(c.charAt(0)) || !upper(c.charAt(1))) {
            throw invalid("field \"citizenship\": " + (value == null || value.isBlank() ? "missing or empty"
                    : quote(value) + " is not a 2-letter country code (e.g. RU)"));
        }
        return c;
    }

    private static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** At most 40 characters, control characters escaped: a value in a one-line message. */
    private static String quote(String value) {
        StringBuilder b = new StringBuilder("\"");
        value.codePoints().limit(40).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || cp == '"' || cp == '\\' || Character.getType(cp) == Character.LINE_SEPARATOR
                    || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append(value.codePointCount(0, value.length()) > 40 ? "…\"" : "\"").toString();
    }

    private static void length(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw invalid("field \"" + field + "\": " + value.length() + " characters, at most " + max);
        }
    }

    private static void permitDate(String field, LocalDate date) {
        if (date != null && (date.isBefore(EARLIEST_PERMIT_DATE) || date.isAfter(LATEST_PERMIT_DATE))) {
            throw invalid("field \"" + field + "\": " + date + " is outside " + EARLIEST_PERMIT_DATE + " to "
                    + LATEST_PERMIT_DATE);
        }
    }

    private static BadInputException invalid(String message) {
        return new BadInputException(DeadLetters.INVALID, message, InvalidEventException.class.getName());
    }
}
