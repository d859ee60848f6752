package io.borderflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.config.BorderflowConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Resolution logic that needs no broker; starting the embedded one is covered by EmbeddedKafkaBrokerIT. */
class KafkaConnectionTest {

    @Test
    void externalClusterWhenBootstrapServersIsSet() {
        BorderflowConfig cfg = BorderflowConfig.of(Map.of(
                BorderflowConfig.BOOTSTRAP_SERVERS, " kafka-1.example:9093 ",
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "PLAIN"));
        try (KafkaConnection c = KafkaConnection.open(cfg)) {
            assertFalse(c.embedded());
            assertTrue(c.broker().isEmpty());
            assertEquals("kafka-1.example:9093", c.bootstrapServers());
            Properties p = c.clientProperties();
            assertEquals("kafka-1.example:9093", p.get("bootstrap.servers"));
            assertEquals("SASL_SSL", p.get("security.protocol"));
            assertEquals("PLAIN", p.get("sasl.mechanism"));
            assertEquals("SASL_SSL", c.producerProperties().get("security.protocol"));
            assertEquals("read_committed", c.consumerProperties().get("isolation.level"));
            assertEquals(List.of(), c.warnings());
        }
    }

    @Test
    void closeIsIdempotent() {
        KafkaConnection c = KafkaConnection.open(BorderflowConfig.of(Map.of(BorderflowConfig.BOOTSTRAP_SERVERS, "h:1")));
        c.close();
        c.close();
    }

    @Test
    void securityKeysAreDroppedForTheEmbeddedBroker() {
        BorderflowConfig cfg = BorderflowConfig.of(Map.of(
                "kafka.security.protocol", "SASL_SSL",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.ssl.truststore.location", "/x",
                "kafka.client.id", "borderflow"));
        List<String> warnings = new ArrayList<>();
        BorderflowConfig plain = KafkaConnection.withoutSecurityKeys(cfg, warnings);
        Properties p = KafkaClients.common(plain, "127.0.0.1:9092");
        assertEquals(Map.of("bootstrap.servers", "127.0.0.1:9092", "client.id", "borderflow"), p);
        assertEquals(3, warnings.size());
        assertTrue(warnings.get(0).startsWith("kafka.sasl.mechanism ignored: the embedded broker is PLAINTEXT"),
                warnings.get(0));
        assertEquals(cfg.brokerDataDir(), plain.brokerDataDir());
    }

    @Test
    void configWithoutSecurityKeysIsKeptAsIs() {
        BorderflowConfig cfg = BorderflowConfig.of(Map.of("kafka.client.id", "x"));
        List<String> warnings = new ArrayList<>();
        assertSame(cfg, KafkaConnection.withoutSecurityKeys(cfg, warnings));
        assertEquals(List.of(), warnings);
    }

    @Test
    void securityKeyRecognition() {
        assertTrue(KafkaConnection.isSecurityKey("security.protocol"));
        assertTrue(KafkaConnection.isSecurityKey("sasl.jaas.config"));
        assertTrue(KafkaConnection.isSecurityKey("ssl.keystore.location"));
        assertFalse(KafkaConnection.isSecurityKey("client.id"));
        assertFalse(KafkaConnection.isSecurityKey("linger.ms"));
    }

    @Test
    void externalFactoryDoesNotOwnABroker() {
        try (KafkaConnection c = KafkaConnection.external(BorderflowConfig.defaults(), "127.0.0.1:1")) {
            assertFalse(c.embedded());
            assertEquals("127.0.0.1:1", c.clientProperties().get("bootstrap.servers"));
        }
    }
}
