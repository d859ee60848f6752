package io.borderflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.api.HttpHost;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The replay's own /metrics port: replay.http.port, beside a stream app's http.port. */
class ReplayMetricsHostTest {
    @Test
    void servesMetricsOnTheReplayPort() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BorderflowConfig config = BorderflowConfig.defaults().with(ReplayCommand.HTTP_PORT, "0");
        try (HttpHost host = ReplayCommand.metricsHost(config, new PrintStream(out, true, StandardCharsets.UTF_8))) {
            String url = host.baseUri() + "/metrics";
            assertTrue(out.toString(StandardCharsets.UTF_8).contains("metrics at " + url), out.toString(StandardCharsets.UTF_8));
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(java.net.URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        }
    }

    @Test
    void aBusyPortOnlyWarnsAndABadOneIsAnError() {
        BorderflowConfig free = BorderflowConfig.defaults().with(ReplayCommand.HTTP_PORT, "0");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (HttpHost taken = ReplayCommand.metricsHost(free, quiet)) {
            BorderflowConfig same = BorderflowConfig.defaults().with(ReplayCommand.HTTP_PORT, Integer.toString(taken.port()));
            assertNull(ReplayCommand.metricsHost(same, quiet));
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ReplayCommand.metricsHost(
                BorderflowConfig.defaults().with(ReplayCommand.HTTP_PORT, "http"), quiet));
        assertTrue(e.getMessage().startsWith("replay.http.port: 'http'"), e.getMessage());
    }
}
