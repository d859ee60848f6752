package io.borderflow.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneRules;
import java.util.Objects;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;

/**
 * The replay event file format: one JSON object per line, written by {@code --to-file} and accepted as input.
 *
 * <pre>
 * {"type":"crossing","eventId":…,"travellerId":…|null,"citizenship":"RU","direction":"ENTRY"|"EXIT","checkpoint":…,"region":…|null,"mode":"ROAD"|"RAIL"|"AIR"|"PEDESTRIAN"|null,"time":…}
 * {"type":"registration","eventId":…,"travellerId":…,"kind":"HOST_NOTIFICATION"|"TEMPORARY_RESIDENCE_PERMIT"|"PERMANENT_RESIDENCE","validFrom":"YYYY-MM-DD","validTo":"YYYY-MM-DD"|null,"region":…|null,"time":…}
 * {"type":"iin","eventId":…,"travellerId":…,"citizenship":…,"region":…|null,"stage":"APPLIED"|"ISSUED","time":…}
 * </pre>
 *
 * <p>Writing: fields in exactly that order, null fields written as {@code null}, times in the offset the
 * zone has at that instant ({@code 2022-09-21T08:15:00+06:00}; {@code .SSS} only when the milliseconds are
 * non-zero; a zero offset as {@code +00:00}). Use {@link #newWriter(Writer)} for bulk output: one streaming
 * generator for all lines, no per-line allocation beyond Jackson's buffers.
 *
 * <p>Parsing ({@link #parse(String)}): the inverse, plus the checks of {@link EventValidator}. Field order is
 * free; absent optional fields (crossing travellerId/region/mode, registration validTo/region, iin region)
 * read as null, and so do empty optional strings; a crossing's travellerId may be null but not empty.
 * Unknown fields, fields of another type, duplicate fields and non-string values are refused. Times must
 * carry an offset ({@code Z} and other ISO-8601 forms are accepted). Parsing does not pseudonymise.
 *
 * <p>Round trip: for every valid record with millisecond-precision times, {@code parse(toJson(e)).event()}
 * equals {@code e}.
 *
 * <p>Thread-safe; a {@link LineWriter} is not.
 */
public final class EventJson {
    /** The zone of the 2022 data. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Almaty");

    /** Result of {@link #parse}: exactly one of {@code event} and {@code reason} is non-null. */
    public record Parsed(SpecificRecord event, String reason) {
        public boolean ok() {
            return event != null;
        }
    }

    // Field slots of the parser, one per distinct field name across the three types.
    private static final int TYPE = 0, EVENT_ID = 1, TRAVELLER_ID = 2, CITIZENSHIP = 3, DIRECTION = 4, CHECKPOINT = 5,
            REGION = 6, MODE = 7, TIME = 8, KIND = 9, VALID_FROM = 10, VALID_TO = 11, STAGE = 12, SLOTS = 13;
    private static final String[] NAMES = {"type", "eventId", "travellerId", "citizenship", "direction", "checkpoint",
            "region", "mode", "time", "kind", "validFrom", "validTo", "stage"};
    private static final int CROSSING_FIELDS = bits(TYPE, EVENT_ID, TRAVELLER_ID, CITIZENSHIP, DIRECTION, CHECKPOINT,
            REGION, MODE, TIME);
    private static final int REGISTRATION_FIELDS = bits(TYPE, EVENT_ID, TRAVELLER_ID, KIND, VALID_FROM, VALID_TO,
            REGION, TIME);
    private static final int IIN_FIELDS = bits(TYPE, EVENT_ID, TRAVELLER_ID, CITIZENSHIP, REGION, STAGE, TIME);

    private static final SerializableString[] KEYS = new SerializableString[SLOTS];
    private static final SerializableString T_CROSSING = new SerializedString("crossing");
    private static final SerializableString T_REGISTRATION = new SerializedString("registration");
    private static final SerializableString T_IIN = new SerializedString("iin");

