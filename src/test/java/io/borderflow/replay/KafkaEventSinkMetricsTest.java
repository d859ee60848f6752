package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The replay counts what it sends per topic and shows the event time it has reached. */
class KafkaEventSinkMetricsTest {
    @Test
    void countsEventsByTopicAndReportsEventTime() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(registry);
        try (KafkaEventSink sink = new KafkaEventSink(
                new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()))) {
            Instant t = Instant.parse("2022-09-21T04:10:00Z");
            sink.accept(new Crossing("e1", "a", "RU", Direction.ENTRY, "SYRYM", null, Mode.ROAD, t));
            sink.accept(new Crossing("e2", "b", "RU", Direction.EXIT, "SYRYM", null, Mode.ROAD, t.plusSeconds(30)));
            sink.accept(new Registration("r1", "a", RegistrationKind.HOST_NOTIFICATION, LocalDate.parse("2022-09-21"),
                    null, null, t.plusSeconds(60)));
            assertEquals(2, registry.get("border.replay.events").tag("topic", "border.crossings.v1").counter().count());
            assertEquals(1, registry.get("border.replay.events").tag("topic", "border.registrations.v1").counter().count());
            assertEquals(t.plusSeconds(60).getEpochSecond(),
                    registry.get("border.event.time").tag("stage", "replay").gauge().value());
        } finally {
            Metrics.globalRegistry.remove(registry);
        }
    }
}
