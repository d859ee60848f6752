package io.borderflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpHostTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private static HttpHost host(Map<String, String> keys) {
        HttpHost h = HttpHost.start(BorderflowConfig.of(keys));
        h.route("/open", ex -> HttpHost.send(ex, 200, "text/plain", "open\n"));
        h.protectedRoute("/secret", ex -> HttpHost.send(ex, 200, "text/plain", "secret\n"));
        return h;
    }

    private static HttpResponse<String> get(HttpHost h, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(h.baseUri() + path));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void protectedRoutesNeedTheTokenOpenRoutesDoNot() throws Exception {
        try (HttpHost h = host(Map.of(HttpHost.PORT, "0", HttpHost.TOKEN, "s3cret-token"))) {
            assertTrue(h.tokenRequired());
            HttpResponse<String> none = get(h, "/secret", null);
            assertEquals(401, none.statusCode());
            assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
            assertFalse(none.body().contains("secret\n"));
            assertEquals(401, get(h, "/secret", "Bearer wrong").statusCode());
            assertEquals(401, get(h, "/secret", "Basic czNjcmV0LXRva2Vu").statusCode());
            HttpResponse<String> ok = get(h, "/secret", "Bearer s3cret-token");
            assertEquals(200, ok.statusCode());
            assertEquals("secret\n", ok.body());
            assertEquals(200, get(h, "/open", null).statusCode());
        }
    }

    @Test
    void withoutATokenEveryRouteIsOpenOnLoopback() throws Exception {
        try (HttpHost h = host(Map.of(HttpHost.PORT, "0"))) {
            assertFalse(h.tokenRequired());
            assertEquals("127.0.0.1", h.host());
            assertTrue(h.port() > 0);
            assertEquals("127.0.0.1:" + h.port(), h.advertisedAddress());
            assertEquals(200, get(h, "/secret", null).statusCode());
        }
    }

    @Test
    void aFailingHandlerGivesA500WithoutDetails() throws Exception {
        try (HttpHost h = HttpHost.start(BorderflowConfig.of(Map.of(HttpHost.PORT, "0")))) {
            h.route("/boom", ex -> {
                throw new IllegalStateException("traveller p-secret broke it");
            });
            HttpResponse<String> r = get(h, "/boom", null);
            assertEquals(500, r.statusCode());
            assertEquals("internal error: IllegalStateException\n", r.body());
        }
    }

    @Test
    void aNonLoopbackBindNeedsAToken() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> HttpHost.start(BorderflowConfig.of(Map.of(HttpHost.BIND, "0.0.0.0", HttpHost.PORT, "0"))));
        assertEquals("http.bind=0.0.0.0 is not a loopback address: set http.token so that traveller lookups are not"
                + " open to the network", e.getMessage());
    }

    @Test
    void badPortsAreOneLineErrors() {
        ConfigException word = assertThrows(ConfigException.class,
                () -> HttpHost.start(BorderflowConfig.of(Map.of(HttpHost.PORT, "http"))));
        assertEquals("http.port: 'http' is not a port number (0-65535)", word.getMessage());
        ConfigException big = assertThrows(ConfigException.class,
                () -> HttpHost.start(BorderflowConfig.of(Map.of(HttpHost.PORT, "70000"))));
        assertEquals("http.port: '70000' is not a port number (0-65535)", big.getMessage());
        try (HttpHost first = HttpHost.start(BorderflowConfig.of(Map.of(HttpHost.PORT, "0")))) {
            ConfigException taken = assertThrows(ConfigException.class, () -> HttpHost.start(
                    BorderflowConfig.of(Map.of(HttpHost.PORT, Integer.toString(first.port())))));
            assertTrue(taken.getMessage().startsWith("http.port: cannot listen on 127.0.0.1:" + first.port() + " ("),
                    taken.getMessage());
            assertFalse(taken.getMessage().contains("\n"));
        }
    }

    @Test
    void theAdvertisedHostIsConfigurable() {
        try (HttpHost h = HttpHost.start(BorderflowConfig.of(Map.of(HttpHost.PORT, "0",
                HttpHost.ADVERTISED_HOST, "node-1.example")))) {
            assertEquals("node-1.example:" + h.port(), h.advertisedAddress());
        }
    }
}
