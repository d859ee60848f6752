package io.borderflow.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;

/**
 * Compares a raw generic record (written with some writer schema) with the generated record it
 * decoded into, field by field, the way Avro schema resolution defines it: fields matched by
 * name or alias, reader-only fields take their default, writer-only fields are dropped.
 */
final class Values {
    private Values() {
    }

    static void assertPreserved(GenericRecord written, SpecificRecord decoded, String context) {
        assertNotNull(decoded, context);
        Schema writer = written.getSchema();
        for (Schema.Field field : decoded.getSchema().getFields()) {
            Schema.Field writerField = writerFieldFor(writer, field);
            Object expected = writerField == null
                    ? generic(GenericData.get().getDefaultValue(field), field.schema())
                    : generic(written.get(writerField.pos()), writerField.schema());
            Object actual = specific(decoded.get(field.pos()));
            assertEquals(coerce(expected, actual), actual, context + ": field " + field.name()
                    + (writerField == null ? " (default)" : ""));
        }
    }

    private static Schema.Field writerFieldFor(Schema writer, Schema.Field readerField) {
        Schema.Field f = writer.getField(readerField.name());
        if (f == null) {
            for (String alias : readerField.aliases()) {
                f = writer.getField(alias);
                if (f != null) {
                    break;
                }
            }
        }
        return f;
    }

    /** A raw generic value as the generated classes represent it. */
    static Object generic(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        LogicalType lt = schema.getLogicalType();
        String logical = lt == null ? "" : lt.getName();
        switch (schema.getType()) {
            case UNION:
                return generic(value, schema.getTypes().get(GenericData.get().resolveUnion(schema, value)));
            case ENUM:
            case STRING:
                return value.toString();
            case INT:
                return "date".equals(logical) ? LocalDate.ofEpochDay((Integer) value) : value;
            case LONG:
                return switch (logical) {
                    case "timestamp-millis" -> Instant.ofEpochMilli((Long) value);
                    case "timestamp-micros" -> Instant.EPOCH.plusNanos(Math.multiplyExact((Long) value, 1000L));
                    default -> value;
                };
            case BYTES:
                return ((ByteBuffer) value).duplicate();
            case RECORD: {
                GenericRecord r = (GenericRecord) value;
                Map<String, Object> m = new LinkedHashMap<>();
                for (Schema.Field f : schema.getFields()) {
                    m.put(f.name(), generic(r.get(f.pos()), f.schema()));
                }
                return m;
            }
            case ARRAY: {
                List<Object> out = new ArrayList<>();
                for (Object o : (List<?>) value) {
                    out.add(generic(o, schema.getElementType()));
                }
                return out;
            }
            case MAP: {
                Map<String, Object> m = new LinkedHashMap<>();
                ((Map<?, ?>) value).forEach((k, v) -> m.put(k.toString(), generic(v, schema.getValueType())));
                return m;
            }
            default:
                return value;
        }
    }

    /** A generated value in the same shape as {@link #generic}. */
    static Object specific(Object value) {
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof CharSequence s) {
            return s.toString();
        }
        if (value instanceof SpecificRecord r) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Schema.Field f : r.getSchema().getFields()) {
                m.put(f.name(), specific(r.get(f.pos())));
            }
            return m;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(Values::specific).toList();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> m = new LinkedHashMap<>();
            map.forEach((k, v) -> m.put(k.toString(), specific(v)));
            return m;
        }
        if (value instanceof ByteBuffer b) {
            return b.duplicate();
        }
        return value;
    }

    /** Applies Avro's promotions (int to long/float/double, string to bytes, ...) to the expected value. */
    private static Object coerce(Object expected, Object actual) {
        if (expected == null || actual == null || expected.getClass() == actual.getClass()) {
            return expected;
        }
        if (expected instanceof Number n) {
            if (actual instanceof Long) {
                return n.longValue();
            }
            if (actual instanceof Float) {
                return n.floatValue();
            }
            if (actual instanceof Double) {
                return n.doubleValue();
            }
        }
        if (expected instanceof String s && actual instanceof ByteBuffer) {
            return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        }
        if (expected instanceof ByteBuffer b && actual instanceof String) {
            return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
        }
        return expected;
    }
}
