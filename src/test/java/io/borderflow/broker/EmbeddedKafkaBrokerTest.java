package io.borderflow.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.config.ConfigException;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/** Broker settings and error translation, without starting a broker (see EmbeddedKafkaBrokerIT). */
class EmbeddedKafkaBrokerTest {
    private static final Path DIR = Path.of("/tmp/borderflow-test-broker");
    private static final int[] PORTS = {19092, 19093};

    @Test
    void brokerPropertiesAreSingleNodeLoopbackAndValid() {
        Properties p = EmbeddedKafkaBroker.brokerProperties(DIR, 19092, 19093);
        assertEquals("PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093", p.get("listeners"));
        assertEquals("PLAINTEXT://127.0.0.1:19092", p.get("advertised.listeners"));
        assertEquals("1@127.0.0.1:19093", p.get("controller.quorum.voters"));
        assertEquals("broker,controller", p.get("process.roles"));
        assertEquals(DIR.toString(), p.get("log.dirs"));
        assertEquals(DIR.toString(), p.get("metadata.log.dir"));
        for (String key : new String[] {"offsets.topic.replication.factor", "transaction.state.log.replication.factor",
                "transaction.state.log.min.isr", "share.coordinator.state.topic.replication.factor",
                "share.coordinator.state.topic.min.isr", "min.insync.replicas"}) {
            assertEquals("1", p.get(key), key);
        }
        assertEquals("0", p.get("group.initial.rebalance.delay.ms"));
        assertEquals("false", p.get("auto.create.topics.enable"));
        assertEquals("2097152", p.get("log.cleaner.dedupe.buffer.size"));
        assertEquals("4", p.get("num.partitions"));

        KafkaConfig config = new KafkaConfig(p, false); // Kafka accepts it
        assertEquals(1, config.nodeId());
        assertEquals(2097152L, config.logCleanerDedupeBufferSize());
    }

    @Test
    void identitySettingsCannotBeOverridden() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> EmbeddedKafkaBroker.start(DIR, 0, 0, Map.of("log.dirs", "/elsewhere")));
        assertEquals("broker: setting log.dirs cannot be overridden", e.getMessage());
    }

    @Test
    void rejectsBadPortsBeforeTouchingTheDisk() {
        assertEquals("broker: port must be between 0 and 65535, got 70000",
                assertThrows(ConfigException.class, () -> EmbeddedKafkaBroker.start(DIR, 70000, 0)).getMessage());
        assertEquals("broker: port and controller port must differ, both are 9092",
                assertThrows(ConfigException.class, () -> EmbeddedKafkaBroker.start(DIR, 9092, 9092)).getMessage());
    }

    @Test
    void bindFailuresNameThePort() {
        KafkaException broker = new KafkaException("Socket server failed to bind to 127.0.0.1:19092: Address already in use.",
                new BindException("Address already in use"));
        assertEquals("broker: port 19092 on 127.0.0.1 is in use",
                EmbeddedKafkaBroker.startupFailure(DIR, PORTS, broker).getMessage());

        KafkaException controller = new KafkaException("Socket server failed to bind to 127.0.0.1:19093: Address already in use.",
                new BindException("Address already in use"));
        assertEquals("broker: controller port 19093 on 127.0.0.1 is in use",
                EmbeddedKafkaBroker.startupFailure(DIR, PORTS, controller).getMessage());

        // 1909 is a prefix of neither port's mention
        int[] ports = {1909, 19093};
        assertEquals("broker: controller port 19093 on 127.0.0.1 is in use",
                EmbeddedKafkaBroker.startupFailure(DIR, ports, controller).getMessage());
    }

    @Test
    void lockAndPermissionFailuresAreOneLine() {
        KafkaException lock = new KafkaException("Failed to acquire lock on file .lock in " + DIR
                + ". A Kafka instance in another process or thread is using this directory.");
        assertEquals("broker: data directory " + DIR + " is in use by another broker",
                EmbeddedKafkaBroker.startupFailure(DIR, PORTS, lock).getMessage());

        RuntimeException denied = new RuntimeException("wrapped", new AccessDeniedException(DIR + "/meta.properties"));
        assertEquals("broker: data directory " + DIR + " is not usable: permission denied",
                EmbeddedKafkaBroker.startupFailure(DIR, PORTS, denied).getMessage());
    }

    @Test
    void anythingElseNamesTheRootCauseOnOneLine() {
        RuntimeException e = new RuntimeException("outer", new IllegalStateException("inner problem\nsecond line"));
        ConfigException c = EmbeddedKafkaBroker.startupFailure(DIR, PORTS, e);
        assertEquals("broker: failed to start on 127.0.0.1:19092 with data directory " + DIR + ": inner problem",
                c.getMessage());
        assertTrue(c.getCause() == e);
    }
}
