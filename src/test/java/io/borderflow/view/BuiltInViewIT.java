package io.borderflow.view;

import static io.borderflow.view.ViewRecords.ALMATY;
import static io.borderflow.view.ViewRecords.day;
import static io.borderflow.view.ViewRecords.flowAlert;
import static io.borderflow.view.ViewRecords.midnight;
import static io.borderflow.view.ViewRecords.national;
import static io.borderflow.view.ViewRecords.overstay;
import static io.borderflow.view.ViewRecords.status;
import static io.borderflow.view.ViewRecords.stock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.api.HttpHost;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.StayState;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.serde.AvroSerde;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in view on a real broker: records written to the output topics in committed (and one
 * aborted) transactions, read by the view's own consumer, served over HTTP and drawn by headless
 * Chromium.
 */
class BuiltInViewIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate FIRST = LocalDate.of(2022, 9, 10);
    private static final int DAYS = 30;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EmbeddedKafkaBroker broker;
    private static HttpHost http;
    private static BuiltInView view;
    private static URI base;
    private static int committed;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.startTemporary();
        BorderflowConfig config = BorderflowConfig.defaults();
        try (Admin admin = Admin.create(KafkaClients.admin(config, broker.bootstrapServers()))) {
            TopicAdmin.ensureTopics(admin, Topics.ALL, config);
        }
        http = HttpHost.start(BorderflowConfig.of(Map.of(HttpHost.PORT, "0")));
        base = http.baseUri();
        // The view starts before the data arrives, as in `demo`.
        view = BuiltInView.start(http, KafkaClients.consumer(config, broker.bootstrapServers()), ALMATY);
        produce(config);
        awaitRecords(committed);
    }

    @AfterAll
    static void stop() {
        if (view != null) {
            view.close();
        }
        if (http != null) {
            http.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Surge-shaped days: about 8,500 a day each way, then up to 30,000 in, then more out than in. */
    static long entries(int i) {
        return i < 11 ? 8_500 + 10L * i : i < 19 ? 30_000 - 400L * Math.abs(i - 14) : 7_800 + 20L * i;
    }

    static long exits(int i) {
        return i < 11 ? 8_400 + 5L * i : i < 19 ? 9_000 + 200L * i : 10_500 - 10L * i;
    }

    private static void produce(BorderflowConfig config) {
        Properties p = KafkaClients.producer(config, broker.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "view-it");
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < DAYS; i++) {
            records.add(record(Topics.NET_FLOWS, "NATIONAL:KZ", national(FIRST.plusDays(i), entries(i), exits(i))));
        }
        records.add(record(Topics.NET_FLOWS, "CHECKPOINT:SYRYM", day(FlowDimension.CHECKPOINT, "SYRYM", FIRST, 999_999, 0, 0)));
        // A late event restated day 5.
        records.add(record(Topics.NET_FLOW_CORRECTIONS, "NATIONAL:KZ",
                day(FlowDimension.NATIONAL, "KZ", FIRST.plusDays(5), entries(5) + 7, exits(5), 1)));
        Instant t = midnight(FIRST.plusDays(DAYS));
        Object[][] stocks = {{"citizenship", "RU", 96_500L}, {"citizenship", "KG", 8_200L}, {"citizenship", "UZ", 6_100L},
            {"citizenship", "AM", 2_300L}, {"citizenship", "BY", 1_400L}, {"citizenship", "CN", -300L},
            {"region", "Almaty", 41_000L}, {"region", "Astana", 29_000L}, {"region", "West Kazakhstan", 24_500L},
            {"region", "Kostanay", 14_800L}, {"region", "Aktobe", 9_900L}};
        for (Object[] s : stocks) {
            records.add(record(Topics.PRESENT_STOCK, s[0] + ":" + s[1], stock((String) s[0], (String) s[1], (Long) s[2], t)));
        }
        Instant surge = midnight(FIRST.plusDays(11));
        records.add(record(Topics.ALERTS, "surge", flowAlert("surge", "KZ", AlertState.RAISED, surge, null, 30_000)));
        records.add(record(Topics.ALERTS, "surge", flowAlert("surge", "KZ", AlertState.RESOLVED, surge,
                midnight(FIRST.plusDays(19)), 9_000)));
        records.add(record(Topics.ALERTS, "net-outflow", flowAlert("net-outflow", "KZ", AlertState.RAISED,
                midnight(FIRST.plusDays(23)), null, -2_900)));
        for (int i = 0; i < 3; i++) {
            records.add(record(Topics.ALERTS, "tr-" + i, overstay("tr-" + i, AlertState.RAISED,
                    midnight(FIRST.plusDays(20 + i / 2)), null)));
            records.add(record(Topics.STAY_STATUS, "tr-" + i, status("tr-" + i, StayState.OVERSTAY, FIRST.plusDays(20 + i / 2))));
        }
        records.add(record(Topics.ALERTS, "tr-0", overstay("tr-0", AlertState.RESOLVED, midnight(FIRST.plusDays(20)),
                midnight(FIRST.plusDays(25)))));
        records.add(record(Topics.STAY_STATUS, "tr-9", status("tr-9", StayState.WARNING, FIRST.plusDays(25))));
        committed = records.size();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            records.forEach(producer::send);
            producer.commitTransaction();
            // read_committed: none of this may reach the page.
            producer.beginTransaction();
            producer.send(record(Topics.NET_FLOWS, "NATIONAL:KZ", national(FIRST.plusDays(DAYS + 5), 777_777, 0)));
            producer.send(record(Topics.ALERTS, "aborted", flowAlert("aborted-rule", "KZ", AlertState.RAISED, t, null, 1)));
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static ProducerRecord<byte[], byte[]> record(TopicSpec topic, String key, SpecificRecord value) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        AvroSerde<SpecificRecord> serde = (AvroSerde) AvroSerde.of(value.getClass());
        return new ProducerRecord<>(topic.name(), null, Instant.now().toEpochMilli(),
                key.getBytes(StandardCharsets.UTF_8), serde.serialize(topic.name(), value));
    }

    private static void awaitRecords(int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode v = null;
        while (System.nanoTime() < deadline) {
            v = JSON.readTree(get(BuiltInView.API).body());
            if (v.get("records").asInt() >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the view did not read the " + n + " records within 90 s: " + v);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theJsonEndpointServesWhatTheOutputTopicsSay() throws Exception {
        HttpResponse<String> r = get(BuiltInView.API);
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        JsonNode v = JSON.readTree(r.body());
        assertEquals(committed, v.get("records").asInt(), "the aborted transaction is not read");

        JsonNode days = v.at("/daily/days");
        assertEquals(DAYS, days.size());
        assertEquals(FIRST.toString(), days.get(0).asText());
        assertEquals(FIRST.plusDays(DAYS - 1L).toString(), days.get(DAYS - 1).asText());
        for (int i = 0; i < DAYS; i++) {
            long in = entries(i) + (i == 5 ? 7 : 0);
            assertEquals(in, v.at("/daily/entries/" + i).asLong(), "entries on day " + i);
            assertEquals(exits(i), v.at("/daily/exits/" + i).asLong(), "exits on day " + i);
            assertEquals(in - exits(i), v.at("/daily/net/" + i).asLong(), "net on day " + i);
        }
        assertEquals("2022-10-10T00:00:00+06:00", v.get("eventTime").asText());

        assertEquals("RU", v.at("/presentStock/citizenship/top/0/key").asText());
        assertEquals(96_500, v.at("/presentStock/citizenship/top/0/present").asLong());
        assertEquals(6, v.at("/presentStock/citizenship/keys").asInt());
        assertEquals("Almaty", v.at("/presentStock/region/top/0/key").asText());
        assertEquals(5, v.at("/presentStock/region/top").size());

        assertEquals(2, v.at("/overstays/now").asLong());
        assertEquals(3, v.at("/overstays/detected").asLong());
        assertEquals(3, v.at("/overstays/statuses/OVERSTAY").asLong());
        assertEquals(1, v.at("/overstays/statuses/WARNING").asLong());

        assertEquals(1, v.get("alertsFiring").asInt());
        assertEquals(3, v.get("alerts").size());
        assertEquals("net-outflow", v.at("/alerts/0/rule").asText());
        assertEquals("RESOLVED", v.at("/alerts/1/state").asText());
        assertEquals("RAISED", v.at("/alerts/2/state").asText());
        assertFalse(r.body().contains("tr-"), "no traveller id on the open view: " + r.body());
        assertFalse(r.body().contains("aborted") || r.body().contains("777777"), r.body());
    }

    @Test
    void thePageAndChartJsComeFromTheJar() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        Matcher src = Pattern.compile("<script src=\"(/webjars/chart\\.js/[0-9.]+/dist/chart\\.umd\\.min\\.js)\"")
                .matcher(page.body());
        assertTrue(src.find(), page.body());
        assertFalse(page.body().contains("http://") || page.body().contains("https://"),
                "nothing is loaded from elsewhere: " + page.body());
        HttpResponse<String> chart = get(src.group(1));
        assertEquals(200, chart.statusCode());
        assertTrue(chart.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(chart.body().contains("Chart.js v" + BuiltInView.chartJsVersion()), "the pinned Chart.js build");
        for (String asset : List.of("/view/view.js", "/view/view.css")) {
            HttpResponse<String> a = get(asset);
            assertEquals(200, a.statusCode(), asset);
            assertTrue(a.body().length() > 500, asset);
        }
    }

    @Test
    void unknownPathsTraversalAndWritesAreRefused() throws Exception {
        assertEquals(404, get("/nothing-here").statusCode());
        assertEquals(404, get("/view/missing.js").statusCode());
        assertEquals(404, get("/webjars/chart.js").statusCode());
        assertEquals(404, get("/webjars/chart.js/%2e%2e/%2e%2e/%2e%2e/maven/org.webjars.npm/chart.js/pom.xml").statusCode());
        assertEquals(404, get("/view/..%2f..%2fborderflow%2fview%2fBuiltInView.class").statusCode());
        HttpResponse<String> post = CLIENT.send(HttpRequest.newBuilder(base.resolve(BuiltInView.API))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void headlessChromiumDrawsEveryChartWithData() throws Exception {
        Chromium chromium = Chromium.require(work);
        String dom = chromium.dumpDom(base.resolve("/").toString(), 8_000);

        Map<String, String> body = Chromium.attributes(dom, "status");
        assertEquals("status", body.get("class"), "the status line shows no error: " + Chromium.text(dom, "status"));
        assertTrue(dom.contains("data-state=\"ok\""), "the page polled the endpoint: " + dom);
        Map<String, Integer> expectedPoints = Map.of("daily", DAYS, "stock-citizenship", 6, "stock-region", 5,
                "overstays", 2);
        for (Map.Entry<String, Integer> e : expectedPoints.entrySet()) {
            Map<String, String> chart = Chromium.attributes(dom, e.getKey());
            assertEquals(e.getValue(), Integer.valueOf(chart.get("data-points")), e.getKey() + " points: " + chart);
            // Pixels in the data colours: drawn lines and bars, not just axes.
            int painted = Integer.parseInt(chart.get("data-painted"));
            assertTrue(painted > 200, e.getKey() + " has data drawn: " + chart);
        }
        assertEquals("3", Chromium.attributes(dom, "alerts").get("data-rows"));
        assertEquals("2", Chromium.text(dom, "overstays-now"));
        assertTrue(dom.contains("net-outflow"), dom);
        assertFalse(dom.contains("tr-0"), "no traveller id on the page");

        // For a person to look at (and for CI's artefacts): <build dir>/view-screenshot.png.
        Path buildDir = Path.of(BuiltInViewIT.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        Path png = buildDir.resolve("view-screenshot.png");
        Files.deleteIfExists(png);
        chromium.screenshot(base.resolve("/").toString(), 8_000, png);
        assertTrue(Files.size(png) > 20_000, "a screenshot with content: " + Files.size(png) + " bytes");
    }
}
