package io.borderflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.app.StreamApp;
import io.borderflow.app.TestKafka;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.replay.KafkaEventSink;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream app on the embedded broker serves Prometheus text at {@code /metrics} with the domain
 * metrics and Kafka Streams' own; the travellers-by-status gauge comes back from the changelog
 * when the app restarts without its local state.
 */
class MetricsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void servesDomainAndKafkaStreamsMetricsAndRestoresStayCountsAfterARestart() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(registry);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            BorderflowConfig config = BorderflowConfig.defaults().with(Map.of("http.port", "0",
                    StreamApp.APPLICATION_ID, "metrics-it"));
            // The checkpoints before the app starts: its global table reads them all first. Sent while it ran, a
            // crossing could be counted before its checkpoint had arrived (region "unknown"; seen once).
            TestKafka.prepare(bootstrap, config);
            double compliantRu;
            try (StreamApp app = StreamApp.start(config, bootstrap, dir.resolve("state-1"), Duration.ofMinutes(1))) {
                try (KafkaEventSink sink = new KafkaEventSink(KafkaClients.producer(config, bootstrap))) {
                    Instant t = Instant.parse("2022-09-21T04:00:00Z");
                    for (int i = 0; i < 12; i++) {
                        sink.accept(new Crossing("e" + i, "traveller-" + i, "RU", Direction.ENTRY, "SYRYM", null,
                                Mode.ROAD, t.plusSeconds(600L * i)));
                    }
                    for (int i = 0; i < 3; i++) {
                        sink.accept(new Crossing("x" + i, "traveller-" + i, "RU", Direction.EXIT, "KAIRAK", null,
                                Mode.ROAD, t.plusSeconds(7200 + 600L * i)));
                    }
                    sink.finish(); // ends the input: every window closes
                }
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest scrape = HttpRequest.newBuilder(app.http().baseUri().resolve(MetricsEndpoint.PATH)).build();
                String[] body = {""};
                // Every figure asserted below, not the first of them: a window's gauges are registered as it
                // first closes, and a scrape running at that moment can show some of them and not yet the rest.
                await(() -> {
                    body[0] = get(client, scrape);
                    return body[0].contains("border_crossings_total{checkpoint=\"SYRYM\",direction=\"entry\"} 12.0")
                            && body[0].contains("border_crossings_total{checkpoint=\"KAIRAK\",direction=\"exit\"} 3.0")
                            && body[0].contains("border_national_entries{window=\"1d\"} 12.0")
                            && body[0].contains("border_national_net{window=\"1d\"} 9.0")
                            && body[0].contains("border_stay_travellers{citizenship=\"RU\",status=\"compliant\"} 12.0")
                            && registry.find("border.stay.travellers").tags("status", "compliant", "citizenship", "RU")
                                    .gauges().stream().anyMatch(g -> g.value() == 12);
                }, () -> body[0]);
                String text = body[0];
                MetricsEndpointTest.assertValidText(text);
                assertTrue(text.contains("border_event_time_seconds{stage=\"replay\"}"), text);
                assertTrue(text.contains("border_event_time_seconds{stage=\"flow\"}"), text);
                assertTrue(text.contains("kafka_stream_thread_process_total{"), "Kafka Streams' metrics:\n" + text);
                assertTrue(text.contains("kafka_stream_alive_stream_threads{"), text);
                assertTrue(text.contains("kafka_consumer_fetch_manager_records_lag_max{"), text);
                assertTrue(text.contains("kafka_producer_"), text);
                assertTrue(text.contains("jvm_memory_used_bytes"), text);
                assertTrue(!text.contains("traveller-"), "no traveller id in any metric");
                compliantRu = stayGauge(registry);
            }
            assertEquals(0, stayGauge(registry), "a closed app's tasks leave the gauge");

            // Another instance without the local state: the counts come back from the changelog.
            try (StreamApp again = StreamApp.start(config, bootstrap, dir.resolve("state-2"), Duration.ofMinutes(1))) {
                await(() -> stayGauge(registry) == compliantRu, () -> "gauge " + stayGauge(registry));
                assertEquals(12, compliantRu);
            }
        } finally {
            Metrics.globalRegistry.remove(registry);
        }
    }

    private static double stayGauge(SimpleMeterRegistry registry) {
        return registry.find("border.stay.travellers").tags("status", "compliant", "citizenship", "RU").gauges().stream()
                .mapToDouble(g -> g.value()).sum();
    }

    private static String get(HttpClient client, HttpRequest request) {
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(MetricsEndpoint.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
            return r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier done, java.util.function.Supplier<String> state) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT.toSeconds() + " s:\n" + state.get());
            }
            Thread.sleep(200);
        }
    }
}
