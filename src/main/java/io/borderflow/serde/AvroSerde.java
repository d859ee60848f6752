package io.borderflow.serde;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for one generated Avro record type in Avro single-object encoding
 * ({@code C3 01}, 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, binary body).
 * Bodies written with any schema version in the {@link SchemaStore} are resolved to the current
 * generated class.
 *
 * <p>One instance serves any number of threads: Avro's encoder and datum readers are
 * thread-safe and the scratch buffers are per thread.
 *
 * <p>Error messages name the topic, the problem and the schema involved, never field values:
 * they end up in dead letters and logs, and records carry personal data.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    /** Single-object encoding marker, then an 8-byte fingerprint. */
    static final byte MAGIC_0 = (byte) 0xC3;
    static final byte MAGIC_1 = (byte) 0x01;
    static final int HEADER_LENGTH = 10;

    /** Package of the generated classes; Avro refuses to instantiate classes outside trusted packages. */
    static final String GENERATED_PACKAGE = "io.borderflow.avro";

    /**
     * Trusts {@link #GENERATED_PACKAGE} on top of whatever Avro trusted already.
     * Done here, in the one class every decode goes through, rather than by the
     * {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property: the runnable jar
     * must not depend on a launcher flag (AVRO-4189).
     */
    static final ClassSecurityPredicate TRUST_GENERATED =
            type -> GENERATED_PACKAGE.equals(type.getPackageName());

    static {
        ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(TRUST_GENERATED, previous));
    }

    private static final Map<Class<?>, AvroSerde<?>> DEFAULTS = new ConcurrentHashMap<>();

    private static final ThreadLocal<BinaryDecoder> DECODER = new ThreadLocal<>();
    private static final ThreadLocal<ScratchBuffer> BUFFER = ThreadLocal.withInitial(ScratchBuffer::new);

    private final Class<T> type;
    private final String typeName;
    private final Schema schema;
    private final long fingerprint;
    private final SpecificData model;
    private final SchemaStore store;
    private final BinaryMessageEncoder<T> encoder;
    /** The current schema is by far the most common writer; this skips the map and its boxing. */
    private final SpecificDatumReader<T> currentReader;
    private final String currentLabel;
    private final ConcurrentHashMap<Long, Resolved<T>> readers = new ConcurrentHashMap<>();

    /** How to read one writer version: a reader, or why it cannot be read. */
    private record Resolved<T>(SpecificDatumReader<T> reader, String label, String refusal) {
    }

    /** A serde resolving old writers through {@link BorderflowSchemaStore#get()}; one per type, shared. */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
        return (AvroSerde<T>) DEFAULTS.computeIfAbsent(type, t -> new AvroSerde<>(type, BorderflowSchemaStore.get()));
    }

    /** A serde resolving old writers through the given store, e.g. one with extra test schemas. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, SchemaStore store) {
        return new AvroSerde<>(type, store);
    }

    /**
     * Makes sure the generated classes are trusted by Avro, for code that decodes them
     * without going through this class. Idempotent.
     */
    public static void trustGeneratedClasses() {
        // The static initializer does the work.
    }

    private AvroSerde(Class<T> type, SchemaStore store) {
        this.type = Objects.requireNonNull(type, "type");
        this.store = Objects.requireNonNull(store, "store");
        this.typeName = type.getSimpleName();
        this.model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.fingerprint = BorderflowSchemaStore.fingerprint(schema);
        // Fail at startup, not in another service: what we write must be decodable by the store's users.
        if (store.findByFingerprint(fingerprint) == null) {
            String next = store instanceof BorderflowSchemaStore b
                    ? "v" + (b.versions(typeName).size() + 1) : "v<N+1>";
            throw new IllegalStateException("the current schema of " + type.getName() + " (fingerprint "
                    + hex(fingerprint) + ") is not in " + BorderflowSchemaStore.HISTORY_PATH + ": copy it, self-contained, to "
                    + BorderflowSchemaStore.HISTORY_PATH + "/" + typeName + "." + next + ".avsc (SchemaHistoryTest writes a ready copy)");
        }
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.currentReader = new SpecificDatumReader<>(schema, schema, model);
        this.currentLabel = describe(fingerprint, schema);
    }

    public Class<T> type() {
        return type;
    }

    /** The current (reader and writer) schema. */
    public Schema schema() {
        return schema;
    }

    // ---- encoding ------------------------------------------------------------------------

    /** Single-object encoding of {@code record}; null for null. */
    public byte[] encode(T record) {
        return encode(null, record);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        return encode(topic, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, T data) {
        return encode(topic, data);
    }

    private byte[] encode(String topic, T record) {
        if (record == null) {
            return null;
        }
        ScratchBuffer buffer = BUFFER.get();
        if (buffer.inUse) {
            // Re-entered from within an encode on this thread; do not clobber the outer bytes.
            buffer = new ScratchBuffer();
        }
        buffer.inUse = true;
        try {
            buffer.count = 0;
            encoder.encode(record, buffer);
            return buffer.toByteArray();
        } catch (IOException | RuntimeException e) {
            // Avro's own messages for a bad value may quote it (e.g. "Not in union [...]: <value>"),
            // and a cause's message reaches logs with the stack trace, so only safe causes are kept.
            boolean safe = isNullFieldMessage(e);
            String problem = safe ? oneLine(e.getMessage()) : "invalid value (" + e.getClass().getSimpleName() + ")";
            throw new SerializationException(where(topic) + ": cannot encode " + typeName + ": " + problem, safe ? e : null);
        } finally {
            buffer.release();
        }
    }

    /** Avro's NPE for a missing required field names its path, e.g. {@code Crossing.eventId}, and no values. */
    private static boolean isNullFieldMessage(Exception e) {
        return e instanceof NullPointerException && e.getMessage() != null && e.getMessage().startsWith("null value for");
    }

    // ---- decoding ------------------------------------------------------------------------

    /** The record in {@code data}, read as the current class; null for null. */
    public T decode(byte[] data) {
        return data == null ? null : decode(null, data, 0, data.length);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        return data == null ? null : decode(topic, data, 0, data.length);
    }

    @Override
    public T deserialize(String topic, Headers headers, byte[] data) {
        return deserialize(topic, data);
    }

    /** Reads in place when the buffer has an array; the consumer hands over buffers, not arrays. */
    @Override
    public T deserialize(String topic, Headers headers, ByteBuffer data) {
        if (data == null) {
            return null;
        }
        if (data.hasArray()) {
            return decode(topic, data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return decode(topic, copy, 0, copy.length);
    }

    private T decode(String topic, byte[] data, int offset, int length) {
        if (length < HEADER_LENGTH) {
            throw new SerializationException(where(topic) + ": too short for Avro single-object encoding: "
                    + length + " bytes, need at least " + HEADER_LENGTH);
        }
        if (data[offset] != MAGIC_0 || data[offset + 1] != MAGIC_1) {
            throw new SerializationException(String.format(
                    "%s: not Avro single-object encoding: header 0x%02X 0x%02X, expected 0xC3 0x01",
                    where(topic), data[offset], data[offset + 1]));
        }
        long writerFingerprint = readLongLittleEndian(data, offset + 2);
        SpecificDatumReader<T> reader;
        String label;
        if (writerFingerprint == fingerprint) {
            reader = currentReader;
            label = currentLabel;
        } else {
            Resolved<T> resolved = resolve(writerFingerprint);
            if (resolved.refusal() != null) {
                throw new SerializationException(where(topic) + ": " + resolved.refusal());
            }
            reader = resolved.reader();
            label = resolved.label();
        }

        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(
                data, offset + HEADER_LENGTH, length - HEADER_LENGTH, DECODER.get());
        DECODER.set(decoder);
        T result;
        try {
            result = reader.read(null, decoder);
        } catch (EOFException e) {
            throw corrupt(topic, writerFingerprint, label, length, "body ends early (truncated?)", e);
        } catch (IOException | RuntimeException e) {
            throw corrupt(topic, writerFingerprint, label, length, "invalid data (" + describeDecodeFailure(e) + ")", e);
        }
        int trailing = remaining(decoder);
        if (trailing != 0) {
            throw corrupt(topic, writerFingerprint, label, length, trailing + " bytes left after the record", null);
        }
        return result;
    }

    /**
     * Avro's binary decoding messages describe the encoding ("Enumeration out of range: must be in
     * [0, 2), but received 7", "Malformed data. Length is negative: -3"), not field values; quoted
     * text is masked anyway in case a future version quotes what it read.
     */
    private static String describeDecodeFailure(Exception e) {
        String name = e.getClass().getSimpleName();
        boolean avro = e.getClass().getName().startsWith("org.apache.avro.") || e instanceof UnsupportedOperationException;
        if (!avro || e.getMessage() == null || e.getMessage().isBlank()) {
            return name;
        }
        String message = oneLine(e.getMessage()).replaceAll("\"[^\"]*\"|'[^']*'", "'…'");
        return name + ": " + truncate(message, 160);
    }

    private static int remaining(BinaryDecoder decoder) {
        try {
            return decoder.isEnd() ? 0 : Math.max(1, decoder.inputStream().available());
        } catch (IOException e) {
            return 1;
        }
    }

    private SerializationException corrupt(String topic, long writerFingerprint, String label, int length,
                                           String problem, Throwable cause) {
        return new SerializationException(where(topic) + ": corrupt " + typeName + " body written with "
                + label + " (fingerprint " + hex(writerFingerprint) + ", " + length + " bytes): " + problem, cause);
    }

    private Resolved<T> resolve(long writerFingerprint) {
        Resolved<T> known = readers.get(writerFingerprint);
        if (known != null) {
            return known;
        }
        Schema writer = store.findByFingerprint(writerFingerprint);
        if (writer == null) {
            // Not cached: garbage input could otherwise fill the map with random fingerprints.
            return new Resolved<>(null, null, "unknown schema fingerprint " + hex(writerFingerprint)
                    + " (not in " + BorderflowSchemaStore.HISTORY_PATH + "), expected a " + typeName);
        }
        return readers.computeIfAbsent(writerFingerprint, fp -> resolveWriter(fp, writer));
    }

    private Resolved<T> resolveWriter(long writerFingerprint, Schema writer) {
        String label = describe(writerFingerprint, writer);
        if (!writer.getFullName().equals(schema.getFullName())) {
            return new Resolved<>(null, label, "schema fingerprint " + hex(writerFingerprint) + " is " + label
                    + ", not a " + typeName);
        }
        SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(schema, writer);
        if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
            String why = compatibility.getResult().getIncompatibilities().stream()
                    .map(i -> i.getType() + " at " + i.getLocation()
                            + (i.getMessage() == null || i.getMessage().isBlank() ? "" : " (" + i.getMessage() + ")"))
                    .collect(Collectors.joining("; "));
            return new Resolved<>(null, label, label + " (fingerprint " + hex(writerFingerprint)
                    + ") cannot be read as the current " + typeName + ": " + truncate(oneLine(why), 300));
        }
        return new Resolved<>(new SpecificDatumReader<>(writer, schema, model), label, null);
    }

    private String describe(long writerFingerprint, Schema writer) {
        if (store instanceof BorderflowSchemaStore borderflow) {
            return borderflow.version(writerFingerprint).map(Object::toString).orElse(writer.getName());
        }
        return writer.getName();
    }

    // ---- Kafka plumbing --------------------------------------------------------------------

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the type and the schema store fix everything.
    }

    @Override
    public void close() {
        // Shared between clients; holds nothing that needs releasing.
    }

    @Override
    public String toString() {
        return "AvroSerde[" + type.getName() + "]";
    }

    // ---- helpers -------------------------------------------------------------------------

    private String where(String topic) {
        return topic != null ? topic : typeName;
    }

    static String hex(long fingerprint) {
        return String.format("0x%016x", fingerprint);
    }

    private static long readLongLittleEndian(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[at + i] & 0xFFL);
        }
        return v;
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }

    /** Unsynchronized growable output; one per thread, reused for every record. */
    private static final class ScratchBuffer extends OutputStream {
        private static final int INITIAL = 512;
        /** Keep no more than this per thread after an unusually large record. */
        private static final int RETAIN = 1 << 20;

        byte[] bytes = new byte[INITIAL];
        int count;
        boolean inUse;

        @Override
        public void write(int b) {
            ensure(count + 1);
            bytes[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(count + len);
            System.arraycopy(b, off, bytes, count, len);
            count += len;
        }

        private void ensure(int needed) {
            if (needed > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, count);
        }

        void release() {
            inUse = false;
            count = 0;
            if (bytes.length > RETAIN) {
                bytes = new byte[INITIAL];
            }
        }
    }
}
