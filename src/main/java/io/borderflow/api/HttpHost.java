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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The app's one HTTP port: {@code /metrics}, the lookup API and the built-in view register their
 * routes here. Loopback by default; a non-loopback bind without a bearer token is refused, because
 * the lookup routes answer questions about individual travellers.
 */
public final class HttpHost implements AutoCloseable {
    public static final String BIND = "http.bind";
    public static final String PORT = "http.port";
    public static final String TOKEN = "http.token";
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;

    private final HttpServer server;
    private final ExecutorService executor;
    private final String token;

    private HttpHost(HttpServer server, ExecutorService executor, String token) {
        this.server = server;
        this.executor = executor;
        this.token = token;
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
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 64);
        } catch (IOException e) {
            throw new ConfigException(PORT + ": cannot listen on " + bind + ":" + port + " (" + e.getMessage() + ")");
        }
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "borderflow-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new HttpHost(server, executor, token);
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
            try (exchange) {
                if (needsToken && token != null && !authorised(exchange)) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                    send(exchange, 401, "text/plain; charset=utf-8", "missing or wrong bearer token\n");
                    return;
                }
                handler.handle(exchange);
            } catch (RuntimeException e) {
                // Never a stack trace or a traveller id in the answer: the error class and first line.
                send(exchange, 500, "text/plain; charset=utf-8", "internal error: " + e.getClass().getSimpleName() + "\n");
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

    public int port() {
        return server.getAddress().getPort();
    }

    public String host() {
        return server.getAddress().getAddress().getHostAddress();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:8088}. */
    public URI baseUri() {
        return URI.create("http://" + host() + ":" + port());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
