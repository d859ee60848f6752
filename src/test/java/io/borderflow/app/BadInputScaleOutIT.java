package io.borderflow.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.api.HttpHost;
import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.avro.StayState;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.cli.Main;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.deadletter.DeadLetters;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.metrics.MetricsEndpoint;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.EventJson;
import io.borderflow.replay.InvalidEventException;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.serde.AvroSerde;
import io.borderflow.stay.StayStatus;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input and scale-out in one run (one broker, one replay): two instances of the stream app (one application
 * id, separate state dirs, a standby replica of every task) share input topics of 6 partitions while a paced
 * replay of the built-in scenario runs; 30 kinds of bad records, written raw among the valid ones, go to the
 * dead-letter topic exactly once each; one instance leaves mid-replay and the other takes over. Afterwards the
 * survivor still runs on its first stream thread, every final net-flow window and last stay status equals the
 * oracles computed from the valid records alone, and its lookups answer as the rules engine does.
 */
class BadInputScaleOutIT {
    private static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String APP_ID = "borderflow-bad-input-it";
    private static final int PARTITIONS = 6;
    /** Event time of the bad records: the replay's first hour, so none moves stream time. */
    private static final Instant T0 = OffsetDateTime.parse("2022-09-20T01:00:00+06:00").toInstant();
    /** A value this large fits the input topic but not a dead letter wrapped around it. */
    private static final int NEAR_LIMIT = 1_048_400;

    @TempDir
    static Path dir;

    private static EmbeddedKafkaBroker broker;
    private static StreamApp leaving;
    private static StreamApp survivor;
    private static Path events;
    /** Every bad record written, with where Kafka put it. */
    private static final List<Bad> BAD = new ArrayList<>();
    private static final Map<String, Double> DEAD_LETTER_COUNTS_BEFORE = new HashMap<>();

    /** One bad input record: what it is, what the dead letter must say, and where it landed. */
    record Bad(String kind, String topic, byte[] key, byte[] value, long timestamp, String reason, String detailStart,
               RecordMetadata at) {
    }

    @BeforeAll
    static void run() throws Exception {
        long begin = System.nanoTime();
        events = dir.resolve("events.jsonl");
        assertEquals(0, Main.run("replay", "--scenario", "sept-2022-surge", "--from", "2022-09-20", "--to",
                "2022-09-21", "--quiet", "--to-file", events.toString()));
        broker = EmbeddedKafkaBroker.startTemporary();
        BorderflowConfig config = BorderflowConfig.of(Map.of(BorderflowConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers(),
                BorderflowConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS), StreamApp.APPLICATION_ID, APP_ID,
                HttpHost.PORT, "0", "streams.num.standby.replicas", "1",
                // A member that leaves without a word (not the case here) is noticed within 6 s.
                "streams.consumer.session.timeout.ms", "6000", "streams.consumer.heartbeat.interval.ms", "1500"));
        prepare(config);
        for (String reason : List.of("deserialization", "invalid", "empty", "processing", "production")) {
            DEAD_LETTER_COUNTS_BEFORE.put(reason, deadLetterCount(reason));
        }
        // Both instances start before any data: tasks and their standbys spread at once.
        leaving = StreamApp.start(config, broker.bootstrapServers(), dir.resolve("state-a"), Duration.ofMinutes(1));
        survivor = StreamApp.start(config, broker.bootstrapServers(), dir.resolve("state-b"), Duration.ofMinutes(1));
        phase("both instances run", begin);

