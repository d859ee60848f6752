package io.borderflow.serde;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * Plausible raw (conversion-free) generic values for any schema, for writing records with an old
 * writer schema that has no generated class. Logical types get values in realistic ranges so a
 * failure shows a date, not an overflow.
 */
final class GenericValues {

    /** Which union branch to take. */
    enum Unions {
        /** First branch: null for our {@code ["null", T]} optionals. */
        FIRST,
        /** Last branch: the value for our optionals. */
        LAST,
        RANDOM
    }

    private final Random random;
    private final Unions unions;

    GenericValues(long seed, Unions unions) {
        this.random = new Random(seed);
        this.unions = unions;
    }

    GenericRecord record(Schema schema) {
        return (GenericRecord) value(schema);
    }

    Object value(Schema schema) {
        LogicalType logical = schema.getLogicalType();
        String lt = logical == null ? "" : logical.getName();
        switch (schema.getType()) {
            case RECORD: {
                GenericData.Record r = new GenericData.Record(schema);
                for (Schema.Field f : schema.getFields()) {
                    r.put(f.pos(), value(f.schema()));
                }
                return r;
            }
            case ENUM: {
                List<String> symbols = schema.getEnumSymbols();
                return new GenericData.EnumSymbol(schema, symbols.get(random.nextInt(symbols.size())));
            }
            case ARRAY: {
                int n = random.nextInt(4);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(value(schema.getElementType()));
                }
                return new GenericData.Array<>(schema, list);
            }
            case MAP: {
                int n = random.nextInt(4);
                Map<String, Object> map = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put("k" + i, value(schema.getValueType()));
                }
                return map;
            }
            case UNION: {
                List<Schema> branches = schema.getTypes();
                int i = switch (unions) {
                    case FIRST -> 0;
                    case LAST -> branches.size() - 1;
                    case RANDOM -> random.nextInt(branches.size());
                };
                return value(branches.get(i));
            }
            case FIXED: {
                byte[] b = new byte[schema.getFixedSize()];
                random.nextBytes(b);
                return new GenericData.Fixed(schema, b);
            }
            case STRING:
                return "uuid".equals(lt) ? UUID.nameUUIDFromBytes(longBytes()).toString() : text();
            case BYTES: {
                byte[] b = new byte[random.nextInt(12)];
                random.nextBytes(b);
                return ByteBuffer.wrap(b);
            }
            case INT:
                return switch (lt) {
                    // 1970 .. ~2040
                    case "date" -> random.nextInt(25_500);
                    case "time-millis" -> random.nextInt(86_400_000);
                    default -> random.nextInt(2_000_001) - 1_000_000;
                };
            case LONG:
                return switch (lt) {
                    case "timestamp-millis", "local-timestamp-millis" -> instantMillis();
                    case "timestamp-micros", "local-timestamp-micros" -> instantMillis() * 1_000 + random.nextInt(1_000);
                    case "timestamp-nanos", "local-timestamp-nanos" -> instantMillis() * 1_000_000 + random.nextInt(1_000_000);
                    case "time-micros" -> (long) random.nextInt(86_400_000) * 1_000;
                    default -> random.nextLong();
                };
            case FLOAT:
                return random.nextFloat() * 1000 - 500;
            case DOUBLE:
                return random.nextDouble() * 1e6 - 5e5;
            case BOOLEAN:
                return random.nextBoolean();
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no generator for " + schema.getType());
        }
    }

    private long instantMillis() {
        long from = Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2040-01-01T00:00:00Z").toEpochMilli();
        return from + (long) (random.nextDouble() * (to - from));
    }

    private String text() {
        String[] words = {"KZ", "Almaty", "Қорғас", "ENTRY", "tr-5f1c", "Ürümqi", "P1D", ""};
        return words[random.nextInt(words.length)] + random.nextInt(1000);
    }

    private byte[] longBytes() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return b;
    }
}
