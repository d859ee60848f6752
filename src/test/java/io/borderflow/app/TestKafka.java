package io.borderflow.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Checkpoint;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.serde.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Test set-up shared by integration tests that run the stream app against a broker of their own. */
public final class TestKafka {
    private TestKafka() {
    }

    /** Every committed record with a value on a topic, from the beginning to the end offsets at the call. */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(x -> new TopicPartition(topic, x.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic + " took too long");
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() != null) {
                        records.add(r);
                    }
                });
            }
        }
        return records;
    }

    /** Topics and the checkpoints reference data, before the app starts (its global table reads them first). */
    public static void prepare(String bootstrap, BorderflowConfig config) throws IOException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicAdmin.ensureTopics(admin, Topics.ALL, config);
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaEventSink sink = new KafkaEventSink(p)) {
            AvroSerde<Checkpoint> serde = AvroSerde.of(Checkpoint.class);
            for (Checkpoint c : CheckpointCatalog.builtIn().all()) {
                sink.send(Topics.CHECKPOINTS.name(), c.getId().getBytes(StandardCharsets.UTF_8), serde.encode(c), 0L);
            }
        }
    }
}
