package io.borderflow.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The app's one HTTP port: {@code /metrics}, the lookup API and the built-in view register their
 * routes here. Loopback by default; a non-loopback bind without a bearer token is refused, because
 * the lookup routes answer questions about individual travellers.
 */
public final class HttpHost implements AutoCloseable {
    public static final String BIND = "http.bind";
    public static final String PORT = "http.port";
    public static final String TOKEN = "http.token";
    /** The host other instances use to reach this one (forwarded lookups); default: the bind address. */
    public static final String ADVERTISED_HOST = "http.advertised.host";
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;
    private static final Logger LOG = LoggerFactory.getLogger(HttpHost.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;
    private final String advertisedHost;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpHost(HttpServer server, ExecutorService executor, String token, String advertisedHost) {
        this.server = server;
        this.executor = executor;
        this.token = token;
        this.advertisedHost = advertisedHost;
    }

    /** Binds {@code http.bind}:{@code http.port} (0 = a free port) and starts serving. */
    public static HttpHost start(BorderflowConfig config) {
        String bind = config.get(BIND).orElse(DEFAULT_BIND);
        int port = port(config);
        String token = config.get(TOKEN).filter(t -> !t.isBlank()).orElse(null);
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (IOException e) {
            throw new ConfigException(BIND + ": cannot resolve '" + bind + "'");
        }
        if (!address.isLoopbackAddress() && token == null) {
            throw new ConfigException(BIND + "=" + bind + " is not a loopback address: set " + TOKEN
                    + " so that traveller lookups are not open to the network");
        }
        String advertised = config.get(ADVERTISED_HOST).map(String::strip).filter(h -> !h.isEmpty())
                .orElseGet(() -> address.isAnyLocalAddress() ? localHostName() : address.getHostAddress());
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (IOException e) {
            throw new ConfigException(PORT + ": cannot listen on " + bind + ":" + port + " (" + e.getMessage() + ")");
        }
        // 8 threads: a lookup may wait on another instance's answer, which needs a free thread there.
        ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "borderflow-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new HttpHost(server, executor, token, advertised);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            throw new ConfigException(BIND + " is a wildcard address and this host has no resolvable name: set "
                    + ADVERTISED_HOST);
        }
    }

    static int port(BorderflowConfig config) {
        String v = config.get(PORT).orElse(Integer.toString(DEFAULT_PORT));
        try {
            int p = Integer.parseInt(v.trim());
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new ConfigException(PORT + ": '" + v + "' is not a port number (0-65535)");
        }
    }

    /** A route open to anyone who can reach the port (metrics, the built-in view). */
    public void route(String path, HttpHandler handler) {
        server.createContext(path, guarded(handler, false));
    }

    /** A route about individual travellers: requires the bearer token when one is configured. */
    public void protectedRoute(String path, HttpHandler handler) {
        server.createContext(path, guarded(handler, true));
    }

    private HttpHandler guarded(HttpHandler handler, boolean needsToken) {
        return exchange -> {
            // Not try-with-resources: that would close the exchange before the catch could answer 500.
            try {
                if (needsToken && token != null && !authorised(exchange)) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    send(exchange, 401, "text/plain; charset=utf-8", "missing or wrong bearer token\n");
                    return;
                }
                handler.handle(exchange);
            } catch (RuntimeException e) {
                // Never a stack trace or a traveller id in the answer or the log: the route and the error class.
                LOG.warn("http {} failed: {}", exchange.getHttpContext().getPath(), e.getClass().getName());
                send(exchange, 500, "text/plain; charset=utf-8", "internal error: " + e.getClass().getSimpleName() + "\n");
            } finally {
                exchange.close();
            }
        };
    }

    private boolean authorised(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        byte[] given = header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a whole response; safe to call once per exchange. */
    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The configured bearer token, if any (instances present it to each other). */
    Optional<String> token() {
        return Optional.ofNullable(token);
    }

    /** {@code host:port} other instances reach this one at: Kafka Streams' {@code application.server}. */
    public String advertisedAddress() {
        return advertisedHost + ":" + port();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return server.getAddress().getAddress().getHostAddress();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8088} (the advertised host when bound to a wildcard address). */
    public URI baseUri() {
        return URI.create("http://" + advertisedAddress());
    }

    /** Whether protected routes need the bearer token. */
    public boolean tokenRequired() {
        return token != null;
    }

    /** Stops serving; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
