package io.borderflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.app.Progression;
import io.borderflow.app.StreamApp;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.stay.CitizenshipClass;
import io.borderflow.stay.Stay;
import io.borderflow.stay.StayCalculator;
import io.borderflow.stay.StayStatus;
import io.borderflow.stay.TravelHistory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lookups against two instances of the stream app on an embedded broker (4 partitions, one application id,
 * separate state dirs): every answer, asked of either instance, equals the rules engine applied directly to the
 * traveller's whole history; the instance that does not own a traveller forwards the request.
 */
class StayApiIT {
    private static final ZoneId ZONE = ZoneId.of("Asia/Almaty");
    private static final String TOKEN = "it-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final int PARTITIONS = 4;
    /** The latest crossing of the data: the default day of /overstays. */
    private static final LocalDate LAST_DAY = LocalDate.of(2023, 10, 1);

    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker broker;
    private static BorderflowConfig config;
    private static StreamApp a;
    private static StreamApp b;
    /** Traveller id to citizenship and crossings (local dates, ENTRY/EXIT alternating as listed). */
    private static final Map<String, Traveller> TRAVELLERS = new LinkedHashMap<>();

    record Traveller(String citizenship, List<String[]> crossings) {
        LocalDate last() {
            return LocalDate.parse(crossings.get(crossings.size() - 1)[1]);
        }

        TravelHistory history() {
            List<Stay> stays = new ArrayList<>();
            LocalDate entry = null;
            for (String[] c : crossings) {
                if (c[0].equals("ENTRY")) {
                    entry = LocalDate.parse(c[1]);
                } else {
                    stays.add(new Stay(entry, LocalDate.parse(c[1])));
                    entry = null;
                }
            }
            if (entry != null) {
                stays.add(Stay.open(entry));
            }
            return TravelHistory.of(stays);
        }

        StayStatus engine(LocalDate on) {
            CitizenshipClass cls = Set.of("RU", "BY", "AM", "KG").contains(citizenship) ? CitizenshipClass.EAEU
                    : CitizenshipClass.VISA_FREE;
            return StayCalculator.control(cls, history(), on);
        }
    }

    private static List<String[]> xs(String[]... crossings) {
        return List.of(crossings);
    }

