package io.borderflow.replay;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.metrics.BorderMetrics;
import io.borderflow.serde.AvroSerde;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import io.micrometer.core.instrument.Counter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces replay events to their topics, keyed by traveller, with the event time as the record
 * timestamp. The first failed send stops the replay: later sends would only pile up behind it.
 * Counts the events sent per topic and the event time reached (to the second) in {@link BorderMetrics}.
 */
public final class KafkaEventSink implements EventSink {
    private final Producer<byte[], byte[]> producer;
    private final AvroSerde<Crossing> crossings = AvroSerde.of(Crossing.class);
    private final AvroSerde<Registration> registrations = AvroSerde.of(Registration.class);
    private final AvroSerde<IinApplication> iins = AvroSerde.of(IinApplication.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private static final long HOUR_MS = 3_600_000L;
    private static final byte[] WATERMARK_KEY = "~watermark".getBytes(StandardCharsets.UTF_8);
    private static final List<String> INPUT_TOPICS = List.of(Topics.CROSSINGS.name(), Topics.REGISTRATIONS.name(),
            Topics.IIN_APPLICATIONS.name());
    private final Map<String, Integer> partitions = new HashMap<>();
    private final BorderMetrics metrics = BorderMetrics.global();
    private final Map<String, Counter> sent = new HashMap<>();
    private long lastTickHour = Long.MIN_VALUE;
    private long maxEventTime = Long.MIN_VALUE;
    private final Callback onAck = (metadata, exception) -> {
        if (exception != null) {
            failure.compareAndSet(null, exception);
        }
    };

    public KafkaEventSink(Properties producerProperties) {
        this(new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** Over any producer, e.g. one that records what a replay would send (the benchmark's input). */
    public KafkaEventSink(Producer<byte[], byte[]> producer) {
        this.producer = producer;
    }

    @Override
    public void accept(SpecificRecord event) throws IOException {
        checkFailure();
        byte[] value;
        if (event instanceof Crossing c) {
            value = crossings.encode(c);
        } else if (event instanceof Registration r) {
            value = registrations.encode(r);
        } else if (event instanceof IinApplication a) {
            value = iins.encode(a);
        } else {
            throw new IllegalArgumentException("not a replay event: " + event.getClass().getName());
        }
        byte[] key = Events.key(event).getBytes(StandardCharsets.UTF_8);
        long time = Events.time(event).toEpochMilli();
        String topic = Events.topic(event).name();
        producer.send(new ProducerRecord<>(topic, null, time, key, value), onAck);
        sent.computeIfAbsent(topic, metrics::replayCounter).increment();
        if (time >= maxEventTime + 1000) {
            metrics.eventTime("replay", time);
        }
        maxEventTime = Math.max(maxEventTime, time);
        long hour = Math.floorDiv(time, HOUR_MS);
        if (hour > lastTickHour) {
            // Each event-time hour, every input partition hears that time has moved on, so windows
            // close on partitions that are quiet.
            if (lastTickHour != Long.MIN_VALUE) {
                ticks(time);
            }
            lastTickHour = hour;
        }
    }

    /** Ends the input on every partition: the stream processors close all open windows. */
    @Override
    public void finish() throws IOException {
        checkFailure();
        if (maxEventTime == Long.MIN_VALUE) {
            return;
        }
        metrics.eventTime("replay", maxEventTime);
        for (String topic : INPUT_TOPICS) {
            int n = partitionCount(topic);
            for (int p = 0; p < n; p++) {
                send(topic, p, Watermarks.end(p, n), maxEventTime);
            }
        }
    }

    private void ticks(long time) {
        for (String topic : INPUT_TOPICS) {
            int n = partitionCount(topic);
            for (int p = 0; p < n; p++) {
                send(topic, p, Watermarks.tick(n), time);
            }
        }
    }

    private void send(String topic, int partition, String watermark, long time) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, partition, (Long) time, WATERMARK_KEY, (byte[]) null);
        r.headers().add(Watermarks.HEADER, Watermarks.bytes(watermark));
        producer.send(r, onAck);
    }

    private int partitionCount(String topic) {
        return partitions.computeIfAbsent(topic, t -> producer.partitionsFor(t).size());
    }

    /** Sends any record to any topic, e.g. reference data. */
    public void send(String topic, byte[] key, byte[] value, long timestamp) throws IOException {
        checkFailure();
        producer.send(new ProducerRecord<>(topic, null, timestamp, key, value), onAck);
    }

    @Override
    public void flush() throws IOException {
        producer.flush();
        checkFailure();
    }

    private void checkFailure() throws IOException {
        Exception e = failure.get();
        if (e != null) {
            throw new IOException("producing to Kafka failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            producer.close();
        }
    }
}