        List<Bad> corpus = corpus();
        String bootstrap = broker.bootstrapServers();
        // 2 days of event time in about 14 s of wall time.
        CompletableFuture<Integer> replay = CompletableFuture.supplyAsync(() -> Main.run("replay", "--input",
                events.toString(), "--pseudonymised-ids", "--bootstrap-servers", bootstrap, "--set",
                BorderflowConfig.TOPIC_PARTITIONS + "=" + PARTITIONS, "--speed", "12000", "--quiet"));
        // The bad records trickle in over about 10 s, while one instance leaves and the other takes over.
        CompletableFuture<Void> badWriter = CompletableFuture.runAsync(() -> {
            try (KafkaProducer<byte[], byte[]> raw = rawProducer()) {
                Thread.sleep(1_000);
                write(raw, corpus, 330);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(4_000);
        int tasks = allActiveTasks();
        long closing = System.nanoTime();
        leaving.close(); // as on SIGTERM: commit, close, leave the group
        long closed = System.nanoTime();
        awaitAllTasksOn(survivor, tasks);
        long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
        System.out.printf("[BadInputScaleOutIT] one instance left mid-replay (its clean close took %d ms); the other ran"
                + " all %d active tasks %d ms after that%n", TimeUnit.NANOSECONDS.toMillis(closed - closing), tasks,
                takeoverMs);
        badWriter.get(2, TimeUnit.MINUTES);
        assertEquals(0, replay.get(5, TimeUnit.MINUTES), "the replay finishes");
        phase("replay done", begin);
        try (Admin admin = Admin.create(KafkaClients.admin(config, broker.bootstrapServers()))) {
            Progression.awaitProcessed(admin, APP_ID, List.of(Topics.CROSSINGS.name(), Topics.REGISTRATIONS.name(),
                    Topics.IIN_APPLICATIONS.name()), Duration.ofMinutes(4));
        }
        phase("everything processed", begin);
    }

    private static void phase(String what, long begin) {
        System.out.printf("[BadInputScaleOutIT] %s after %.1f s%n", what, (System.nanoTime() - begin) / 1e9);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {leaving, survivor, broker}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // close the rest
            }
        }
    }

    // ---- the checks -----------------------------------------------------------------------------

    @Test
    void theSurvivorRunsOnItsOriginalStreamThreads() {
        KafkaStreams streams = survivor.streams();
        assertEquals(KafkaStreams.State.RUNNING, streams.state());
        Set<ThreadMetadata> threads = streams.metadataForLocalThreads();
        assertFalse(threads.isEmpty());
        for (ThreadMetadata t : threads) {
            // Threads are numbered -StreamThread-1 to -N; a replaced one gets a number above N.
            int number = Integer.parseInt(t.threadName().substring(t.threadName().lastIndexOf('-') + 1));
            assertTrue(number <= threads.size(), "a stream thread was replaced: " + t.threadName());
        }
    }