    static {
        for (int i = 0; i < SLOTS; i++) {
            KEYS[i] = new SerializedString(NAMES[i]);
        }
    }

    /** Jackson quotes raw input tokens in some messages; they might be identities. */
    private static final Pattern QUOTED_TOKEN = Pattern.compile("'[^']{2,}'");

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .rootValueSeparator((String) null)
            .build();

    private final ZoneId zone;
    private final ZoneRules rules;
    private final EventValidator validator;

    /** Zone {@link #DEFAULT_ZONE}, system clock. */
    public EventJson() {
        this(DEFAULT_ZONE);
    }

    /** System UTC clock for the "not in the future" check. */
    public EventJson(ZoneId zone) {
        this(zone, Clock.systemUTC());
    }

    public EventJson(ZoneId zone, Clock clock) {
        this(new EventValidator(zone, clock));
    }

    /** Times are written in the validator's zone. */
    public EventJson(EventValidator validator) {
        this.validator = Objects.requireNonNull(validator, "validator");
        this.zone = validator.zone();
        this.rules = zone.getRules();
    }

    public ZoneId zone() {
        return zone;
    }

    public EventValidator validator() {
        return validator;
    }

    // ---------------------------------------------------------------- writing

    /**
     * A writer of many lines onto {@code out} (which it owns: {@link LineWriter#close()} closes it). Buffered
     * internally; call {@link LineWriter#flush()} to push lines through.
     */
    public LineWriter newWriter(Writer out) throws IOException {
        return new LineWriter(FACTORY.createGenerator(out));
    }

