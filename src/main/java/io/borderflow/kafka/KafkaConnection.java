package io.borderflow.kafka;

import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.config.BorderflowConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where borderflow talks to Kafka: the cluster named by {@code bootstrap.servers}, or, when that is
 * not set, an {@link EmbeddedKafkaBroker} started here (data dir and ports from the config) and
 * stopped on {@link #close()}.
 *
 * <p>The embedded broker is PLAINTEXT on 127.0.0.1, so security pass-through keys
 * ({@code kafka.security.protocol}, {@code kafka.sasl.*}, {@code kafka.ssl.*}) are left out of the
 * client properties in that case and reported in {@link #warnings()}.
 */
public final class KafkaConnection implements AutoCloseable {
    private final BorderflowConfig clientConfig;
    private final String bootstrapServers;
    private final EmbeddedKafkaBroker broker;
    private final List<String> warnings;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KafkaConnection(BorderflowConfig clientConfig, String bootstrapServers, EmbeddedKafkaBroker broker,
                            List<String> warnings) {
        this.clientConfig = clientConfig;
        this.bootstrapServers = bootstrapServers;
        this.broker = broker;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Resolves the cluster; starts the embedded broker if {@code bootstrap.servers} is not set.
     *
     * @throws io.borderflow.config.ConfigException if the embedded broker cannot start
     */
    public static KafkaConnection open(BorderflowConfig config) {
        Optional<String> external = config.bootstrapServers();
        if (external.isPresent()) {
            return new KafkaConnection(config, external.get(), null, List.of());
        }
        List<String> warnings = new ArrayList<>();
        BorderflowConfig plain = withoutSecurityKeys(config, warnings);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.brokerDataDir(), config.brokerPort(),
                config.brokerControllerPort());
        return new KafkaConnection(plain, broker.bootstrapServers(), broker, warnings);
    }

    /** Uses an already running broker (not closed by this connection); handy in tests. */
    public static KafkaConnection external(BorderflowConfig config, String bootstrapServers) {
        return new KafkaConnection(config, bootstrapServers, null, List.of());
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** True when this connection started (and owns) an embedded broker. */
    public boolean embedded() {
        return broker != null;
    }

    public Optional<EmbeddedKafkaBroker> broker() {
        return Optional.ofNullable(broker);
    }

    /** bootstrap.servers plus the {@code kafka.*} pass-through; see {@link KafkaClients#common}. */
    public Properties clientProperties() {
        return KafkaClients.common(clientConfig, bootstrapServers);
    }

    public Properties adminProperties() {
        return KafkaClients.admin(clientConfig, bootstrapServers);
    }

    public Properties producerProperties() {
        return KafkaClients.producer(clientConfig, bootstrapServers);
    }

    public Properties consumerProperties() {
        return KafkaClients.consumer(clientConfig, bootstrapServers);
    }

    /** Notes about the resolution, e.g. pass-through keys ignored for the embedded broker. */
    public List<String> warnings() {
        return warnings;
    }

    /** Stops the embedded broker, if this connection started one. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && broker != null) {
            broker.close();
        }
    }

    @Override
    public String toString() {
        return "KafkaConnection[" + bootstrapServers + (embedded() ? ", embedded" : "") + "]";
    }

    static boolean isSecurityKey(String clientKey) {
        return clientKey.equals("security.protocol") || clientKey.startsWith("sasl.") || clientKey.startsWith("ssl.");
    }

    static BorderflowConfig withoutSecurityKeys(BorderflowConfig config, List<String> warnings) {
        Map<String, String> kept = new TreeMap<>();
        config.asMap().forEach((k, v) -> {
            if (k.startsWith(BorderflowConfig.KAFKA_PREFIX)
                    && isSecurityKey(k.substring(BorderflowConfig.KAFKA_PREFIX.length()))) {
                warnings.add(k + " ignored: the embedded broker is PLAINTEXT on 127.0.0.1 (set bootstrap.servers"
                        + " to use an external cluster)");
            } else {
                kept.put(k, v);
            }
        });
        return warnings.isEmpty() ? config : BorderflowConfig.of(kept);
    }
}