    @Test
    void everyBadRecordIsInTheDeadLetterTopicExactlyOnce() {
        assertTrue(BAD.stream().map(Bad::kind).distinct().count() >= 20, "kinds of bad records: " + BAD.size());
        AvroSerde<DeadLetter> serde = AvroSerde.of(DeadLetter.class);
        Map<String, List<DeadLetter>> byOrigin = new HashMap<>();
        int duplicates = 0;
        for (ConsumerRecord<byte[], byte[]> r : TestKafka.readCommitted(broker.bootstrapServers(), Topics.DEAD_LETTERS.name())) {
            DeadLetter d = serde.decode(r.value());
            if (d.getReason().equals("DUPLICATE")) {
                duplicates++; // re-sent crossings of the scenario itself: counted once, kept here
                continue;
            }
            byOrigin.computeIfAbsent(origin(d.getSourceTopic(), d.getPartition(), d.getOffset()), k -> new ArrayList<>())
                    .add(d);
        }
        Map<String, Long> byReason = new TreeMap<>();
        for (Bad b : BAD) {
            List<DeadLetter> found = byOrigin.remove(origin(b.topic(), b.at().partition(), b.at().offset()));
            assertNotNull(found, b.kind() + ": no dead letter");
            assertEquals(1, found.size(), b.kind() + ": dead-lettered once, not " + found.size() + " times");
            DeadLetter d = found.get(0);
            assertEquals(b.reason(), d.getReason(), b.kind());
            assertTrue(d.getDetail().startsWith(b.detailStart()) || d.getDetail().contains(b.detailStart()),
                    b.kind() + ": " + d.getDetail());
            assertArrayEquals(b.key(), bytes(d.getKey()), b.kind() + ": the original key");
            if (b.value() != null && b.value().length >= NEAR_LIMIT) {
                assertNull(d.getValue(), b.kind());
                assertTrue(d.getDetail().contains("value (" + NEAR_LIMIT + " bytes) not copied, too large for a dead"
                        + " letter: the original is at "
                        + b.topic() + " partition " + b.at().partition() + " offset " + b.at().offset()), d.getDetail());
            } else {
                assertArrayEquals(b.value(), bytes(d.getValue()), b.kind() + ": the original bytes");
            }
            assertEquals(switch (b.reason()) {
                case DeadLetters.DESERIALIZATION -> SerializationException.class.getName();
                case DeadLetters.INVALID -> InvalidEventException.class.getName();
                default -> null;
            }, d.getErrorClass(), b.kind());
            assertEquals(b.timestamp(), d.getTime().toEpochMilli(), b.kind() + ": the record's time");
            byReason.merge(b.reason(), 1L, Long::sum);
        }
        assertTrue(byOrigin.isEmpty(), "dead letters of records that were not bad: " + byOrigin);
        System.out.printf("[BadInputScaleOutIT] %d bad records of %d kinds, each dead-lettered once: %s"
                + " (and %d re-sent duplicates of the scenario)%n", BAD.size(), BAD.stream().map(Bad::kind).distinct()
                .count(), byReason, duplicates);
    }

    @Test
    void deadLettersAreCountedByReason() {
        Map<String, Long> expected = BAD.stream().collect(Collectors.groupingBy(b -> b.reason().toLowerCase(),
                TreeMap::new, Collectors.counting()));
        Map<String, Double> counted = new TreeMap<>();
        for (String reason : expected.keySet()) {
            double delta = deadLetterCount(reason) - DEAD_LETTER_COUNTS_BEFORE.get(reason);
            counted.put(reason, delta);
            // Metrics are not transactional: a re-processed record may be counted again, never less.
            assertTrue(delta >= expected.get(reason), reason + ": counted " + delta + ", dead-lettered "
                    + expected.get(reason));
        }
        System.out.printf("[BadInputScaleOutIT] border_dead_letters_total by reason: %s%n", counted);
    }

    @Test
    void finalWindowsAndStayStatusesEqualTheOraclesOfTheValidRecords() throws Exception {
        List<SpecificRecord> valid = validEvents();
        List<Crossing> crossings = valid.stream().filter(e -> e instanceof Crossing).map(e -> (Crossing) e).toList();
        Map<String, long[]> expected = NetFlowOracle.compute(crossings, ALMATY);
        Map<String, long[]> actual = new TreeMap<>();
        AvroSerde<NetFlowWindow> windows = AvroSerde.of(NetFlowWindow.class);
        OutputJson out = new OutputJson(ALMATY);
        for (ConsumerRecord<byte[], byte[]> r : TestKafka.readCommitted(broker.bootstrapServers(), Topics.NET_FLOWS.name())) {
            NetFlowWindow w = windows.decode(r.value());
            JsonNode n = JSON.readTree(out.line(w));
            String key = n.get("window").asText() + "|" + n.get("windowStart").asText() + "|"
                    + n.get("dimension").asText() + "|" + n.get("key").asText();
            assertNull(actual.put(key, new long[] {w.getEntries(), w.getExits()}), "one final result per window: " + key);
        }
        assertEquals(expected.keySet(), actual.keySet());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            assertArrayEquals(e.getValue(), actual.get(e.getKey()), "entries and exits of " + e.getKey());
        }

