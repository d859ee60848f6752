package io.borderflow.replay;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Arrays;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * The one place where replay input is checked; used by {@link EventJson} and every {@link EventSource}.
 *
 * <p>Every failure is an {@link InvalidEventException} whose message is one line naming the field, e.g.
 * {@code field "direction": unknown value "INN" (expected ENTRY or EXIT)}. Values are quoted in reasons
 * (truncated to 40 chars, control characters escaped) except traveller ids, which are never echoed.
 *
 * <p>Rules: required strings must be non-blank; enum values are exact (case-sensitive) symbol names;
 * citizenship is two upper-case ASCII letters; times must parse, must not be before 1990-01-01 00:00 in
 * the zone and must not be after {@code clock.instant()}; a registration's validTo must not be before its
 * validFrom. An exit without an earlier entry is valid (the traveller was inside before the data starts).
 *
 * <p>Thread-safe (immutable).
 */
public final class EventValidator {
    /** Times before the start of this day (in the validator's zone) are refused. */
    public static final LocalDate EARLIEST_DATE = LocalDate.of(1990, 1, 1);

    private static final int MAX_QUOTED = 40;
    private static final String TIME_EXAMPLE = "2022-09-21T08:15:00+06:00";

    private final ZoneId zone;
    private final ZoneRules rules;
    private final Clock clock;
    private final Instant earliest;

