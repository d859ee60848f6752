package io.borderflow.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.borderflow.api.HttpHost;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Prometheus exposition at {@value #PATH} on the app's {@link HttpHost}: the domain metrics
 * ({@link BorderMetrics}, in Micrometer's global registry), JVM and process metrics, and, for a
 * stream app, every Kafka Streams and client metric through Micrometer's {@link KafkaStreamsMetrics}
 * ({@code kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}).
 *
 * <p>One Prometheus registry per JVM, added to the global registry on first use, so the stream app
 * and a replay running in the same JVM (run, demo) share one exposition.
 */
public final class MetricsEndpoint {
    public static final String PATH = "/metrics";
    /** Prometheus text format 0.0.4, what every Prometheus version scrapes. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static PrometheusMeterRegistry prometheus;

    private MetricsEndpoint() {
    }

    /** The JVM's Prometheus registry, with JVM and process metrics, added to the global registry. */
    public static synchronized PrometheusMeterRegistry prometheus() {
        if (prometheus == null) {
            PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new ClassLoaderMetrics().bindTo(r);
            new JvmMemoryMetrics().bindTo(r);
            // Listens to GC notifications for the life of the JVM, as the registry lives.
            @SuppressWarnings("resource")
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(r);
            new JvmThreadMetrics().bindTo(r);
            new ProcessorMetrics().bindTo(r);
            new UptimeMetrics().bindTo(r);
            new FileDescriptorMetrics().bindTo(r);
            Metrics.globalRegistry.add(r);
            prometheus = r;
        }
        return prometheus;
    }

    /** Serves the scrape at {@value #PATH}. */
    public static void serve(HttpHost host) {
        PrometheusMeterRegistry registry = prometheus();
        host.route(PATH, exchange -> handle(exchange, registry));
    }

    private static void handle(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET");
            HttpHost.send(exchange, 405, "text/plain; charset=utf-8", "use GET\n");
            return;
        }
        HttpHost.send(exchange, 200, CONTENT_TYPE, registry.scrape());
    }

    /**
     * Publishes the app's Kafka Streams and client metrics; closing the result removes them (a
     * later app in the same JVM binds its own).
     */
    public static KafkaStreamsMetrics bind(KafkaStreams streams) {
        KafkaStreamsMetrics binder = new KafkaStreamsMetrics(streams);
        binder.bindTo(prometheus());
        return binder;
    }
}
