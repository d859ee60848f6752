package io.borderflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.borderflow.config.BorderflowConfig;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {
    private static final String BOOTSTRAP = "kafka-1.example:9093,kafka-2.example:9093";
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"borderflow\" password=\"secret\";";

    private final BorderflowConfig secured = BorderflowConfig.of(Map.of(
            "kafka.security.protocol", "SASL_SSL",
            "kafka.sasl.mechanism", "SCRAM-SHA-512",
            "kafka.sasl.jaas.config", JAAS,
            "kafka.ssl.truststore.location", "/etc/borderflow/truststore.p12",
            "topics.partitions", "6"));

    @Test
    void passesKafkaKeysThroughToEveryClient() {
        for (Properties p : new Properties[] {
                KafkaClients.common(secured, BOOTSTRAP),
                KafkaClients.admin(secured, BOOTSTRAP),
                KafkaClients.producer(secured, BOOTSTRAP),
                KafkaClients.consumer(secured, BOOTSTRAP)}) {
            assertEquals(BOOTSTRAP, p.get("bootstrap.servers"));
            assertEquals("SASL_SSL", p.get("security.protocol"));
            assertEquals("SCRAM-SHA-512", p.get("sasl.mechanism"));
            assertEquals(JAAS, p.get("sasl.jaas.config"));
            assertEquals("/etc/borderflow/truststore.p12", p.get("ssl.truststore.location"));
            // Only kafka.* keys are passed, without their prefix.
            assertFalse(p.containsKey("topics.partitions"));
            assertFalse(p.containsKey("partitions"));
            assertFalse(p.stringPropertyNames().stream().anyMatch(k -> k.startsWith("kafka.")), p.toString());
        }
    }

    @Test
    void adminIsBootstrapPlusPassThroughOnly() {
        Properties p = KafkaClients.admin(BorderflowConfig.defaults(), "127.0.0.1:9092");
        assertEquals(Map.of("bootstrap.servers", "127.0.0.1:9092"), p);
        new AdminClientConfig(p); // valid
    }

    @Test
    void producerDefaults() {
        Properties p = KafkaClients.producer(BorderflowConfig.defaults(), "127.0.0.1:9092");
        assertEquals("true", p.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        assertEquals("all", p.get(ProducerConfig.ACKS_CONFIG));
        assertEquals("20", p.get(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals("262144", p.get(ProducerConfig.BATCH_SIZE_CONFIG));
        assertEquals("lz4", p.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
        assertEquals("1", p.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION));
        assertEquals(ByteArraySerializer.class.getName(), p.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG));
        assertEquals(ByteArraySerializer.class.getName(), p.get(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG));
        new ProducerConfig(p); // Kafka accepts every key and value
    }

    @Test
    void consumerDefaults() {
        Properties p = KafkaClients.consumer(BorderflowConfig.defaults(), "127.0.0.1:9092");
        assertEquals("read_committed", p.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
        assertEquals(ByteArrayDeserializer.class.getName(), p.get(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG));
        assertEquals(ByteArrayDeserializer.class.getName(), p.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG));
        assertFalse(p.containsKey(ConsumerConfig.GROUP_ID_CONFIG));
        new ConsumerConfig(p);
    }

    @Test
    void passThroughTunesDefaultsButNotSerializersOrBootstrap() {
        BorderflowConfig cfg = BorderflowConfig.of(Map.of(
                "kafka.compression.type", "zstd",
                "kafka.linger.ms", "5",
                "kafka.key.serializer", "org.apache.kafka.common.serialization.StringSerializer",
                "kafka.value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer",
                "kafka.bootstrap.servers", "elsewhere:9092"));
        Properties producer = KafkaClients.producer(cfg, "127.0.0.1:9092");
        assertEquals("zstd", producer.get(ProducerConfig.COMPRESSION_TYPE_CONFIG));
        assertEquals("5", producer.get(ProducerConfig.LINGER_MS_CONFIG));
        assertEquals(ByteArraySerializer.class.getName(), producer.get(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG));
        assertEquals("127.0.0.1:9092", producer.get("bootstrap.servers"));

        Properties consumer = KafkaClients.consumer(cfg, "127.0.0.1:9092");
        assertEquals(ByteArrayDeserializer.class.getName(), consumer.get(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG));
        assertEquals("127.0.0.1:9092", consumer.get("bootstrap.servers"));
    }

    @Test
    void passThroughCanChooseReadUncommitted() {
        BorderflowConfig cfg = BorderflowConfig.of(Map.of("kafka.isolation.level", "read_uncommitted"));
        assertEquals("read_uncommitted",
                KafkaClients.consumer(cfg, "127.0.0.1:9092").get(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
    }

    @Test
    void trimsAndRequiresBootstrap() {
        assertEquals("127.0.0.1:9092",
                KafkaClients.common(BorderflowConfig.defaults(), " 127.0.0.1:9092 ").get("bootstrap.servers"));
        assertThrows(IllegalArgumentException.class, () -> KafkaClients.common(BorderflowConfig.defaults(), " "));
        assertThrows(NullPointerException.class, () -> KafkaClients.producer(BorderflowConfig.defaults(), null));
    }

    @Test
    void returnsFreshCopies() {
        Properties a = KafkaClients.producer(secured, BOOTSTRAP);
        a.put("client.id", "changed");
        assertFalse(KafkaClients.producer(secured, BOOTSTRAP).containsKey("client.id"));
    }
}
