package io.borderflow.deadletter;

import io.borderflow.avro.DeadLetter;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The reasons a record goes to {@code border.dead-letters.v1}, and how a {@link DeadLetter} is built and sent
 * by the Kafka Streams handlers. Stages that find a bad record themselves forward their own dead letters
 * (same schema, same topic).
 */
public final class DeadLetters {
    /** A record with no value and no watermark header. */
    public static final String EMPTY = "EMPTY";
    /** Not decodable: not Avro, unknown schema fingerprint, truncated or corrupt body, another record type. */
    public static final String DESERIALIZATION = "DESERIALIZATION";
    /** Decodes, but a value is impossible (the detail names the field). */
    public static final String INVALID = "INVALID";
    /** An unexpected exception while a processor handled the record. */
    public static final String PROCESSING = "PROCESSING";
    /** A result of the record could not be written to its topic. */
    public static final String PRODUCTION = "PRODUCTION";

    private static final AvroSerde<DeadLetter> SERDE = AvroSerde.of(DeadLetter.class);

    private DeadLetters() {
    }

    public static DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] value, String reason,
                                String detail, long timestamp, String errorClass) {
        return new DeadLetter(topic == null ? "unknown" : topic, partition, offset,
                key == null ? null : ByteBuffer.wrap(key), value == null ? null : ByteBuffer.wrap(value), reason,
                detail, Instant.ofEpochMilli(Math.max(0, timestamp)), errorClass);
    }

    /** The dead letter as a record for the dead-letter topic, keyed by its reason (never by a traveller id). */
    public static ProducerRecord<byte[], byte[]> record(DeadLetter d) {
        return new ProducerRecord<>(Topics.DEAD_LETTERS.name(), null, d.getTime().toEpochMilli(),
                d.getReason().getBytes(StandardCharsets.UTF_8), SERDE.encode(d));
    }

    static byte[] encode(DeadLetter d) {
        return SERDE.encode(d);
    }

    static DeadLetter decode(byte[] value) {
        return SERDE.decode(value);
    }

    /**
     * The stage label of the domain metrics for a processor or sink name: processors and sinks are named after
     * their stage ({@code flow-gate}, {@code count-gate}, {@code stay-sink}, {@code alert-...}).
     */
    public static String stage(String node) {
        if (node == null) {
            return "stream";
        }
        if (node.startsWith("flow") || node.startsWith("crossings") || node.startsWith("checkpoints")) {
            return "flow";
        }
        if (node.startsWith("count") || node.startsWith("iin") || node.startsWith("registrations")) {
            return "counts";
        }
        if (node.startsWith("stay")) {
            return "stay";
        }
        if (node.startsWith("alert")) {
            return "alert";
        }
        return "stream";
    }
}
