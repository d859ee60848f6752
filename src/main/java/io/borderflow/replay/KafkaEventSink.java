package io.borderflow.replay;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import io.borderflow.serde.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Produces replay events to their topics, keyed by traveller, with the event time as the record
 * timestamp. The first failed send stops the replay: later sends would only pile up behind it.
 */
public final class KafkaEventSink implements EventSink {
    private final Producer<byte[], byte[]> producer;
    private final AvroSerde<Crossing> crossings = AvroSerde.of(Crossing.class);
    private final AvroSerde<Registration> registrations = AvroSerde.of(Registration.class);
    private final AvroSerde<IinApplication> iins = AvroSerde.of(IinApplication.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Callback onAck = (metadata, exception) -> {
        if (exception != null) {
            failure.compareAndSet(null, exception);
        }
    };

    public KafkaEventSink(Properties producerProperties) {
        this(new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    KafkaEventSink(Producer<byte[], byte[]> producer) {
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
        producer.send(new ProducerRecord<>(Events.topic(event).name(), null, Events.time(event).toEpochMilli(), key, value),
                onAck);
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
