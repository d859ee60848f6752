package io.borderflow.config;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The one typed configuration of borderflow. Built from flat keys (a properties or YAML file,
 * then CLI overrides); every key has a default that runs on the embedded broker.
 *
 * <p>Keys under {@code kafka.} are passed through to every Kafka client with the prefix removed,
 * so SASL/SSL settings for an external cluster need no code.
 */
public final class BorderflowConfig {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String BROKER_PORT = "broker.port";
    public static final String BROKER_CONTROLLER_PORT = "broker.controller.port";
    public static final String BROKER_DATA_DIR = "broker.data.dir";
    public static final String TOPIC_PARTITIONS = "topics.partitions";
    public static final String TOPIC_REPLICATION = "topics.replication.factor";
    public static final String TOPIC_RETENTION_MS = "topics.retention.ms";
    public static final String ZONE = "zone";
    public static final String PSEUDONYM_KEY = "pseudonym.key";
    public static final String PSEUDONYM_KEY_FILE = "pseudonym.key.file";
    public static final String KAFKA_PREFIX = "kafka.";

    /** Environment variable that holds the pseudonymisation key; wins over the config file. */
    public static final String PSEUDONYM_KEY_ENV = "BORDERFLOW_PSEUDONYM_KEY";

    private static final Map<String, String> DEFAULTS = Map.of(
            BROKER_PORT, "9092",
            BROKER_CONTROLLER_PORT, "0",
            BROKER_DATA_DIR, "data/broker",
            TOPIC_PARTITIONS, "4",
            TOPIC_REPLICATION, "1",
            // Replays carry 2022 event times: any finite retention would delete them on arrival.
            TOPIC_RETENTION_MS, "-1",
            ZONE, "Asia/Almaty");

    private final Map<String, String> values;

    private BorderflowConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        validate();
    }

    public static BorderflowConfig defaults() {
        return of(Map.of());
    }

    /** Defaults overlaid with the given keys (later layers are applied by the caller in order). */
    public static BorderflowConfig of(Map<String, String> keys) {
        Map<String, String> merged = new TreeMap<>(DEFAULTS);
        keys.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        return new BorderflowConfig(merged);
    }

    /** A copy with more keys on top, e.g. CLI overrides. */
    public BorderflowConfig with(Map<String, String> overrides) {
        Map<String, String> merged = new TreeMap<>(values);
        overrides.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        return new BorderflowConfig(merged);
    }

    public BorderflowConfig with(String key, String value) {
        return with(Collections.singletonMap(key, value));
    }

    private void validate() {
        brokerPort();
        brokerControllerPort();
        topicPartitions();
        topicReplicationFactor();
        topicRetentionMs();
        zone();
    }

    /** Empty when the embedded broker is to be used. */
    public Optional<String> bootstrapServers() {
        String v = values.get(BOOTSTRAP_SERVERS);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public int brokerPort() {
        return intValue(BROKER_PORT, 0, 65535);
    }

    public int brokerControllerPort() {
        return intValue(BROKER_CONTROLLER_PORT, 0, 65535);
    }

    public Path brokerDataDir() {
        return Path.of(values.get(BROKER_DATA_DIR));
    }

    public int topicPartitions() {
        return intValue(TOPIC_PARTITIONS, 1, 10_000);
    }

    public short topicReplicationFactor() {
        return (short) intValue(TOPIC_REPLICATION, 1, 32);
    }

    public long topicRetentionMs() {
        long v = longValue(TOPIC_RETENTION_MS);
        if (v < -1 || v == 0) {
            throw new ConfigException(TOPIC_RETENTION_MS + " must be -1 (keep forever) or a positive number of ms, got " + v);
        }
        return v;
    }

    public ZoneId zone() {
        String v = values.get(ZONE);
        try {
            return ZoneId.of(v);
        } catch (DateTimeException e) {
            throw new ConfigException(ZONE + ": unknown time zone '" + v + "' (use a region id such as Asia/Almaty)");
        }
    }

    /** The raw pseudonymisation key from the config file, if any (see {@code Pseudonymiser} for the lookup order). */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    /** Client properties for an external cluster: the {@code kafka.*} keys without their prefix. */
    public Properties kafkaClientProperties() {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (k.startsWith(KAFKA_PREFIX)) {
                p.put(k.substring(KAFKA_PREFIX.length()), v);
            }
        });
        return p;
    }

    public Map<String, String> asMap() {
        return values;
    }

    private int intValue(String key, int min, int max) {
        long v = longValue(key);
        if (v < min || v > max) {
            throw new ConfigException(key + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }

    private long longValue(String key) {
        String v = values.get(key);
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new ConfigException(key + " must be a whole number, got '" + v + "'");
        }
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(values);
        shown.replaceAll((k, v) -> k.contains("key") || k.contains("password") || k.contains("jaas") ? "***" : v);
        return shown.toString();
    }
}