    public EventValidator(ZoneId zone, Clock clock) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.rules = zone.getRules();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.earliest = EARLIEST_DATE.atStartOfDay(zone).toInstant();
    }

    public ZoneId zone() {
        return zone;
    }

    public Clock clock() {
        return clock;
    }

    /** The value itself; refused when null, empty or only blanks. */
    public String required(String field, String value) throws InvalidEventException {
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(prefix(field) + "missing or empty");
        }
        return value;
    }

    /** Null for null, empty or blank; the value otherwise. Never fails. */
    public static String optional(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    public Direction direction(String field, String value) throws InvalidEventException {
        return enumValue(Direction.class, field, value);
    }

    /** Optional: null/blank gives null. */
    public Mode mode(String field, String value) throws InvalidEventException {
        return optional(value) == null ? null : enumValue(Mode.class, field, value);
    }

    public RegistrationKind kind(String field, String value) throws InvalidEventException {
        return enumValue(RegistrationKind.class, field, value);
    }

    public IinStage stage(String field, String value) throws InvalidEventException {
        return enumValue(IinStage.class, field, value);
    }

    /** ISO 3166-1 alpha-2 shape: exactly two ASCII upper-case letters (not checked against the list of countries). */
    public String citizenship(String field, String value) throws InvalidEventException {
        required(field, value);
        if (value.length() != 2 || !upper(value.charAt(0)) || !upper(value.charAt(1))) {
            throw new InvalidEventException(prefix(field) + quote(value)
                    + " is not a 2-letter upper-case country code (e.g. RU)");
        }
        return value;
    }

    private static boolean upper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    /** A date-time that must carry an offset, e.g. {@value #TIME_EXAMPLE}; then {@link #checkTime}. */
    public Instant timeWithOffset(String field, String value) throws InvalidEventException {
        required(field, value);
        if (!TimeCodec.hasOffset(value)) {
            try {
                TimeCodec.parseLocal(value);
                throw new InvalidEventException(prefix(field) + quote(value)
                        + " has no UTC offset (expected e.g. " + TIME_EXAMPLE + ")");
            } catch (DateTimeException e) {
                throw unparsableTime(field, value);
            }
        }
        Instant t;
        try {
            t = TimeCodec.parseOffset(value);
        } catch (DateTimeException e) {
            throw unparsableTime(field, value);
        }
        return checkTime(field, t);
    }

    /**
     * A date-time with an offset, or a local date-time without one, read in the zone (a {@code ' '} may
     * stand for the {@code 'T'}). A local time that falls in a gap of the zone (clocks moved forward) is
     * refused; one in an overlap (clocks moved back) takes the earlier offset.
     */
    public Instant time(String field, String value) throws InvalidEventException {
        required(field, value);
        String v = value.length() > 10 && value.charAt(10) == ' ' ? value.substring(0, 10) + 'T' + value.substring(11) : value;
        if (TimeCodec.hasOffset(v)) {
            Instant t;
            try {
                t = TimeCodec.parseOffset(v);
            } catch (DateTimeException e) {
                throw unparsableTime(field, value);
            }
            return checkTime(field, t);
        }
        LocalDateTime local;
        try {
            local = TimeCodec.parseLocal(v);
        } catch (DateTimeException e) {
            throw unparsableTime(field, value);
        }
        java.util.List<ZoneOffset> offsets = rules.getValidOffsets(local);
        Instant t;
        if (offsets.size() == 1) {
            t = local.toInstant(offsets.get(0));
        } else if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = rules.getTransition(local);
            throw new InvalidEventException(prefix(field) + "local time " + quote(value) + " does not exist in " + zone
                    + " (clocks moved forward from " + gap.getDateTimeBefore().toLocalTime() + " to "
                    + gap.getDateTimeAfter().toLocalTime() + "); give an offset");
        } else {
            t = ZonedDateTime.ofLocal(local, zone, null).toInstant(); // earlier offset
        }
        return checkTime(field, t);
    }

    private static InvalidEventException unparsableTime(String field, String value) {
        return new InvalidEventException(prefix(field) + "cannot parse " + quote(value)
                + " as an ISO-8601 date-time (expected e.g. " + TIME_EXAMPLE + ")");
    }

    /** Refuses a time before {@link #EARLIEST_DATE} or after the clock's now. */
    public Instant checkTime(String field, Instant t) throws InvalidEventException {
        if (t == null) {
            throw new InvalidEventException(prefix(field) + "missing or empty");
        }
        if (t.isBefore(earliest)) {
            throw new InvalidEventException(prefix(field) + TimeCodec.format(t, rules) + " is before " + EARLIEST_DATE);
        }
        Instant now = clock.instant();
        if (t.isAfter(now)) {
            throw new InvalidEventException(prefix(field) + TimeCodec.format(t, rules) + " is in the future (now "
                    + TimeCodec.format(now, rules) + ")");
        }
        return t;
    }

    /** A calendar date {@code YYYY-MM-DD}. */
    public LocalDate date(String field, String value) throws InvalidEventException {
        required(field, value);
        try {
            return LocalDate.parse(value, DateTimeFormatter.ISO_LOCAL_DATE);
        } catch (DateTimeException e) {
            throw new InvalidEventException(prefix(field) + "cannot parse " + quote(value) + " as a date (expected YYYY-MM-DD)");
        }
    }

    /** Optional date: null/blank gives null. */
    public LocalDate optionalDate(String field, String value) throws InvalidEventException {
        return optional(value) == null ? null : date(field, value);
    }

    /** Refuses {@code validTo} before {@code validFrom} (equal is a one-day validity). Null validTo is open-ended. */
    public void period(LocalDate validFrom, LocalDate validTo) throws InvalidEventException {
        if (validTo != null && validFrom != null && validTo.isBefore(validFrom)) {
            throw new InvalidEventException(prefix("validTo") + validTo + " is before validFrom " + validFrom);
        }
    }

    /**
     * Checks a record built elsewhere (e.g. by a scenario generator) with the same rules; returns it.
     * A crossing's travellerId may be null (anonymous) but not empty.
     */
    public <T extends SpecificRecord> T check(T event) throws InvalidEventException {
        if (event instanceof Crossing c) {
            required("eventId", c.getEventId());
            if (c.getTravellerId() != null) {
                requiredId("travellerId", c.getTravellerId());
            }
            citizenship("citizenship", c.getCitizenship());
            nonNull("direction", c.getDirection());
            required("checkpoint", c.getCheckpoint());
            checkTime("time", c.getTime());
        } else if (event instanceof Registration r) {
            required("eventId", r.getEventId());
            requiredId("travellerId", r.getTravellerId());
            nonNull("kind", r.getKind());
            nonNull("validFrom", r.getValidFrom());
            period(r.getValidFrom(), r.getValidTo());
            checkTime("time", r.getTime());
        } else if (event instanceof IinApplication a) {
            required("eventId", a.getEventId());
            requiredId("travellerId", a.getTravellerId());
            citizenship("citizenship", a.getCitizenship());
            nonNull("stage", a.getStage());
            checkTime("time", a.getTime());
        } else {
            throw new InvalidEventException("unsupported event type "
                    + (event == null ? "null" : event.getClass().getSimpleName()));
        }
        return event;
    }

    /** Like {@link #required} (the message never shows the value, which is an identity). */
    public String requiredId(String field, String value) throws InvalidEventException {
        return required(field, value);
    }

    private static void nonNull(String field, Object value) throws InvalidEventException {
        if (value == null) {
            throw new InvalidEventException(prefix(field) + "missing or empty");
        }
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String field, String value) throws InvalidEventException {
        if (value == null || value.isBlank()) {
            throw new InvalidEventException(prefix(field) + "missing or empty");
        }
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException(prefix(field) + "unknown value " + quote(value) + " (expected "
                    + allowed(type.getEnumConstants()) + ")");
        }
    }

    /** {@code A or B}, {@code A, B or C}. */
    static String allowed(Object[] values) {
        String[] names = Arrays.stream(values).map(String::valueOf).toArray(String[]::new);
        if (names.length == 1) {
            return names[0];
        }
        return String.join(", ", Arrays.copyOf(names, names.length - 1)) + " or " + names[names.length - 1];
    }

    static String prefix(String field) {
        return "field \"" + field + "\": ";
    }

    /** The value in double quotes, one line, at most 40 chars (then "…"), quotes and control chars escaped. */
    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), MAX_QUOTED) + 4).append('"');
        int n = Math.min(value.length(), MAX_QUOTED);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (value.length() > MAX_QUOTED) {
            b.append('…');
        }
        return b.append('"').toString();
    }
}