    private static String[] c(String direction, String date) {
        return new String[] {direction, date};
    }

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedKafkaBroker.startTemporary();
        config = BorderflowConfig.of(Map.of(BorderflowConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                BorderflowConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS), StreamApp.APPLICATION_ID, "stay-api-it",
                HttpHost.PORT, "0", HttpHost.TOKEN, TOKEN));
        try (Admin admin = Admin.create(KafkaClients.admin(config, broker.bootstrapServers()))) {
            TopicAdmin.ensureTopics(admin, Topics.ALL, config);
        }
        // Both instances run before any data, so neither has state to restore and the tasks spread at once.
        a = StreamApp.start(config, broker.bootstrapServers(), dir.resolve("state-a"), Duration.ofMinutes(1));
        b = StreamApp.start(config, broker.bootstrapServers(), dir.resolve("state-b"), Duration.ofMinutes(1));
        List<String> ids = idsOnEveryPartition(8);
        TRAVELLERS.put(ids.get(0), new Traveller("RU", xs(c("ENTRY", "2023-03-01"), c("EXIT", "2023-04-10"),
                c("ENTRY", "2023-06-01")))); // the overstayer: 41 days in spring, present since June
        TRAVELLERS.put(ids.get(1), new Traveller("RU", xs(c("ENTRY", "2023-05-01"), c("EXIT", "2023-05-20"))));
        TRAVELLERS.put(ids.get(2), new Traveller("RU", xs(c("ENTRY", "2023-09-01")))); // present, compliant
        TRAVELLERS.put(ids.get(3), new Traveller("BY", xs(c("ENTRY", "2023-07-01"), c("EXIT", "2023-08-15"),
                c("ENTRY", "2023-09-20"), c("EXIT", LAST_DAY.toString()))));
        TRAVELLERS.put(ids.get(4), new Traveller("AM", xs(c("ENTRY", "2023-07-10"), c("EXIT", "2023-07-12"))));
        TRAVELLERS.put(ids.get(5), new Traveller("KG", xs(c("ENTRY", "2023-08-25")))); // present, compliant
        TRAVELLERS.put(ids.get(6), new Traveller("RU", xs(c("ENTRY", "2023-02-10"), c("EXIT", "2023-04-30"))));
        TRAVELLERS.put(ids.get(7), new Traveller("DE", xs(c("ENTRY", "2023-08-20")))); // visa-free: 30 days
        List<Crossing> crossings = new ArrayList<>();
        int seq = 0;
        for (Map.Entry<String, Traveller> t : TRAVELLERS.entrySet()) {
            for (String[] x : t.getValue().crossings()) {
                Instant time = LocalDate.parse(x[1]).atTime(12, 0).atZone(ZONE).toInstant();
                crossings.add(new Crossing("it-" + (++seq), t.getKey(), t.getValue().citizenship(),
                        Direction.valueOf(x[0]), "SYRYM", null, Mode.ROAD, time));
            }
        }
        // A Kazakh citizen: skipped by the compliance topology, so unknown to the lookups.
        crossings.add(new Crossing("it-kz", "p-it-national", "KZ", Direction.ENTRY, "SYRYM", null, Mode.ROAD,
                LocalDate.of(2023, 9, 2).atTime(12, 0).atZone(ZONE).toInstant()));
        crossings.sort(Comparator.comparing(Crossing::getTime));
        try (KafkaEventSink sink = new KafkaEventSink(KafkaClients.producer(config, broker.bootstrapServers()))) {
            for (Crossing x : crossings) {
                sink.accept(x);
            }
            sink.finish();
            sink.flush();
        }
        try (Admin admin = Admin.create(KafkaClients.admin(config, broker.bootstrapServers()))) {
            Progression.awaitProcessed(admin, a.applicationId(), List.of(Topics.CROSSINGS.name()), Duration.ofSeconds(40));
        }
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {a, b, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // go on closing the rest
            }
        }
    }

    /** Ids that the default partitioner spreads over every partition, {@code n / PARTITIONS} on each. */
    private static List<String> idsOnEveryPartition(int n) {
        Map<Integer, List<String>> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.values().stream().mapToInt(List::size).sum() < n; i++) {
            String id = "p-it-" + i;
            int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            List<String> l = byPartition.computeIfAbsent(p, k -> new ArrayList<>());
            if (l.size() < n / PARTITIONS) {
                l.add(id);
            }
        }
        List<String> out = new ArrayList<>();
        for (int k = 0; k < n / PARTITIONS; k++) {
            for (List<String> l : byPartition.values()) {
                out.add(l.get(k));
            }
        }
        return out;
    }

    private static HttpResponse<String> get(StreamApp app, String pathAndQuery, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(app.http().baseUri() + pathAndQuery));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            HttpResponse<String> resp = CLIENT.send(r.build(), HttpResponse.BodyHandlers.ofString());
            // A follow-up rebalance may still move a partition: 503 means "retry".
            if (resp.statusCode() != 503 || System.nanoTime() > deadline) {
                return resp;
            }
            Thread.sleep(200);
        }
    }

    private static JsonNode ok(StreamApp app, String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(app, pathAndQuery, TOKEN);
        assertEquals(200, r.statusCode(), pathAndQuery + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    private static String status(StayStatus es) {
        if (es.exempt()) {
            return "EXEMPT";
        }
        if (es.overLimit()) {
            return "OVERSTAY";
        }
        return es.present() && es.daysRemaining() <= 10 ? "WARNING" : "COMPLIANT";
    }

    private static String text(LocalDate d) {
        return d == null ? null : d.toString();
    }

    private static void assertStanding(String id, StayStatus expected, JsonNode actual) {
        String what = id + " on " + expected.on();
        assertEquals(id, actual.get("id").asText(), what);
        assertEquals(status(expected), actual.get("status").asText(), what);
        assertEquals(expected.rule().id(), actual.get("rule").asText(), what);
        assertEquals(expected.on().toString(), actual.get("on").asText(), what);
        assertEquals(text(expected.windowStart()), actual.get("windowStart").textValue(), what);
        assertEquals(expected.daysUsed(), actual.get("daysUsed").asInt(), what);
        assertEquals(expected.daysRemaining(), actual.get("daysRemaining").asInt(), what);
        assertEquals(expected.overstayDays(), actual.get("overstayDays").asInt(), what);
        assertEquals(text(expected.mustLeaveBy()), actual.get("mustLeaveBy").textValue(), what);
        assertEquals(expected.present(), actual.get("present").asBoolean(), what);
    }

    @Test
    void eitherInstanceAnswersForEveryTravellerAsTheEngineDoes() throws Exception {
        assertNotEquals(a.http().port(), b.http().port());
        Set<String> forwarded = new HashSet<>();
        for (Map.Entry<String, Traveller> t : TRAVELLERS.entrySet()) {
            String id = t.getKey();
            for (StreamApp app : List.of(a, b)) {
                String self = app.http().advertisedAddress();
                HttpResponse<String> r = get(app, "/travellers/" + id + "/stay", TOKEN);
                assertEquals(200, r.statusCode(), r.body());
                String servedBy = r.headers().firstValue(StayApi.SERVED_BY_HEADER).orElseThrow();
                if (!servedBy.equals(self)) {
                    forwarded.add(self + "->" + servedBy);
                }
                assertStanding(id, t.getValue().engine(t.getValue().last()), JSON.readTree(r.body()));
                LocalDate later = LocalDate.of(2023, 11, 15);
                assertStanding(id, t.getValue().engine(later), ok(app, "/travellers/" + id + "/stay?on=" + later));
            }
        }
        assertFalse(forwarded.isEmpty(), "some lookups were answered by the other instance");
        // The overstayer is over the limit by the last day of the data, never having crossed again.
        String overstayer = TRAVELLERS.keySet().iterator().next();
        JsonNode o = ok(b, "/travellers/" + overstayer + "/stay?on=" + LAST_DAY);
        assertEquals("OVERSTAY", o.get("status").asText());
        assertTrue(o.get("overstayDays").asInt() > 0);
    }

    @Test
    void overstaysListEveryInstancesOverstayersAsTheEngineFindsThem() throws Exception {
        for (LocalDate on : new LocalDate[] {null, LocalDate.of(2023, 9, 5)}) {
            LocalDate day = on == null ? LAST_DAY : on;
            List<Map.Entry<String, StayStatus>> expected = new ArrayList<>();
            int notJudged = 0;
            for (Map.Entry<String, Traveller> t : TRAVELLERS.entrySet()) {
                if (t.getValue().last().isAfter(day)) {
                    notJudged++;
                    continue;
                }
                StayStatus es = t.getValue().engine(day);
                if (es.overLimit() && !es.exempt()) {
                    expected.add(Map.entry(t.getKey(), es));
                }
            }
            expected.sort(Comparator.<Map.Entry<String, StayStatus>>comparingInt(e -> -e.getValue().overstayDays())
                    .thenComparing(Map.Entry::getKey));
            assertTrue(on != null || expected.size() >= 2, "the data has overstayers on the last day: " + expected);
            for (StreamApp app : List.of(a, b)) {
                JsonNode n = ok(app, "/overstays" + (on == null ? "" : "?on=" + on));
                assertEquals(day.toString(), n.get("on").asText());
                assertEquals(LAST_DAY.toString(), n.get("latestCrossing").asText());
                assertEquals(expected.size(), n.get("count").asInt());
                assertEquals(notJudged, n.get("notJudged").asInt());
                List<JsonNode> rows = new ArrayList<>();
                n.get("overstays").forEach(rows::add);
                assertEquals(expected.size(), rows.size());
                for (int i = 0; i < rows.size(); i++) {
                    StayStatus es = expected.get(i).getValue();
                    assertEquals(expected.get(i).getKey(), rows.get(i).get("id").asText());
                    assertEquals(es.overstayDays(), rows.get(i).get("overstayDays").asInt());
                    assertEquals(text(es.mustLeaveBy()), rows.get(i).get("mustLeaveBy").textValue());
                    assertEquals(ChronoUnit.DAYS.between(es.mustLeaveBy(), day),
                            rows.get(i).get("daysOver").asLong());
                }
            }
        }
        JsonNode one = ok(a, "/overstays?limit=1");
        assertEquals(1, one.get("overstays").size());
        assertEquals(1, one.get("returned").asInt());
        assertTrue(one.get("count").asInt() >= 2);
    }

    @Test
    void badRequestsGetAStatusAndAOneLineMessage() throws Exception {
        String id = TRAVELLERS.keySet().iterator().next();
        for (StreamApp app : List.of(a, b)) {
            assertError(get(app, "/travellers/p-nobody/stay", TOKEN), 404, "unknown traveller");
            assertError(get(app, "/travellers/p-it-national/stay", TOKEN), 404, "unknown traveller");
            assertError(get(app, "/travellers/" + id + "/stay?on=2023-13-01", TOKEN), 400,
                    "on: '2023-13-01' is not a date (YYYY-MM-DD)");
            assertError(get(app, "/travellers/" + id + "/stay?on=2023-05-01", TOKEN), 400,
                    "on: 2023-05-01 is before the traveller's latest crossing (2023-06-01)");
            assertError(get(app, "/travellers/" + id + "/stay?date=2023-05-01", TOKEN), 400, "unknown parameter 'date'");
            assertError(get(app, "/overstays?limit=0", TOKEN), 400, "limit: 0 is out of range (1 to 10000)");
            assertError(get(app, "/overstays?on=yesterday", TOKEN), 400, "on: 'yesterday' is not a date");
            assertError(get(app, "/overstays/all", TOKEN), 404, "no such resource: use /overstays");
            assertError(get(app, "/travellers/" + id + "/history", TOKEN), 404, "no such resource");
            assertEquals(401, get(app, "/travellers/" + id + "/stay", null).statusCode());
            assertEquals(401, get(app, "/overstays", null).statusCode());
            assertEquals(401, get(app, "/overstays", "wrong").statusCode());
            assertEquals(401, get(app, StayApi.SCAN_PATH, null).statusCode());
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String messageStart) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(1, r.body().strip().lines().count(), r.body());
        String message = JSON.readTree(r.body()).get("error").asText();
        assertTrue(message.startsWith(messageStart), message);
        assertFalse(message.contains("p-it-"), "no traveller id in an error: " + message);
    }

    @Test
    void anAppThatIsNotRunningAnswers503() throws Exception {
        BorderflowConfig other = config.with(StreamApp.APPLICATION_ID, "stay-api-it-idle");
        KafkaStreams idle = new KafkaStreams(StreamApp.topology(other),
                StreamApp.properties(other, broker.bootstrapServers(), dir.resolve("state-idle")));
        try (HttpHost http = HttpHost.start(other)) {
            StayApi.register(http, idle, other);
            for (String path : List.of("/travellers/p-it-0/stay", "/overstays")) {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(http.baseUri() + path))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), r.body());
                assertTrue(JSON.readTree(r.body()).get("error").asText().endsWith("; retry shortly"), r.body());
            }
        } finally {
            idle.close(Duration.ofSeconds(5));
        }
    }
}