    /** One line, no line terminator. For bulk output use {@link #newWriter}. */
    public String toJson(SpecificRecord event) {
        StringWriter sw = new StringWriter(200);
        try (JsonGenerator g = FACTORY.createGenerator(sw)) {
            writeObject(g, event, new char[TimeCodec.MAX_LENGTH]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    /** Appends one line and {@code '\n'}. For bulk output use {@link #newWriter}. */
    public void write(SpecificRecord event, Appendable out) throws IOException {
        out.append(toJson(event)).append('\n');
    }

    /** Writes events as lines onto one generator. Not thread-safe. */
    public final class LineWriter implements Closeable, Flushable {
        private final JsonGenerator g;
        private final char[] timeBuf = new char[TimeCodec.MAX_LENGTH];

        private LineWriter(JsonGenerator g) {
            this.g = g;
        }

        /** One event as one line terminated by {@code '\n'}. */
        public void write(SpecificRecord event) throws IOException {
            writeObject(g, event, timeBuf);
            g.writeRaw('\n');
        }

        @Override
        public void flush() throws IOException {
            g.flush();
        }

        /** Flushes and closes the underlying writer. */
        @Override
        public void close() throws IOException {
            g.close();
        }
    }

    private void writeObject(JsonGenerator g, SpecificRecord event, char[] timeBuf) throws IOException {
        if (event instanceof Crossing c) {
            g.writeStartObject();
            g.writeFieldName(KEYS[TYPE]);
            g.writeString(T_CROSSING);
            str(g, EVENT_ID, c.getEventId());
            str(g, TRAVELLER_ID, c.getTravellerId());
            str(g, CITIZENSHIP, c.getCitizenship());
            enm(g, DIRECTION, c.getDirection());
            str(g, CHECKPOINT, c.getCheckpoint());
            str(g, REGION, c.getRegion());
            enm(g, MODE, c.getMode());
            time(g, c.getTime(), timeBuf);
            g.writeEndObject();
        } else if (event instanceof Registration r) {
            g.writeStartObject();
            g.writeFieldName(KEYS[TYPE]);
            g.writeString(T_REGISTRATION);
            str(g, EVENT_ID, r.getEventId());
            str(g, TRAVELLER_ID, r.getTravellerId());
            enm(g, KIND, r.getKind());
            date(g, VALID_FROM, r.getValidFrom());
            date(g, VALID_TO, r.getValidTo());
            str(g, REGION, r.getRegion());
            time(g, r.getTime(), timeBuf);
            g.writeEndObject();
        } else if (event instanceof IinApplication a) {
            g.writeStartObject();
            g.writeFieldName(KEYS[TYPE]);
            g.writeString(T_IIN);
            str(g, EVENT_ID, a.getEventId());
            str(g, TRAVELLER_ID, a.getTravellerId());
            str(g, CITIZENSHIP, a.getCitizenship());
            str(g, REGION, a.getRegion());
            enm(g, STAGE, a.getStage());
            time(g, a.getTime(), timeBuf);
            g.writeEndObject();
        } else {
            throw new IllegalArgumentException("not a replay event: "
                    + (event == null ? "null" : event.getClass().getName()));
        }
    }

    private static void str(JsonGenerator g, int key, String v) throws IOException {
        g.writeFieldName(KEYS[key]);
        if (v == null) {
            g.writeNull();
        } else {
            g.writeString(v);
        }
    }

    private static void enm(JsonGenerator g, int key, Enum<?> v) throws IOException {
        g.writeFieldName(KEYS[key]);
        if (v == null) {
            g.writeNull();
        } else {
            g.writeString(v.name());
        }
    }

    private static void date(JsonGenerator g, int key, LocalDate d) throws IOException {
        g.writeFieldName(KEYS[key]);
        if (d == null) {
            g.writeNull();
        } else {
            g.writeString(d.toString());
        }
    }

    private void time(JsonGenerator g, Instant t, char[] buf) throws IOException {
        g.writeFieldName(KEYS[TIME]);
        if (t == null) {
            g.writeNull();
        } else {
            g.writeString(buf, 0, TimeCodec.format(t, rules, buf));
        }
    }

    // ---------------------------------------------------------------- parsing

    /** One line to an event, or the reason it is refused (one line, names the field, never the traveller id). */
    public Parsed parse(String line) {
        try {
            return new Parsed(parseOrThrow(line), null);
        } catch (InvalidEventException e) {
            return new Parsed(null, e.reason());
        }
    }

    /** Like {@link #parse} but throws the reason. */
    public SpecificRecord parseOrThrow(String line) throws InvalidEventException {
        String[] v = new String[SLOTS];
        int present = 0;
        try (JsonParser p = FACTORY.createParser(line)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new InvalidEventException(t == null ? "empty line" : "malformed JSON: expected an object, got "
                        + describe(t));
            }
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                int slot = slot(name);
                JsonToken vt = p.nextToken();
                if (slot < 0) {
                    throw new InvalidEventException("unknown field " + EventValidator.quote(name));
                }
                int bit = 1 << slot;
                if ((present & bit) != 0) {
                    throw new InvalidEventException(EventValidator.prefix(name) + "appears twice");
                }
                present |= bit;
                if (vt == JsonToken.VALUE_STRING) {
                    v[slot] = p.getText();
                } else if (vt != JsonToken.VALUE_NULL) {
                    throw new InvalidEventException(EventValidator.prefix(name) + "expected a string or null, got "
                            + describe(vt));
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new InvalidEventException("malformed JSON: unexpected " + describe(t));
            }
            if (p.nextToken() != null) {
                throw new InvalidEventException("malformed JSON: more than one value on the line");
            }
        } catch (JsonProcessingException e) {
            throw new InvalidEventException(malformed(e));
        } catch (IOException e) { // not reachable for a String source
            throw new InvalidEventException("malformed JSON: " + e.getClass().getSimpleName());
        }
        return build(v, present);
    }

    private SpecificRecord build(String[] v, int present) throws InvalidEventException {
        String type = validator.required("type", v[TYPE]);
        EventValidator x = validator;
        switch (type) {
            case "crossing" -> {
                allowedOnly(present, CROSSING_FIELDS, type);
                String eventId = x.required("eventId", v[EVENT_ID]);
                String traveller = v[TRAVELLER_ID];
                if (traveller != null) {
                    x.requiredId("travellerId", traveller);
                }
                String citizenship = x.citizenship("citizenship", v[CITIZENSHIP]);
                Direction direction = x.direction("direction", v[DIRECTION]);
                String checkpoint = x.required("checkpoint", v[CHECKPOINT]);
                String region = EventValidator.optional(v[REGION]);
                Mode mode = x.mode("mode", v[MODE]);
                Instant time = x.timeWithOffset("time", v[TIME]);
                return new Crossing(eventId, traveller, citizenship, direction, checkpoint, region, mode, time);
            }
            case "registration" -> {
                allowedOnly(present, REGISTRATION_FIELDS, type);
                String eventId = x.required("eventId", v[EVENT_ID]);
                String traveller = x.requiredId("travellerId", v[TRAVELLER_ID]);
                RegistrationKind kind = x.kind("kind", v[KIND]);
                LocalDate from = x.date("validFrom", v[VALID_FROM]);
                LocalDate to = x.optionalDate("validTo", v[VALID_TO]);
                x.period(from, to);
                String region = EventValidator.optional(v[REGION]);
                Instant time = x.timeWithOffset("time", v[TIME]);
                return new Registration(eventId, traveller, kind, from, to, region, time);
            }
            case "iin" -> {
                allowedOnly(present, IIN_FIELDS, type);
                String eventId = x.required("eventId", v[EVENT_ID]);
                String traveller = x.requiredId("travellerId", v[TRAVELLER_ID]);
                String citizenship = x.citizenship("citizenship", v[CITIZENSHIP]);
                String region = EventValidator.optional(v[REGION]);
                IinStage stage = x.stage("stage", v[STAGE]);
                Instant time = x.timeWithOffset("time", v[TIME]);
                return new IinApplication(eventId, traveller, citizenship, region, stage, time);
            }
            default -> throw new InvalidEventException(EventValidator.prefix("type") + "unknown value "
                    + EventValidator.quote(type) + " (expected crossing, registration or iin)");
        }
    }

    private static void allowedOnly(int present, int allowed, String type) throws InvalidEventException {
        int extra = present & ~allowed;
        if (extra != 0) {
            String name = NAMES[Integer.numberOfTrailingZeros(extra)];
            throw new InvalidEventException(EventValidator.prefix(name) + "not a field of type \"" + type + "\"");
        }
    }

    private static int slot(String name) {
        return switch (name) {
            case "type" -> TYPE;
            case "eventId" -> EVENT_ID;
            case "travellerId" -> TRAVELLER_ID;
            case "citizenship" -> CITIZENSHIP;
            case "direction" -> DIRECTION;
            case "checkpoint" -> CHECKPOINT;
            case "region" -> REGION;
            case "mode" -> MODE;
            case "time" -> TIME;
            case "kind" -> KIND;
            case "validFrom" -> VALID_FROM;
            case "validTo" -> VALID_TO;
            case "stage" -> STAGE;
            default -> -1;
        };
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of line";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_STRING -> "a string";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static String malformed(JsonProcessingException e) {
        String msg = e.getOriginalMessage();
        if (msg == null) {
            msg = e.getClass().getSimpleName();
        }
        int nl = msg.indexOf('\n');
        if (nl >= 0) {
            msg = msg.substring(0, nl);
        }
        msg = QUOTED_TOKEN.matcher(msg).replaceAll("'…'");
        JsonLocation loc = e.getLocation();
        String at = loc != null && loc.getColumnNr() > 0 ? " at column " + loc.getColumnNr() : "";
        return "malformed JSON" + at + ": " + msg.strip();
    }

    private static int bits(int... slots) {
        int b = 0;
        for (int s : slots) {
            b |= 1 << s;
        }
        return b;
    }
}
