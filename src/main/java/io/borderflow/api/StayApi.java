package io.borderflow.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import io.borderflow.avro.StayState;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.stay.NoRuleInForceException;
import io.borderflow.stay.StayLookup;
import io.borderflow.stay.StayStatus;
import io.borderflow.stay.StayTopology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive stay lookups over the {@value StayTopology#TRAVELLERS_STORE} store (all routes need the bearer
 * token when one is configured):
 * <ul>
 * <li>{@code GET /travellers/{id}/stay?on=DATE}: the engine's answer for one traveller (the pseudonymised id
 * as stored), {@code on} defaulting to the traveller's latest crossing. The instance that owns the key
 * ({@code queryMetadataForKey}) answers; any other instance forwards the request to it once.</li>
 * <li>{@code GET /overstays?on=DATE&limit=N}: travellers over the limit on {@code on} (default: the latest
 * crossing in the state, i.e. about stream time), most overstay days first. Every instance scans its own
 * stores ({@value #SCAN_PATH}) and the one asked merges; it checks that the answers cover each partition
 * exactly once.</li>
 * </ul>
 * Errors are one-line JSON {@code {"error": ...}}: 400 bad parameter, 404 unknown traveller, 422 no rule
 * governs the stay, 503 while the store is rebalancing or restoring (retry). Ids appear in answers only.
 */
public final class StayApi {
    public static final String TRAVELLERS_PATH = "/travellers/";
    public static final String OVERSTAYS_PATH = "/overstays";
    static final String SCAN_PATH = "/internal/stay/scan";
    /** Set on a forwarded request: the receiver answers itself or fails, never forwards again. */
    public static final String FORWARDED_HEADER = "X-Borderflow-Forwarded";
    /** The {@code host:port} of the instance that answered from its store. */
    public static final String SERVED_BY_HEADER = "X-Borderflow-Served-By";
    static final String STORE = StayTopology.TRAVELLERS_STORE;
    /** The stay store's partitions are those of this source topic (co-partitioned with registrations). */
    private static final String SOURCE_TOPIC = Topics.CROSSINGS.name();
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(30);
    private static final Serializer<String> KEYS = new StringSerializer();
    private static final String RETRY = "; retry shortly";

    private final KafkaStreams streams;
    private final StayLookup lookup;
    private final HostInfo self;
    private final String token;
    private final Clock clock;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    StayApi(KafkaStreams streams, StayLookup lookup, HostInfo self, String token, Clock clock) {
        this.streams = streams;
        this.lookup = lookup;
        this.self = self;
        this.token = token;
        this.clock = clock;
    }

    /** Adds the lookup routes to the app's HTTP host. */
    public static StayApi register(HttpHost http, KafkaStreams streams, BorderflowConfig config) {
        StayApi api = new StayApi(streams, new StayLookup(config), HostInfo.buildFromEndpoint(http.advertisedAddress()),
                http.token().orElse(null), Clock.system(config.zone()));
        http.protectedRoute(TRAVELLERS_PATH, ex -> api.respond(ex, api::traveller));
        http.protectedRoute(OVERSTAYS_PATH, ex -> api.respond(ex, api::overstays));
        http.protectedRoute(SCAN_PATH, ex -> api.respond(ex, api::scan));
        return api;
    }

    /** An answer: status, JSON body (one line), and which instance it came from. */
    record Reply(int status, String body, String servedBy) {
    }

    private interface Call {
        Reply run(HttpExchange exchange);
    }

    private void respond(HttpExchange exchange, Call call) throws IOException {
        Reply reply;
        try {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET");
                throw new ApiException(405, "method " + exchange.getRequestMethod() + " not allowed: use GET");
            }
            reply = call.run(exchange);
        } catch (ApiException e) {
            reply = new Reply(e.status(), error(e.getMessage()), address(self));
        }
        if (reply.servedBy() != null) {
            exchange.getResponseHeaders().set(SERVED_BY_HEADER, reply.servedBy());
        }
        HttpHost.send(exchange, reply.status(), JSON_TYPE, reply.body() + "\n");
    }

    private LocalDate today() {
        return LocalDate.now(clock);
    }

    // ---- /travellers/{id}/stay --------------------------------------------------------------------

    private Reply traveller(HttpExchange exchange) {
        URI uri = exchange.getRequestURI();
        String id = LookupRequests.travellerId(uri.getRawPath());
        Map<String, String> q = LookupRequests.query(uri.getRawQuery(), Set.of("on"));
        LocalDate on = LookupRequests.date("on", q.get("on"), today());
        KeyQueryMetadata owner;
        try {
            owner = streams.queryMetadataForKey(STORE, id, KEYS);
        } catch (IllegalStateException | InvalidStateStoreException e) { // not running, yet or any more
            throw unavailable("the stream app is not running (" + streams.state() + ")");
        }
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost() == null
                || owner.activeHost().equals(HostInfo.unavailable())) {
            throw unavailable("the stay store is being rebalanced or restored");
        }
        if (owner.activeHost().equals(self)) {
            return new Reply(200, json(standing(id, owner.partition(), on)), address(self));
        }
        if (exchange.getRequestHeaders().containsKey(FORWARDED_HEADER)) {
            throw unavailable("this traveller's partition is moving between instances");
        }
        return forward(owner.activeHost(), uri);
    }

    private Map<String, Object> standing(String id, int partition, LocalDate on) {
        byte[] stored;
        try {
            ReadOnlyKeyValueStore<String, byte[]> store = streams.store(StoreQueryParameters
                    .fromNameAndType(STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()).withPartition(partition));
            stored = store.get(id);
        } catch (InvalidStateStoreException e) {
            throw unavailable("the stay store is being rebalanced or restored");
        }
        if (stored == null) {
            throw new ApiException(404, "unknown traveller (ids are pseudonymised keys: see 'borderflow pseudonymise')");
        }
        StayLookup.Standing s;
        try {
            s = lookup.traveller(stored).standing(on);
        } catch (NoRuleInForceException e) {
            throw new ApiException(422, e.getMessage());
        } catch (IllegalStateException e) {
            throw new ApiException(404, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        return standingJson(id, s);
    }

    /** The answer's fields: those of {@code stay-check --json} plus the status and the facts behind it. */
    static Map<String, Object> standingJson(String id, StayLookup.Standing s) {
        StayStatus e = s.engine();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("status", s.status().name());
        m.put("rule", e.rule().id());
        m.put("on", e.on().toString());
        m.put("windowStart", str(e.windowStart()));
        m.put("daysUsed", e.daysUsed());
        m.put("daysRemaining", e.daysRemaining());
        m.put("overstayDays", s.overstayDays());
        m.put("mustLeaveBy", str(e.mustLeaveBy()));
        m.put("present", e.present());
        m.put("exempt", e.exempt());
        m.put("stayEntry", str(e.stayEntry()));
        m.put("lastCrossing", s.lastCrossing().toString());
        m.put("whatIf", e.whatIf());
        return m;
    }

    private Reply forward(HostInfo owner, URI uri) {
        URI target = URI.create("http://" + owner.host() + ":" + owner.port() + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
        HttpResponse<String> r = get(target, owner);
        return new Reply(r.statusCode(), r.body().strip(), r.headers().firstValue(SERVED_BY_HEADER).orElse(address(owner)));
    }

    private HttpResponse<String> get(URI target, HostInfo owner) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target).timeout(REMOTE_TIMEOUT)
                .header(FORWARDED_HEADER, address(self)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unavailable("instance " + address(owner) + " did not answer ("
                    + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    // ---- /overstays -------------------------------------------------------------------------------

    private Reply overstays(HttpExchange exchange) {
        URI uri = exchange.getRequestURI();
        exactPath(uri, OVERSTAYS_PATH);
        Map<String, String> q = LookupRequests.query(uri.getRawQuery(), Set.of("on", "limit"));
        LocalDate on = LookupRequests.date("on", q.get("on"), today());
        int limit = LookupRequests.limit(q.get("limit"));
        Collection<StreamsMetadata> instances;
        try {
            instances = streams.streamsMetadataForStore(STORE);
        } catch (IllegalStateException | InvalidStateStoreException e) {
            throw unavailable("the stream app is not running (" + streams.state() + ")");
        }
        Set<Integer> expected = new TreeSet<>();
        for (StreamsMetadata md : instances) {
            for (TopicPartition tp : md.topicPartitions()) {
                if (tp.topic().equals(SOURCE_TOPIC)) {
                    expected.add(tp.partition());
                }
            }
        }
        if (expected.isEmpty()) {
            throw unavailable("no instance holds the stay store yet (rebalancing)");
        }
        LocalDate day = on;
        if (day == null) {
            // Phase one: "now" is the latest crossing in the state (about stream time), the same on every instance.
            day = latest(fanOut(instances, null, limit));
            if (day == null) {
                return new Reply(200, json(merge(null, limit, List.of())), address(self));
            }
        }
        List<ScanResult> parts = fanOut(instances, day, limit);
        checkCoverage(expected, parts);
        return new Reply(200, json(merge(day, limit, parts)), address(self));
    }

    private List<ScanResult> fanOut(Collection<StreamsMetadata> instances, LocalDate on, int limit) {
        List<ScanResult> out = new ArrayList<>();
        for (StreamsMetadata md : instances) {
            if (md.hostInfo().equals(self)) {
                out.add(localScan(on, limit));
                continue;
            }
            URI target = URI.create("http://" + md.host() + ":" + md.port() + SCAN_PATH + "?limit=" + limit
                    + (on == null ? "" : "&on=" + on));
            HttpResponse<String> r = get(target, md.hostInfo());
            if (r.statusCode() != 200) {
                throw unavailable("instance " + address(md.hostInfo()) + " answered " + r.statusCode() + ": "
                        + errorText(r.body()));
            }
            out.add(ScanResult.fromJson(r.body()));
        }
        return out;
    }

    private static void checkCoverage(Set<Integer> expected, List<ScanResult> parts) {
        List<Integer> seen = new ArrayList<>();
        parts.forEach(p -> seen.addAll(p.partitions()));
        if (seen.size() != new TreeSet<>(seen).size() || !new TreeSet<>(seen).equals(expected)) {
            throw unavailable("the instances' answers cover partitions " + new TreeSet<>(seen) + ", not " + expected
                    + " (rebalancing)");
        }
    }

    private static LocalDate latest(List<ScanResult> parts) {
        LocalDate latest = null;
        for (ScanResult p : parts) {
            if (p.latest() != null && (latest == null || p.latest().isAfter(latest))) {
                latest = p.latest();
            }
        }
        return latest;
    }

    // ---- /internal/stay/scan: this instance's part of /overstays ----------------------------------

    private Reply scan(HttpExchange exchange) {
        exactPath(exchange.getRequestURI(), SCAN_PATH);
        Map<String, String> q = LookupRequests.query(exchange.getRequestURI().getRawQuery(), Set.of("on", "limit"));
        LocalDate on = LookupRequests.date("on", q.get("on"), today());
        int limit = LookupRequests.limit(q.get("limit"));
        return new Reply(200, json(localScan(on, limit).toJson()), address(self));
    }

    /** The local stores' overstayers on {@code on} (only the latest crossing when {@code on} is null). */
    ScanResult localScan(LocalDate on, int limit) {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw unavailable("the stream app is " + streams.state());
        }
        Set<Integer> partitions = new TreeSet<>();
        for (ThreadMetadata t : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : t.activeTasks()) {
                for (TopicPartition tp : task.topicPartitions()) {
                    if (tp.topic().equals(SOURCE_TOPIC)) {
                        partitions.add(tp.partition());
                    }
                }
            }
        }
        LocalDate latest = null;
        long notJudged = 0;
        List<OverstayRow> rows = new ArrayList<>();
        try {
            for (int p : partitions) {
                ReadOnlyKeyValueStore<String, byte[]> store = streams.store(StoreQueryParameters
                        .fromNameAndType(STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()).withPartition(p));
                try (KeyValueIterator<String, byte[]> it = store.all()) {
                    while (it.hasNext()) {
                        KeyValue<String, byte[]> kv = it.next();
                        StayLookup.Traveller t = lookup.traveller(kv.value);
                        LocalDate last = t.lastCrossing().orElse(null);
                        if (last == null) {
                            continue;
                        }
                        if (latest == null || last.isAfter(latest)) {
                            latest = last;
                        }
                        if (on == null) {
                            continue;
                        }
                        if (last.isAfter(on)) {
                            notJudged++; // the state no longer holds what it was on that day
                            continue;
                        }
                        if (!t.present()) {
                            continue; // absent since the latest crossing: not overstaying later
                        }
                        OverstayRow row = overstay(kv.key, t, on);
                        if (row != null) {
                            rows.add(row);
                        }
                    }
                }
            }
        } catch (InvalidStateStoreException e) {
            throw unavailable("the stay store is being rebalanced or restored");
        }
        return new ScanResult(List.copyOf(partitions), latest, on, rows.size(), notJudged, top(rows, limit));
    }

    private static OverstayRow overstay(String id, StayLookup.Traveller t, LocalDate on) {
        StayLookup.Standing s;
        try {
            s = t.standing(on);
        } catch (IllegalArgumentException e) { // no rule governs the stay: no limit to break
            return null;
        }
        if (s.status() != StayState.OVERSTAY) {
            return null;
        }
        StayStatus e = s.engine();
        Long daysOver = e.mustLeaveBy() == null ? null : ChronoUnit.DAYS.between(e.mustLeaveBy(), on);
        return new OverstayRow(id, s.overstayDays(), daysOver, e.mustLeaveBy(), e.rule().id(), e.daysUsed());
    }

    // ---- scan results and merging -----------------------------------------------------------------

    /**
     * One overstayer.
     *
     * @param overstayDays days over the limit in the whole history (as on the stay-status topic)
     * @param daysOver     days since the must-leave-by day (the current overstay so far)
     */
    record OverstayRow(String id, int overstayDays, Long daysOver, LocalDate mustLeaveBy, String rule, int daysUsed) {
        static final Comparator<OverstayRow> ORDER = Comparator.comparingInt(OverstayRow::overstayDays).reversed()
                .thenComparing(OverstayRow::id);

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("overstayDays", overstayDays);
            m.put("daysOver", daysOver);
            m.put("mustLeaveBy", str(mustLeaveBy));
            m.put("rule", rule);
            m.put("daysUsed", daysUsed);
            return m;
        }

        static OverstayRow fromJson(JsonNode n) {
            return new OverstayRow(n.get("id").asText(), n.get("overstayDays").asInt(),
                    n.get("daysOver").isNull() ? null : n.get("daysOver").asLong(), date(n.get("mustLeaveBy")),
                    n.get("rule").asText(), n.get("daysUsed").asInt());
        }
    }

    /** One instance's part of /overstays: the partitions it scanned, its top rows and its totals. */
    record ScanResult(List<Integer> partitions, LocalDate latest, LocalDate on, long count, long notJudged,
                      List<OverstayRow> overstays) {
        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("partitions", partitions);
            m.put("latest", str(latest));
            m.put("on", str(on));
            m.put("count", count);
            m.put("notJudged", notJudged);
            m.put("overstays", overstays.stream().map(OverstayRow::toJson).toList());
            return m;
        }

        static ScanResult fromJson(String body) {
            JsonNode n;
            try {
                n = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw unavailable("another instance sent an unreadable answer");
            }
            List<Integer> partitions = new ArrayList<>();
            n.get("partitions").forEach(p -> partitions.add(p.asInt()));
            List<OverstayRow> rows = new ArrayList<>();
            n.get("overstays").forEach(r -> rows.add(OverstayRow.fromJson(r)));
            return new ScanResult(partitions, date(n.get("latest")), date(n.get("on")), n.get("count").asLong(),
                    n.get("notJudged").asLong(), rows);
        }
    }

    /** The /overstays answer from every instance's part: the top {@code limit} rows overall, and totals. */
    static Map<String, Object> merge(LocalDate on, int limit, List<ScanResult> parts) {
        List<OverstayRow> all = new ArrayList<>();
        long count = 0;
        long notJudged = 0;
        for (ScanResult p : parts) {
            all.addAll(p.overstays());
            count += p.count();
            notJudged += p.notJudged();
        }
        List<OverstayRow> top = top(all, limit);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("on", str(on));
        m.put("latestCrossing", str(latest(parts)));
        m.put("count", count);
        m.put("returned", top.size());
        m.put("limit", limit);
        m.put("notJudged", notJudged);
        m.put("overstays", top.stream().map(OverstayRow::toJson).toList());
        return m;
    }

    private static List<OverstayRow> top(List<OverstayRow> rows, int limit) {
        return rows.stream().sorted(OverstayRow.ORDER).limit(limit).toList();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Routes match by prefix; anything longer than the route's path is not a resource. */
    private static void exactPath(URI uri, String path) {
        if (!path.equals(uri.getRawPath())) {
            throw new ApiException(404, "no such resource: use " + path);
        }
    }

    private static String address(HostInfo h) {
        return h.host() + ":" + h.port();
    }

    private static ApiException unavailable(String why) {
        return new ApiException(503, why + RETRY);
    }

    static String error(String message) {
        return json(Map.of("error", message == null ? "error" : message.replaceAll("[\\r\\n]+", " ")));
    }

    private static String errorText(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n.has("error") ? n.get("error").asText() : "no message";
        } catch (JsonProcessingException e) {
            return "no message";
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private static String str(LocalDate d) {
        return d == null ? null : d.toString();
    }

    private static LocalDate date(JsonNode n) {
        return n == null || n.isNull() ? null : LocalDate.parse(n.asText());
    }
}
