package io.borderflow.deadletter;

import io.borderflow.avro.DeadLetter;
import io.borderflow.config.Topics;
import io.borderflow.metrics.BorderMetrics;
import io.borderflow.serde.AnyRecordSerializer;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' own error handlers (KIP-1033 processing, deserialization, production; dead letters through
 * the KIP-1034 responses), configured by {@code StreamApp.properties}. Each turns the failed record into a
 * {@link DeadLetter} on {@code border.dead-letters.v1} (original bytes where Kafka still has them, source topic,
 * partition, offset, error class and message), counts it in {@link BorderMetrics#deadLetter} and lets the
 * stream thread go on. Kafka's built-in dead-letter records ({@code errors.dead.letter.queue.topic.name}: raw
 * bytes and headers) are not used: the topic holds one format, the one the stages write.
 *
 * <p>Errors of the platform rather than of a record (a state store failing, a task migrated, authorization,
 * a retriable send error) still fail or retry as Kafka's defaults do: dead-lettering would hide them, and the
 * thread is replaced by the app's uncaught-exception handler. Log lines name the topic, partition, offset and
 * exception class, never the message (it may quote record values) nor a key (a traveller id).
 */
public final class DeadLetterHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterHandlers.class);
    /** Room for a dead letter's fields other than the copied key and value. */
    private static final int DEAD_LETTER_OVERHEAD = 16 * 1024;

    private DeadLetterHandlers() {
    }

    /** An exception a processor (or punctuator) threw: the record is dead-lettered and skipped. */
    public static final class Processing implements ProcessingExceptionHandler {
        @Override
        public void configure(Map<String, ?> configs) {
            // nothing to configure
        }

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if (isPlatformError(exception)) {
                LOG.error("processing error that is not the record's fault at {}; failing the stream thread ({})",
                        where(context), exception.getClass().getName());
                return Response.fail();
            }
            String reason = exception instanceof BadInputException b ? b.reason() : DeadLetters.PROCESSING;
            String errorClass = exception instanceof BadInputException b && b.errorClass() != null
                    ? b.errorClass() : exception.getClass().getName();
            byte[] key = context.sourceRawKey();
            byte[] value = context.sourceRawValue();
            String note = "";
            if (value == null && record != null) {
                // Kafka frees the source bytes once the record has produced output; the processor's input is next best.
                key = bytes(record.key());
                value = bytes(record.value());
                note = record.value() instanceof byte[] ? "" : " (value: the failing processor's input, not the source bytes)";
            }
            String detail = (record == null ? "punctuation of " : "processor ") + context.processorNodeId() + ": "
                    + message(exception) + note;
            return resume(context, key, value, reason, detail, errorClass, "processing error");
        }
    }

    /** A record of a typed source (internal topics, the checkpoints table) that does not decode. */
    public static final class Deserialization implements DeserializationExceptionHandler {
        @Override
        public void configure(Map<String, ?> configs) {
            // nothing to configure
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                    Exception exception) {
            String detail = "source " + context.processorNodeId() + ": " + message(exception);
            DeadLetter d = DeadLetters.of(record.topic(), record.partition(), record.offset(), record.key(),
                    record.value(), DeadLetters.DESERIALIZATION, detail, record.timestamp(), exception.getClass().getName());
            BorderMetrics.global().deadLetter(DeadLetters.DESERIALIZATION, DeadLetters.stage(context.processorNodeId()));
            LOG.warn("dead-lettered an undecodable record at {}-{} offset {} ({})", record.topic(), record.partition(),
                    record.offset(), exception.getClass().getName());
            return Response.resume(List.of(DeadLetters.record(fit(d, Integer.MAX_VALUE))));
        }
    }

    /**
     * A result that cannot be written. A dead letter too large for the producer is written again without the
     * copied bytes (the original stays at its topic, partition and offset); any other result that is too large
     * or refused as a record, or does not serialize, becomes a {@link DeadLetters#PRODUCTION} dead letter.
     * Under exactly-once a refusal from the broker aborts the transaction whatever a handler says (Kafka 4.3),
     * so the app's producers refuse oversized records before sending ({@link GuardedClientSupplier}).
     */
    public static final class Production implements ProductionExceptionHandler {
        private int maxRequestSize = GuardedClientSupplier.DEFAULT_MAX_REQUEST_SIZE;

        @Override
        public void configure(Map<String, ?> configs) {
            Object v = configs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            if (v == null) {
                v = configs.get("producer." + ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            }
            if (v != null) {
                maxRequestSize = Integer.parseInt(v.toString().trim());
            }
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                    Exception exception) {
            if (exception instanceof RetriableException) {
                return Response.retry();
            }
            if (!(exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException
                    || exception instanceof InvalidRecordException)) {
                LOG.error("could not write a record to {} ({}); failing the stream thread", record.topic(),
                        exception.getClass().getName());
                return Response.fail();
            }
            return deadLetter(context, record, exception);
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                                 SerializationExceptionOrigin origin) {
            ProducerRecord<byte[], byte[]> serialized = new ProducerRecord<>(record.topic(), record.partition(),
                    record.timestamp(), bytes(record.key()), bytes(record.value()));
            return deadLetter(context, serialized, exception);
        }

        private Response deadLetter(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                    Exception exception) {
            int size = length(record.key()) + length(record.value());
            if (isDeadLetterTopic(record.topic()) && record.value() != null) {
                DeadLetter original;
                try {
                    original = DeadLetters.decode(record.value());
                } catch (SerializationException e) {
                    original = null;
                }
                if (original != null) {
                    // Already counted under its own reason by the stage that wrote it.
                    DeadLetter slim = fit(original, maxRequestSize - DEAD_LETTER_OVERHEAD);
                    slim.setDetail(slim.getDetail() + "; could not be written whole to " + record.topic() + " ("
                            + message(exception) + ")");
                    LOG.warn("dead letter of {}-{} offset {} too large to write whole; written without its bytes",
                            original.getSourceTopic(), original.getPartition(), original.getOffset());
                    return Response.resume(List.of(new ProducerRecord<>(record.topic(), null,
                            slim.getTime().toEpochMilli(), record.key(), DeadLetters.encode(slim))));
                }
            }
            byte[] key = context.sourceRawKey();
            byte[] value = context.sourceRawValue();
            String note = "";
            if (value == null) {
                key = record.key();
                value = record.value();
                note = " (value: the record that could not be written, not the source bytes)";
            }
            String detail = "could not write a record of " + size + " bytes to " + record.topic() + " from "
                    + context.processorNodeId() + ": " + message(exception) + note;
            return resumeProduction(context, key, value, detail, exception.getClass().getName(), maxRequestSize);
        }

        private static boolean isDeadLetterTopic(String topic) {
            return Topics.DEAD_LETTERS.name().equals(topic) || Topics.DATA_QUALITY.name().equals(topic)
                    || Topics.LATE_EVENTS.name().equals(topic);
        }

        private static Response resumeProduction(ErrorHandlerContext context, byte[] key, byte[] value, String detail,
                                                 String errorClass, int maxRequestSize) {
            DeadLetter d = fit(DeadLetters.of(context.topic(), context.partition(), context.offset(), key, value,
                    DeadLetters.PRODUCTION, detail, context.timestamp(), errorClass), maxRequestSize - DEAD_LETTER_OVERHEAD);
            BorderMetrics.global().deadLetter(DeadLetters.PRODUCTION, DeadLetters.stage(context.processorNodeId()));
            LOG.warn("dead-lettered a record at {}: a result could not be written ({})", where(context), errorClass);
            return Response.resume(List.of(DeadLetters.record(d)));
        }
    }

    private static ProcessingExceptionHandler.Response resume(ErrorHandlerContext context, byte[] key, byte[] value,
                                                              String reason, String detail, String errorClass,
                                                              String what) {
        DeadLetter d = DeadLetters.of(context.topic(), context.partition(), context.offset(), key, value, reason,
                detail, context.timestamp(), errorClass);
        BorderMetrics.global().deadLetter(reason, DeadLetters.stage(context.processorNodeId()));
        LOG.warn("dead-lettered a record at {} after a {} ({})", where(context), what, errorClass);
        return ProcessingExceptionHandler.Response.resume(List.of(DeadLetters.record(fit(d, Integer.MAX_VALUE))));
    }

    /**
     * The dead letter, without its copied value (and key, if that is still too much) when they take more than
     * {@code maxBytes}: a dead letter must be writable, and the original stays where sourceTopic, partition and
     * offset say.
     */
    static DeadLetter fit(DeadLetter d, int maxBytes) {
        int key = d.getKey() == null ? 0 : d.getKey().remaining();
        int value = d.getValue() == null ? 0 : d.getValue().remaining();
        if (key + value <= maxBytes) {
            return d;
        }
        boolean keepKey = key <= maxBytes;
        return DeadLetter.newBuilder(d).setKey(keepKey ? d.getKey() : null).setValue(null)
                .setDetail(d.getDetail() + "; " + (keepKey ? "value (" + value : "key and value (" + (key + value))
                        + " bytes) not copied, too large for a dead letter: the original is at " + d.getSourceTopic()
                        + " partition " + d.getPartition() + " offset " + d.getOffset())
                .build();
    }

    /** Errors that say something about the platform, not the record. */
    static boolean isPlatformError(Exception e) {
        return e instanceof StreamsException || e instanceof RetriableException || e instanceof AuthenticationException
                || e instanceof AuthorizationException || e instanceof InterruptedException
                || e instanceof org.apache.kafka.common.errors.InterruptException
                || e instanceof KafkaException && e.getCause() instanceof InterruptedException;
    }

    private static String where(ErrorHandlerContext context) {
        return context.topic() + "-" + context.partition() + " offset " + context.offset() + " (" + context.processorNodeId()
                + ")";
    }

    private static String message(Exception e) {
        String m = e.getMessage();
        String simple = e.getClass().getSimpleName();
        if (m == null || m.isBlank()) {
            return simple;
        }
        m = m.replaceAll("\\s+", " ").strip();
        return simple + ": " + (m.length() > 1000 ? m.substring(0, 1000) + "…" : m);
    }

    private static int length(byte[] b) {
        return b == null ? 0 : b.length;
    }

    /** Bytes of a key or value the handlers get typed: our records re-encoded, strings as UTF-8. */
    private static byte[] bytes(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof byte[] b) {
            return b;
        }
        if (o instanceof SpecificRecord r) {
            try {
                return AnyRecordSerializer.serde().serializer().serialize(null, r);
            } catch (RuntimeException e) {
                return null;
            }
        }
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
