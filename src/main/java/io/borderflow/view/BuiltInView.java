package io.borderflow.view;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.borderflow.api.HttpHost;
import io.borderflow.config.ConfigException;
import io.borderflow.config.TopicSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The page at {@code /} for the embedded default, where there is no Grafana: the daily
 * entries/exits/net chart, present stock, overstays and alerts, polling {@value #API} every few
 * seconds. Chart.js comes from its webjar on the classpath ({@value #WEBJARS}...), so nothing is
 * fetched from the internet when the page loads.
 */
public final class BuiltInView implements AutoCloseable {
    public static final String API = "/api/view";
    public static final String WEBJARS = "/webjars/";
    static final String STATIC = "/view/";
    static final String RESOURCES = "io/borderflow/view/static/";
    static final String WEBJAR_ROOT = "META-INF/resources/webjars/";
    static final String CHARTJS_PROPERTIES = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9._@-]+(/[A-Za-z0-9._@-]+)*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ViewModel model;
    private final ViewFeed feed;
    private final byte[] index;

    private BuiltInView(ViewModel model, ViewFeed feed) {
        this.model = model;
        this.feed = feed;
        String html = new String(resource(RESOURCES + "index.html"), StandardCharsets.UTF_8);
        this.index = html.replace("{{chartjs}}", WEBJARS + "chart.js/" + chartJsVersion() + "/dist/chart.umd.min.js")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Starts the feed (a consumer with the given {@code KafkaClients.consumer} properties) and
     * registers {@code /}, {@value #API}, {@code /view/} and {@value #WEBJARS} on the host.
     */
    public static BuiltInView start(HttpHost http, Properties consumerProperties, ZoneId zone) {
        ViewModel model = new ViewModel(zone);
        BuiltInView view = new BuiltInView(model, ViewFeed.start(consumerProperties, model));
        view.register(http);
        return view;
    }

    /** The model alone on a host, for tests that feed it themselves. */
    static BuiltInView serve(HttpHost http, ViewModel model) {
        BuiltInView view = new BuiltInView(model, null);
        view.register(http);
        return view;
    }

    private void register(HttpHost http) {
        http.route("/", this::page);
        http.route(API, ex -> {
            if (allowed(ex)) {
                send(ex, 200, "application/json", json(model.snapshot()), "no-store");
            }
        });
        http.route(STATIC, ex -> file(ex, STATIC, RESOURCES, "no-cache"));
        // Versioned paths: the browser may keep them.
        http.route(WEBJARS, ex -> file(ex, WEBJARS, WEBJAR_ROOT, "max-age=86400"));
    }

    public ViewModel model() {
        return model;
    }

    /**
     * Waits until the view has read everything committed to its topics so far (for a command that
     * ends after processing and reports what the page showed).
     */
    public void awaitCaughtUp(Admin admin, Duration timeout) throws InterruptedException, ExecutionException {
        List<String> topics = ViewFeed.TOPICS.stream().map(TopicSpec::name).toList();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((name, d) -> d.partitions()
                .forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .forEach((tp, info) -> ends.put(tp, info.offset()));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (feed != null && !feed.reached(ends)) {
            if (System.nanoTime() > deadline) {
                throw new ConfigException("the built-in view did not read its topics within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }

    /** One line on what the page shows now. */
    @SuppressWarnings("unchecked")
    public String summary() {
        Map<String, Object> v = model.snapshot();
        List<String> days = (List<String>) ((Map<String, Object>) v.get("daily")).get("days");
        Map<String, Object> stock = (Map<String, Object>) v.get("presentStock");
        Map<String, Object> overstays = (Map<String, Object>) v.get("overstays");
        return String.format(Locale.ROOT, "%d day(s) charted%s, present stock of %s citizenships and %s regions, "
                        + "%d alerts listed (%s firing), %s overstaying now (%s detected)",
                days.size(), days.isEmpty() ? "" : " (" + days.get(0) + " to " + days.get(days.size() - 1) + ")",
                ((Map<String, Object>) stock.get("citizenship")).get("keys"),
                ((Map<String, Object>) stock.get("region")).get("keys"),
                ((List<?>) v.get("alerts")).size(), v.get("alertsFiring"), overstays.get("now"), overstays.get("detected"));
    }

    private void page(HttpExchange ex) throws IOException {
        if (!allowed(ex)) {
            return;
        }
        String path = ex.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8), "no-store");
            return;
        }
        send(ex, 200, "text/html; charset=utf-8", index, "no-cache");
    }

    private void file(HttpExchange ex, String prefix, String root, String cache) throws IOException {
        if (!allowed(ex)) {
            return;
        }
        String rest = ex.getRequestURI().getPath().substring(prefix.length());
        byte[] body = SAFE_PATH.matcher(rest).matches() && !rest.contains("..") ? resourceOrNull(root + rest) : null;
        // An empty body is a directory entry of a jar.
        if (body == null || body.length == 0) {
            send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8), "no-store");
            return;
        }
        send(ex, 200, contentType(rest), body, cache);
    }

    private static boolean allowed(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8), "no-store");
        return false;
    }

    static String contentType(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (p.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (p.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (p.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (p.endsWith(".json") || p.endsWith(".map")) {
            return "application/json";
        }
        if (p.endsWith(".svg")) {
            return "image/svg+xml";
        }
        return p.endsWith(".md") || p.endsWith(".txt") ? "text/plain; charset=utf-8" : "application/octet-stream";
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, String cache) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", cache);
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static byte[] json(Map<String, Object> snapshot) {
        try {
            return JSON.writeValueAsBytes(snapshot);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Chart.js version of the webjar on the classpath (the pom pins it). */
    static String chartJsVersion() {
        Properties p = new Properties();
        try (InputStream in = BuiltInView.class.getClassLoader().getResourceAsStream(CHARTJS_PROPERTIES)) {
            if (in == null) {
                throw new IllegalStateException("the Chart.js webjar is not on the classpath (" + CHARTJS_PROPERTIES + ")");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static byte[] resource(String name) {
        byte[] b = resourceOrNull(name);
        if (b == null) {
            throw new IllegalStateException("missing resource " + name);
        }
        return b;
    }

    private static byte[] resourceOrNull(String name) {
        try (InputStream in = BuiltInView.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (feed != null) {
            feed.close();
        }
    }
}
