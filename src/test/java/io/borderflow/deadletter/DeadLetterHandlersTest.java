package io.borderflow.deadletter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.app.StreamApp;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handlers as the app configures them ({@link StreamApp#properties}): a record that breaks a processor, does
 * not decode at a typed source or cannot be written becomes one dead letter with its origin, and the records
 * after it are processed; errors of the platform still fail the thread.
 */
class DeadLetterHandlersTest {
    private static final String OUT = "out";
    private static final Instant T = Instant.parse("2022-09-21T04:00:00Z");

    @TempDir
    Path dir;

    private SimpleMeterRegistry registry;
    private TopologyTestDriver driver;

    @BeforeEach
    void metrics() {
        registry = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(registry);
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        Metrics.globalRegistry.remove(registry);
    }

    private Properties appProperties() {
        return StreamApp.properties(BorderflowConfig.defaults(), "127.0.0.1:1", dir.resolve("state"));
    }

    private TestOutputTopic<byte[], DeadLetter> deadLetters() {
        return driver.createOutputTopic(Topics.DEAD_LETTERS.name(), new ByteArrayDeserializer(),
                AvroSerde.of(DeadLetter.class).deserializer());
    }

    private double counted(String reason, String stage) {
        var c = registry.find("border.dead.letters").tags("reason", reason, "stage", stage).counter();
        return c == null ? 0 : c.count();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    /** A processor that fails as the value says. */
    private Topology failing() {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(Topics.CROSSINGS.name(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("crossings-source"))
                .process(() -> new ContextualProcessor<byte[], byte[], byte[], byte[]>() {
                    @Override
                    public void process(Record<byte[], byte[]> r) {
                        switch (new String(r.value(), StandardCharsets.UTF_8)) {
                            case "boom" -> throw new IllegalStateException("boom at the gate");
                            case "impossible" -> throw new BadInputException(DeadLetters.INVALID,
                                    "field \"time\": 1985-06-01 is before 1990-01-01", "io.borderflow.replay.InvalidEventException");
                            case "disk" -> throw new ProcessorStateException("rocksdb is gone");
                            default -> context().forward(r);
                        }
                    }
                }, Named.as("flow-test-gate"))
                .to(OUT, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("flow-test-sink"));
        return b.build();
    }

    @Test
    void aProcessorThatThrowsDeadLettersTheRecordAndTheNextOnesGoOn() {
        driver = new TopologyTestDriver(failing(), appProperties());
        TestInputTopic<byte[], byte[]> in = driver.createInputTopic(Topics.CROSSINGS.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        in.pipeInput(utf8("k1"), utf8("ok-1"), T);
        in.pipeInput(utf8("k2"), utf8("boom"), T.plusSeconds(1));
        in.pipeInput(utf8("k3"), utf8("impossible"), T.plusSeconds(2));
        in.pipeInput(utf8("k4"), utf8("ok-2"), T.plusSeconds(3));

        List<byte[]> out = driver.createOutputTopic(OUT, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readValuesToList();
        assertEquals(List.of("ok-1", "ok-2"), out.stream().map(v -> new String(v, StandardCharsets.UTF_8)).toList());
        List<DeadLetter> dl = deadLetters().readValuesToList();
        assertEquals(2, dl.size());
        DeadLetter boom = dl.get(0);
        assertEquals(DeadLetters.PROCESSING, boom.getReason());
        assertEquals(Topics.CROSSINGS.name(), boom.getSourceTopic());
        assertEquals(0, boom.getPartition());
        assertEquals(1L, boom.getOffset());
        assertArrayEquals(utf8("k2"), bytes(boom.getKey()));
        assertArrayEquals(utf8("boom"), bytes(boom.getValue()));
        assertEquals(IllegalStateException.class.getName(), boom.getErrorClass());
        assertEquals("processor flow-test-gate: IllegalStateException: boom at the gate", boom.getDetail());
        assertEquals(T.plusSeconds(1), boom.getTime());

        DeadLetter invalid = dl.get(1);
        assertEquals(DeadLetters.INVALID, invalid.getReason(), "a bad input's own reason");
        assertEquals("io.borderflow.replay.InvalidEventException", invalid.getErrorClass());
        assertEquals(2L, invalid.getOffset());
        assertEquals(1, counted("processing", "flow"));
        assertEquals(1, counted("invalid", "flow"));
    }

    @Test
    void anErrorOfThePlatformStillFailsTheThread() {
        driver = new TopologyTestDriver(failing(), appProperties());
        TestInputTopic<byte[], byte[]> in = driver.createInputTopic(Topics.CROSSINGS.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        StreamsException e = assertThrows(StreamsException.class, () -> in.pipeInput(utf8("k"), utf8("disk"), T));
        assertTrue(e.getCause() instanceof ProcessorStateException || e instanceof ProcessorStateException
                || String.valueOf(e.getMessage()).contains("flow-test-gate"), String.valueOf(e));
        assertTrue(!driver.producedTopicNames().contains(Topics.DEAD_LETTERS.name()),
                "a broken store is not the record's fault");
    }

    @Test
    void anUndecodableRecordAtATypedSourceIsDeadLettered() {
        StreamsBuilder b = new StreamsBuilder();
        b.stream("typed", Consumed.with(Serdes.String(), AvroSerde.of(Crossing.class)).withName("alert-typed-source"))
                .mapValues(Crossing::getCheckpoint, Named.as("alert-checkpoint"))
                .to(OUT, Produced.with(Serdes.String(), Serdes.String()).withName("alert-test-sink"));
        Properties p = appProperties();
        // The test driver leaves the exactly-once transaction of a record dropped before processing uncommitted;
        // BadInputScaleOutIT sees the same dead letter committed by a real app.
        p.put("processing.guarantee", "at_least_once");
        driver = new TopologyTestDriver(b.build(), p);
        TestInputTopic<byte[], byte[]> in = driver.createInputTopic("typed", new ByteArraySerializer(),
                new ByteArraySerializer());
        Crossing good = new Crossing("e1", "t1", "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD, T);
        in.pipeInput(utf8("k1"), utf8("{not avro}"), T);
        in.pipeInput(utf8("k2"), AvroSerde.of(Crossing.class).encode(good), T);

        assertEquals(List.of("SYRYM"), driver.createOutputTopic(OUT, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()).readValuesToList().stream()
                .map(v -> new String(v, StandardCharsets.UTF_8)).toList());
        DeadLetter d = deadLetters().readValue();
        assertEquals(DeadLetters.DESERIALIZATION, d.getReason());
        assertEquals("typed", d.getSourceTopic());
        assertEquals(0L, d.getOffset());
        assertArrayEquals(utf8("{not avro}"), bytes(d.getValue()));
        assertEquals(SerializationException.class.getName(), d.getErrorClass());
        assertTrue(d.getDetail().startsWith("source alert-typed-source: SerializationException: typed: not Avro"),
                d.getDetail());
        assertEquals(1, counted("deserialization", "alert"));
    }

    @Test
    void aResultThatDoesNotSerializeIsDeadLetteredWithItsSource() {
        Serializer<String> picky = (topic, v) -> {
            if (v.equals("unwritable")) {
                throw new SerializationException("cannot encode the result");
            }
            return utf8(v);
        };
        StreamsBuilder b = new StreamsBuilder();
        b.stream(Topics.REGISTRATIONS.name(), Consumed.with(Serdes.String(), Serdes.String()).withName("count-test-source"))
                .to(OUT, Produced.with(Serdes.String(), Serdes.serdeFrom(picky, new StringDeserializer())).withName("count-test-sink"));
        driver = new TopologyTestDriver(b.build(), appProperties());
        TestInputTopic<String, String> in = driver.createInputTopic(Topics.REGISTRATIONS.name(), new StringSerializer(),
                new StringSerializer());
        in.pipeInput("k1", "unwritable", T);
        in.pipeInput("k2", "fine", T);

        assertEquals(1, driver.createOutputTopic(OUT, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .readValuesToList().size());
        DeadLetter d = deadLetters().readValue();
        assertEquals(DeadLetters.PRODUCTION, d.getReason());
        assertEquals(Topics.REGISTRATIONS.name(), d.getSourceTopic());
        assertEquals(0L, d.getOffset());
        assertArrayEquals(utf8("unwritable"), bytes(d.getValue()), "the source bytes");
        assertEquals(SerializationException.class.getName(), d.getErrorClass());
        assertTrue(d.getDetail().startsWith("could not write a record of "), d.getDetail());
        assertTrue(d.getDetail().contains(" to out from count-test-sink: SerializationException: cannot encode the result"),
                d.getDetail());
        assertEquals(1, counted("production", "counts"));
    }

    // ---- the production handler's answers on their own ------------------------------------------

    record Context(String topic, int partition, long offset, String processorNodeId, byte[] sourceRawKey,
                   byte[] sourceRawValue) implements ErrorHandlerContext {
        @Override
        public Headers headers() {
            return new RecordHeaders();
        }

        @Override
        public TaskId taskId() {
            return new TaskId(0, partition);
        }

        @Override
        public long timestamp() {
            return T.toEpochMilli();
        }
    }

    @Test
    void aDeadLetterTooLargeToWriteIsWrittenWithoutItsBytesUnderItsOwnReason() {
        DeadLetterHandlers.Production handler = new DeadLetterHandlers.Production();
        handler.configure(Map.of("max.request.size", "1048576"));
        byte[] huge = new byte[1_048_000];
        DeadLetter original = DeadLetters.of(Topics.CROSSINGS.name(), 4, 77L, utf8("big"), huge,
                DeadLetters.DESERIALIZATION, "border.crossings.v1: not Avro single-object encoding", T.toEpochMilli(),
                SerializationException.class.getName());
        ProducerRecord<byte[], byte[]> failed = DeadLetters.record(original);
        ProductionExceptionHandler.Response r = handler.handleError(new Context(Topics.CROSSINGS.name(), 4, 77L,
                "flow-rejected-sink", null, null), failed, new RecordTooLargeException("too large"));
        assertEquals(ProductionExceptionHandler.Result.RESUME, r.result());
        assertEquals(1, r.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> written = r.deadLetterQueueRecords().get(0);
        assertEquals(Topics.DEAD_LETTERS.name(), written.topic());
        DeadLetter slim = AvroSerde.of(DeadLetter.class).decode(written.value());
        assertEquals(DeadLetters.DESERIALIZATION, slim.getReason());
        assertEquals(77L, slim.getOffset());
        assertArrayEquals(utf8("big"), bytes(slim.getKey()));
        assertNull(slim.getValue());
        assertTrue(slim.getDetail().contains("value (1048000 bytes) not copied, too large for a dead letter: the"
                + " original is at border.crossings.v1 partition 4 offset 77"), slim.getDetail());
        assertEquals(0, counted("production", "flow"), "already counted under its own reason");
    }

    @Test
    void anOutputTooLargeBecomesAProductionDeadLetterAndPlatformErrorsDoNot() {
        DeadLetterHandlers.Production handler = new DeadLetterHandlers.Production();
        handler.configure(Map.of());
        Context context = new Context(Topics.CROSSINGS.name(), 2, 9L, "stay-sink", null, null);
        ProducerRecord<byte[], byte[]> status = new ProducerRecord<>(Topics.STAY_STATUS.name(), utf8("t1"), new byte[64]);
        ProductionExceptionHandler.Response r = handler.handleError(context, status, new RecordTooLargeException("big"));
        assertEquals(ProductionExceptionHandler.Result.RESUME, r.result());
        DeadLetter d = AvroSerde.of(DeadLetter.class).decode(r.deadLetterQueueRecords().get(0).value());
        assertEquals(DeadLetters.PRODUCTION, d.getReason());
        assertEquals(Topics.CROSSINGS.name() + "|2|9", d.getSourceTopic() + "|" + d.getPartition() + "|" + d.getOffset());
        assertTrue(d.getDetail().startsWith("could not write a record of 66 bytes to border.stay-status.v1 from stay-sink"),
                d.getDetail());
        assertEquals(1, counted("production", "stay"));

        assertEquals(ProductionExceptionHandler.Result.RETRY,
                handler.handleError(context, status, new TimeoutException("slow")).result());
        assertEquals(ProductionExceptionHandler.Result.FAIL,
                handler.handleError(context, status, new TopicAuthorizationException("no")).result());
    }

    // ---- the size guard --------------------------------------------------------------------------

    @Test
    void theGuardRefusesAnOversizedRecordThroughTheCallbackWithoutSendingIt() throws Exception {
        MockProducer<byte[], byte[]> mock = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        GuardedClientSupplier.SizeGuardedProducer guarded = new GuardedClientSupplier.SizeGuardedProducer(mock, 1_000);
        AtomicReference<Exception> seen = new AtomicReference<>();
        Future<RecordMetadata> refused = guarded.send(new ProducerRecord<>("t", utf8("k"), new byte[900]),
                (m, e) -> seen.set(e));
        assertTrue(seen.get() instanceof RecordTooLargeException, String.valueOf(seen.get()));
        ExecutionException e = assertThrows(ExecutionException.class, refused::get);
        assertTrue(e.getCause() instanceof RecordTooLargeException);
        assertTrue(mock.history().isEmpty(), "never reached the producer");

        guarded.send(new ProducerRecord<>("t", utf8("k"), new byte[800]), (m, x) -> seen.set(x)).get();
        assertNull(seen.get());
        assertEquals(1, mock.history().size());
    }

    @Test
    void theGuardsBoundIsNotBelowTheProducersOwnEstimate() {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("t", null, 0L, new byte[100], new byte[1_000],
                List.of(new org.apache.kafka.common.header.internals.RecordHeader("h", new byte[10])));
        // Kafka's bound for this record (magic 2, no compression) is 61 + 1,131 at most.
        assertTrue(GuardedClientSupplier.sizeUpperBound(r) >= 61 + 100 + 1_000 + 10 + 1 + 36);
    }

    // ---- timestamps -----------------------------------------------------------------------------

    @Test
    void impossibleTimestampsGiveWayToThePartitionTime() {
        SaneTimestamps extractor = new SaneTimestamps();
        long now = System.currentTimeMillis();
        assertEquals(T.toEpochMilli(), extractor.extract(at(T.toEpochMilli()), 5L));
        assertEquals(now + 3_600_000, extractor.extract(at(now + 3_600_000), 5L), "an hour ahead is a clock");
        long before = SaneTimestamps.replaced();
        assertEquals(5L, extractor.extract(at(Instant.parse("2090-01-01T00:00:00Z").toEpochMilli()), 5L));
        assertEquals(0L, extractor.extract(at(Instant.parse("2090-01-01T00:00:00Z").toEpochMilli()), -1L));
        assertEquals(5L, extractor.extract(at(-1L), 5L));
        assertEquals(before + 3, SaneTimestamps.replaced());
    }

    private static ConsumerRecord<Object, Object> at(long timestamp) {
        return new ConsumerRecord<>(Topics.CROSSINGS.name(), 0, 0L, timestamp,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, null, null, new RecordHeaders(),
                java.util.Optional.empty());
    }
}
