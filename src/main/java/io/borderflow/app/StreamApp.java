package io.borderflow.app;

import io.borderflow.alert.AlertRules;
import io.borderflow.alert.AlertTopology;
import io.borderflow.api.HttpHost;
import io.borderflow.api.StayApi;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import io.borderflow.config.Topics;
import io.borderflow.deadletter.DeadLetterHandlers;
import io.borderflow.deadletter.GuardedClientSupplier;
import io.borderflow.deadletter.SaneTimestamps;
import io.borderflow.flow.NetFlowTopology;
import io.borderflow.stay.StayTopology;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.metrics.MetricsEndpoint;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.KStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The stream processing application: every topology of borderflow in one Kafka Streams app. */
public final class StreamApp implements AutoCloseable {
    public static final String APPLICATION_ID = "streams.application.id";
    public static final String PROCESSING_GUARANTEE = "processing.guarantee";
    public static final String STREAMS_PREFIX = "streams.";
    private static final Logger LOG = LoggerFactory.getLogger(StreamApp.class);

    private final KafkaStreams streams;
    private final String applicationId;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private HttpHost http;
    private KafkaStreamsMetrics kafkaMetrics;

    private StreamApp(KafkaStreams streams, String applicationId) {
        this.streams = streams;
        this.applicationId = applicationId;
    }

    /** Net flows, daily counts, alerts and stay compliance, sharing one source per input topic. */
    public static Topology topology(BorderflowConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<byte[], byte[]> crossings = NetFlowTopology.crossingsSource(builder);
        KStream<byte[], byte[]> registrations = NetFlowTopology.registrationsSource(builder);
        KStream<byte[], byte[]> iin = NetFlowTopology.iinSource(builder);
        KStream<String, NetFlowWindow> finals = NetFlowTopology.addTo(builder, config, crossings, iin, registrations);
        AlertTopology.addTo(builder, finals, AlertRules.fromConfig(config));
        // The net-flow stage reads every input topic first and dead-letters its bad records; the stay stage
        // applies the same check and only counts them, so each bad record is dead-lettered once.
        StayTopology.addTo(builder, config, crossings, registrations, iin, false);
        return builder.build();
    }

    public static String applicationId(BorderflowConfig config) {
        return config.get(APPLICATION_ID).orElse("borderflow");
    }

    /**
     * Streams settings: exactly-once by default, {@link #defaultStreamThreads} threads, the {@code kafka.*} client
     * keys, then any {@code streams.*} key with the prefix removed (so {@code streams.num.stream.threads} wins).
     */
    public static Properties properties(BorderflowConfig config, String bootstrapServers, Path stateDir) {
        Properties p = new Properties();
        p.putAll(KafkaClients.common(config, bootstrapServers));
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(config));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                config.get(PROCESSING_GUARANTEE).orElse(StreamsConfig.EXACTLY_ONCE_V2));
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG,
                Integer.toString(defaultStreamThreads(config, Runtime.getRuntime().availableProcessors())));
        // Opt in now to what Kafka 5.0 makes the default (and Kafka warns about until then).
        p.put("processing.exception.handler.global.enabled", "true");
        // A bad record never stops the app: it goes to the dead-letter topic (io.borderflow.deadletter).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Processing.class.getName());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                DeadLetterHandlers.Deserialization.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Production.class.getName());
        p.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, SaneTimestamps.class.getName());
        // max.task.idle.ms stays at Kafka's 0: a task waits for a fetch of an empty input partition the broker has
        // data for, so a traveller's crossing, registration and IIN records meet in time order (the cohorts count
        // a host notification or IIN only for a traveller already entered). -1 gave up that order for a gain that
        // disappeared once no processor punctuated every few records (measured: same throughput either way).
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, RocksDbSettings.class.getName());
        p.put(StreamsConfig.producerPrefix("linger.ms"), "20");
        p.put(StreamsConfig.producerPrefix("batch.size"), Integer.toString(256 * 1024));
        config.asMap().forEach((k, v) -> {
            if (k.startsWith(STREAMS_PREFIX) && !k.equals(APPLICATION_ID)) {
                p.put(k.substring(STREAMS_PREFIX.length()), v);
            }
        });
        return p;
    }

    /**
     * One stream thread per core, at most one per input partition: the crossings topic's partitions are the tasks
     * of the busiest stage, and a thread beyond them would idle. A single thread left the second core of a 2-core
     * machine mostly idle once the JIT had settled: the whole surge took 658.8 s with one and 507.9 s with two, run
     * back to back (bench --repetitions 1 --warmup 0 --skip-latency).
     */
    static int defaultStreamThreads(BorderflowConfig config, int cores) {
        return Math.max(1, Math.min(cores, Topics.CROSSINGS.partitions(config)));
    }

    /**
     * Starts the app and waits until it runs; internal topics then have working leaders. The HTTP port
     * ({@link HttpHost}) is bound first, as Kafka Streams must know its address ({@code application.server}) to
     * route lookups between instances; the lookup routes are added once the streams run.
     */
    public static StreamApp start(BorderflowConfig config, String bootstrapServers, Path stateDir, Duration timeout)
            throws InterruptedException {
        HttpHost http = HttpHost.start(config);
        try {
            MetricsEndpoint.serve(http);
            io.borderflow.metrics.BorderMetrics.global().registerZeroes();
            StreamApp app = start(config, bootstrapServers, stateDir, timeout, http);
            app.http = http;
            try {
                app.kafkaMetrics = MetricsEndpoint.bind(app.streams);
                StayApi.register(http, app.streams, config);
            } catch (RuntimeException e) {
                app.close();
                throw e;
            }
            return app;
        } catch (RuntimeException | InterruptedException e) {
            http.close();
            throw e;
        }
    }

    private static StreamApp start(BorderflowConfig config, String bootstrapServers, Path stateDir, Duration timeout,
                                   HttpHost http) throws InterruptedException {
        Properties props = properties(config, bootstrapServers, stateDir);
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, http.advertisedAddress());
        KafkaStreams streams = new KafkaStreams(topology(config), props, new GuardedClientSupplier());
        StreamApp app = new StreamApp(streams, applicationId(config));
        streams.setUncaughtExceptionHandler(e -> {
            app.failure.compareAndSet(null, e);
            LOG.error("stream thread failed; replacing it (exactly-once: nothing is lost or counted twice)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                streams.close(Duration.ofSeconds(10));
                throw new ConfigException("stream app did not start within " + timeout.toSeconds() + " s (state "
                        + streams.state() + ")");
            }
            Thread.sleep(50);
        }
        try (Admin admin = Admin.create(KafkaClients.admin(config, bootstrapServers))) {
            // KAFKA-15591: see TopicAdmin. Streams created these topics moments ago.
            TopicAdmin.awaitLeadersOfTopicsStartingWith(admin, app.applicationId + "-");
        }
        return app;
    }

    public KafkaStreams streams() {
        return streams;
    }

    public String applicationId() {
        return applicationId;
    }

    /** The app's HTTP port: lookups, and whatever else registers a route. */
    public HttpHost http() {
        return http;
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        if (kafkaMetrics != null) {
            kafkaMetrics.close();
        }
        // Leave the group: the other instances take this one's tasks at once, not after the session timeout.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
