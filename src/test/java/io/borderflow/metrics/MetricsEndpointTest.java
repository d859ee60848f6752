package io.borderflow.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.api.HttpHost;
import io.borderflow.config.BorderflowConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /metrics} serves Prometheus text with the domain metrics and the JVM's. */
class MetricsEndpointTest {
    /** A sample line of the text format 0.0.4: name, optional labels, a value. */
    static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*\\})? "
                    + "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?");
    static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*");

    @Test
    void servesPrometheusTextWithDomainAndJvmMetrics() throws Exception {
        try (HttpHost host = HttpHost.start(BorderflowConfig.defaults().with(Map.of(HttpHost.PORT, "0")))) {
            MetricsEndpoint.serve(host);
            BorderMetrics.global().crossing("ENTRY", "SYRYM");
            BorderMetrics.global().replayEvent("border.crossings.v1");
            HttpClient client = HttpClient.newHttpClient();
            URI uri = host.baseUri().resolve(MetricsEndpoint.PATH);
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
            String body = r.body();
            assertValidText(body);
            assertTrue(body.contains("# TYPE border_crossings_total counter"), body);
            assertTrue(body.contains("border_crossings_total{checkpoint=\"SYRYM\",direction=\"entry\"}"), body);
            assertTrue(body.contains("border_replay_events_total{topic=\"border.crossings.v1\"}"), body);
            assertTrue(body.contains("jvm_memory_used_bytes"), body);
            assertTrue(body.contains("process_uptime_seconds"), body);

            HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    /** Every line is a HELP/TYPE comment or a sample; every sample's family was typed. */
    static void assertValidText(String body) {
        assertTrue(body.endsWith("\n"), "ends with a newline");
        List<String> lines = body.lines().toList();
        assertTrue(lines.size() > 10, body);
        for (String line : lines) {
            if (line.startsWith("#")) {
                assertTrue(COMMENT.matcher(line).matches(), "bad comment line: " + line);
            } else {
                assertTrue(SAMPLE.matcher(line).matches(), "bad sample line: " + line);
            }
        }
    }
}