        AvroSerde<io.borderflow.avro.StayStatus> statuses = AvroSerde.of(io.borderflow.avro.StayStatus.class);
        Map<String, JsonNode> last = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : TestKafka.readCommitted(broker.bootstrapServers(), Topics.STAY_STATUS.name())) {
            StayOracle.keepLatest(last, JSON.readTree(out.line(statuses.decode(r.value()))));
        }
        int judged = StayOracle.of(valid, ALMATY).assertLastStatuses(last);
        assertTrue(judged > 1_000, "travellers judged: " + judged);
        System.out.printf("[BadInputScaleOutIT] %,d final windows and %,d travellers' last statuses equal the oracles%n",
                actual.size(), judged);
    }

    @Test
    void theSurvivorAnswersLookupsAsTheEngineDoes() throws Exception {
        StayOracle oracle = StayOracle.of(validEvents(), ALMATY);
        List<Map.Entry<String, StayOracle.Traveller>> sample = new ArrayList<>(oracle.clean().entrySet());
        sample.removeIf(e -> e.getValue().engine(e.getValue().lastCrossing) == null);
        sample.sort(Map.Entry.comparingByKey());
        java.util.Collections.shuffle(sample, new Random(6));
        int asked = 0;
        for (Map.Entry<String, StayOracle.Traveller> e : sample.subList(0, 40)) {
            StayOracle.Traveller t = e.getValue();
            StayStatus expected = t.engine(t.lastCrossing);
            HttpResponse<String> r = lookup(survivor, "/travellers/" + e.getKey() + "/stay");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(survivor.http().advertisedAddress(),
                    r.headers().firstValue(io.borderflow.api.StayApi.SERVED_BY_HEADER).orElseThrow(),
                    "the survivor holds every traveller");
            JsonNode n = JSON.readTree(r.body());
            String what = t.stays + " " + t.permits + " -> " + n;
            StayState state = expected.exempt() ? StayState.EXEMPT : expected.overLimit() ? StayState.OVERSTAY
                    : expected.present() && expected.daysRemaining() <= 10 ? StayState.WARNING : StayState.COMPLIANT;
            assertEquals(t.lastCrossing.toString(), n.get("on").asText(), what);
            assertEquals(state.name(), n.get("status").asText(), what);
            assertEquals(expected.rule().id(), n.get("rule").asText(), what);
            assertEquals(expected.daysUsed(), n.get("daysUsed").asInt(), what);
            assertEquals(expected.daysRemaining(), n.get("daysRemaining").asInt(), what);
            assertEquals(expected.overstayDays(), n.get("overstayDays").asInt(), what);
            assertEquals(String.valueOf(expected.mustLeaveBy()), n.get("mustLeaveBy").asText("null"), what);
            assertEquals(expected.present(), n.get("present").asBoolean(), what);
            asked++;
        }
        System.out.printf("[BadInputScaleOutIT] %d lookups to the survivor equal the engine's answers%n", asked);
    }

    // ---- the bad records ------------------------------------------------------------------------

    private static List<Bad> corpus() {
        AvroSerde<Crossing> cs = AvroSerde.of(Crossing.class);
        AvroSerde<Registration> rs = AvroSerde.of(Registration.class);
        AvroSerde<IinApplication> is = AvroSerde.of(IinApplication.class);
        String c = Topics.CROSSINGS.name();
        String g = Topics.REGISTRATIONS.name();
        String i = Topics.IIN_APPLICATIONS.name();
        long t0 = T0.toEpochMilli();
        List<Bad> out = new ArrayList<>();
        byte[] good = cs.encode(crossing("bad-ev-0", "bad-t-0", "RU", "SYRYM", T0));
        // not decodable
        out.add(bad("json-not-avro", c, "{\"eventId\":\"x\",\"direction\":\"ENTRY\"}".getBytes(StandardCharsets.UTF_8),
                t0, DeadLetters.DESERIALIZATION, c + ": not Avro single-object encoding"));
        out.add(bad("zero-bytes", c, new byte[0], t0, DeadLetters.DESERIALIZATION, c + ": too short"));
        out.add(bad("tombstone", c, null, t0, DeadLetters.EMPTY, "a record with no value"));
        out.add(bad("truncated", c, Arrays.copyOf(good, good.length - 4), t0, DeadLetters.DESERIALIZATION,
                "body ends early"));
        out.add(bad("header-only", c, Arrays.copyOf(good, 10), t0, DeadLetters.DESERIALIZATION, "body ends early"));
        byte[] unknownSchema = good.clone();
        for (int k = 2; k < 10; k++) {
            unknownSchema[k] = (byte) (0x5A + k);
        }
        out.add(bad("unknown-fingerprint", c, unknownSchema, t0, DeadLetters.DESERIALIZATION, "unknown schema fingerprint"));
        out.add(bad("registration-on-crossings", c, rs.encode(registration("bad-t-1", LocalDate.of(2022, 9, 1),
                LocalDate.of(2022, 12, 1), T0)), t0, DeadLetters.DESERIALIZATION, "not a Crossing"));
        byte[] trailing = Arrays.copyOf(good, good.length + 3);
        out.add(bad("trailing-bytes", c, trailing, t0, DeadLetters.DESERIALIZATION, "bytes left after the record"));
        out.add(bad("unknown-direction", c, withByte(good, directionAt("bad-ev-0", "bad-t-0", "RU"), 0, 14), t0,
                DeadLetters.DESERIALIZATION, "Enumeration out of range"));
        out.add(bad("negative-length", c, withByte(good, 10, 2 * "bad-ev-0".length(), 1), t0,
                DeadLetters.DESERIALIZATION, "invalid data"));
        out.add(bad("near-limit-garbage", c, garbage(NEAR_LIMIT), t0, DeadLetters.DESERIALIZATION, "not Avro"));
        // decodable, impossible values
        Instant y1985 = Instant.parse("1985-06-01T00:00:00Z");
        Instant y2090 = Instant.parse("2090-01-01T00:00:00Z");
        out.add(bad("time-before-1990", c, cs.encode(crossing("bad-ev-1", "bad-t-2", "RU", "SYRYM", y1985)),
                y1985.toEpochMilli(), DeadLetters.INVALID, "field \"time\": 1985-06-01"));
        // Stamped T0 by its producer: Kafka 4 brokers refuse timestamps more than an hour ahead (SaneTimestampsTest
        // covers older brokers).
        out.add(bad("time-far-future", c, cs.encode(crossing("bad-ev-2", "bad-t-3", "RU", "SYRYM", y2090)),
                t0, DeadLetters.INVALID, "field \"time\": 2090-01-01"));
        out.add(bad("empty-event-id", c, cs.encode(crossing("", "bad-t-4", "RU", "SYRYM", T0)), t0, DeadLetters.INVALID,
                "field \"eventId\": missing or empty"));
        out.add(bad("empty-traveller-id", c, cs.encode(crossing("bad-ev-3", "", "RU", "SYRYM", T0)), t0,
                DeadLetters.INVALID, "field \"travellerId\": missing or empty"));
        out.add(bad("blank-traveller-id", c, cs.encode(crossing("bad-ev-4", "   ", "RU", "SYRYM", T0)), t0,
                DeadLetters.INVALID, "field \"travellerId\": missing or empty"));
        out.add(bad("citizenship-word", c, cs.encode(crossing("bad-ev-5", "bad-t-5", "russia", "SYRYM", T0)), t0,
                DeadLetters.INVALID, "field \"citizenship\": \"russia\" is not a 2-letter country code"));
        out.add(bad("citizenship-digit", c, cs.encode(crossing("bad-ev-6", "bad-t-6", "R1", "SYRYM", T0)), t0,
                DeadLetters.INVALID, "field \"citizenship\": \"R1\""));
        out.add(bad("empty-checkpoint", c, cs.encode(crossing("bad-ev-7", "bad-t-7", "RU", "", T0)), t0,
                DeadLetters.INVALID, "field \"checkpoint\": missing or empty"));
        out.add(bad("huge-checkpoint", c, cs.encode(crossing("bad-ev-8", "bad-t-8", "RU", "X".repeat(10_000), T0)), t0,
                DeadLetters.INVALID, "field \"checkpoint\": 10000 characters, at most 64"));
        out.add(bad("huge-traveller-id", c, cs.encode(crossing("bad-ev-9", "t".repeat(1_000), "RU", "SYRYM", T0)), t0,
                DeadLetters.INVALID, "field \"travellerId\": 1000 characters"));
        // registrations
        out.add(bad("permit-ends-before-it-starts", g, rs.encode(registration("bad-t-10", LocalDate.of(2022, 10, 1),
                LocalDate.of(2022, 9, 1), T0)), t0, DeadLetters.INVALID, "field \"validTo\": 2022-09-01 is before validFrom"));
        out.add(bad("registration-empty-traveller", g, rs.encode(registration("", LocalDate.of(2022, 9, 1),
                LocalDate.of(2022, 10, 1), T0)), t0, DeadLetters.INVALID, "field \"travellerId\": missing or empty"));
        out.add(bad("registration-not-avro", g, "garbage".getBytes(StandardCharsets.UTF_8), t0,
                DeadLetters.DESERIALIZATION, g + ": too short"));
        out.add(bad("permit-from-year-9999", g, rs.encode(registration("bad-t-11", LocalDate.of(9999, 1, 1), null, T0)),
                t0, DeadLetters.INVALID, "field \"validFrom\": 9999-01-01 is outside"));
        out.add(bad("registration-before-1990", g, rs.encode(registration("bad-t-12", LocalDate.of(1985, 1, 1),
                LocalDate.of(1985, 2, 1), y1985)), y1985.toEpochMilli(), DeadLetters.INVALID, "field \"time\": 1985"));
        // IIN applications
        byte[] iin = is.encode(new IinApplication("bad-ev-20", "bad-t-20", "RU", null, IinStage.APPLIED, T0));
        out.add(bad("iin-citizenship-number", i, is.encode(new IinApplication("bad-ev-21", "bad-t-21", "123", null,
                IinStage.APPLIED, T0)), t0, DeadLetters.INVALID, "field \"citizenship\": \"123\""));
        out.add(bad("iin-truncated", i, Arrays.copyOf(iin, iin.length - 2), t0, DeadLetters.DESERIALIZATION,
                "body ends early"));
        out.add(bad("iin-tombstone", i, null, t0, DeadLetters.EMPTY, "a record with no value"));
        int stageAt = 10 + 1 + "bad-ev-20".length() + 1 + "bad-t-20".length() + 1 + "RU".length() + 1;
        out.add(bad("iin-unknown-stage", i, withByte(iin, stageAt, 0, 10), t0, DeadLetters.DESERIALIZATION,
                "Enumeration out of range"));
        // An internal topic written by something else than the app: the typed source's deserialization handler.
        out.add(bad("corrupt-internal-record", APP_ID + "-flow-by-dimension-repartition",
                "<not a FlowDelta>".getBytes(StandardCharsets.UTF_8), t0, DeadLetters.DESERIALIZATION,
                "SerializationException"));
        return out;
    }

    private static Bad bad(String kind, String topic, byte[] value, long timestamp, String reason, String detail) {
        return new Bad(kind, topic, ("bad-" + kind).getBytes(StandardCharsets.UTF_8), value, timestamp, reason, detail,
                null);
    }

    private static Crossing crossing(String eventId, String travellerId, String citizenship, String checkpoint,
                                     Instant time) {
        return new Crossing(eventId, travellerId, citizenship, Direction.ENTRY, checkpoint, null, Mode.ROAD, time);
    }

    private static Registration registration(String travellerId, LocalDate from, LocalDate to, Instant time) {
        return new Registration("bad-reg-" + travellerId.length() + "-" + from, travellerId,
                RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, from, to, null, time);
    }

    /** Where a crossing's direction (an enum index, one byte) sits, after the header and three short strings. */
    private static int directionAt(String eventId, String travellerId, String citizenship) {
        return 10 + 1 + eventId.length() + 1 + 1 + travellerId.length() + 1 + citizenship.length();
    }

    /** A copy with the byte at {@code at} changed from {@code was} (checked) to {@code now}. */
    private static byte[] withByte(byte[] bytes, int at, int was, int now) {
        assertEquals(was, bytes[at], "the byte to corrupt at " + at);
        byte[] copy = bytes.clone();
        copy[at] = (byte) now;
        return copy;
    }

    private static byte[] garbage(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        b[0] = '<';
        return b;
    }

    private static void write(KafkaProducer<byte[], byte[]> producer, List<Bad> bad, long pauseMs) throws Exception {
        for (Bad b : bad) {
            RecordMetadata at = producer.send(new ProducerRecord<>(b.topic(), null, b.timestamp(), b.key(), b.value()))
                    .get(30, TimeUnit.SECONDS);
            synchronized (BAD) {
                BAD.add(new Bad(b.kind(), b.topic(), b.key(), b.value(), b.timestamp(), b.reason(), b.detailStart(), at));
            }
            Thread.sleep(pauseMs);
        }
    }

    private static KafkaProducer<byte[], byte[]> rawProducer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static void prepare(BorderflowConfig config) throws Exception {
        try (Admin admin = Admin.create(KafkaClients.admin(config, broker.bootstrapServers()))) {
            TopicAdmin.ensureTopics(admin, Topics.ALL, config);
        }
        try (KafkaEventSink sink = new KafkaEventSink(KafkaClients.producer(config, broker.bootstrapServers()))) {
            AvroSerde<Checkpoint> serde = AvroSerde.of(Checkpoint.class);
            for (Checkpoint cp : CheckpointCatalog.builtIn().all()) {
                sink.send(Topics.CHECKPOINTS.name(), cp.getId().getBytes(StandardCharsets.UTF_8), serde.encode(cp), 0L);
            }
        }
    }

    private static int activeTasks(StreamApp app) {
        return app.streams().metadataForLocalThreads().stream().mapToInt(t -> t.activeTasks().size()).sum();
    }

    /** Every active task of the app, once both instances run and have kept the same split for a moment. */
    private static int allActiveTasks() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        String previous = null;
        int same = 0;
        while (System.nanoTime() < deadline) {
            boolean running = leaving.streams().state() == KafkaStreams.State.RUNNING
                    && survivor.streams().state() == KafkaStreams.State.RUNNING;
            String split = activeTasks(leaving) + "+" + activeTasks(survivor);
            same = running && split.equals(previous) ? same + 1 : 0;
            previous = split;
            if (same >= 3 && activeTasks(leaving) > 0 && activeTasks(survivor) > 0) {
                return activeTasks(leaving) + activeTasks(survivor);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the two instances did not share the tasks: " + previous);
    }

    /** Until {@code app} runs all {@code tasks} active tasks itself. */
    private static void awaitAllTasksOn(StreamApp app, int tasks) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            if (app.streams().state() == KafkaStreams.State.RUNNING && activeTasks(app) == tasks) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the remaining instance did not take over every task: " + activeTasks(app) + " of "
                + tasks);
    }

    private static double deadLetterCount(String reason) {
        return MetricsEndpoint.prometheus().find("border.dead.letters").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static String origin(String topic, int partition, long offset) {
        return topic + "|" + partition + "|" + offset;
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static List<SpecificRecord> validEvents() throws Exception {
        EventJson json = new EventJson(ALMATY);
        List<SpecificRecord> out = new ArrayList<>();
        for (String line : Files.readAllLines(events)) {
            out.add(json.parseOrThrow(line));
        }
        return out;
    }

    private static HttpResponse<String> lookup(StreamApp app, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.http().baseUri() + path)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 503 || System.nanoTime() > deadline) {
                return r;
            }
            Thread.sleep(200);
        }
    }
}
