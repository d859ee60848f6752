package io.borderflow.app;

import io.borderflow.avro.Checkpoint;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.serde.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/** Test set-up shared by integration tests that run the stream app against a broker of their own. */
public final class TestKafka {
    private TestKafka() {
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
