package io.borderflow.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.kafka.KafkaConnection;
import io.borderflow.kafka.TopicAdmin;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One real broker for the class, on free ports in a temp dir; the restart test stops it and
 * starts it again on the same directory. The tests build on each other, hence the order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EmbeddedKafkaBrokerIT {
    /** 2022-03-01T00:00:00Z: far beyond any finite default retention. */
    private static final long T_2022 = Instant.parse("2022-03-01T00:00:00Z").toEpochMilli();
    private static final int RECORDS = 2_000;
    /** A topic with Kafka's default 7-day retention, to show that 2022 records would be deleted there. */
    private static final String CONTROL_TOPIC = "it.default-retention";
    /**
     * The broker checks retention every second from the start (defaults: every 5 min, first after
     * 30 s), so a deletion would show within the test.
     */
    private static final Map<String, String> FAST_RETENTION = Map.of(
            "log.retention.check.interval.ms", "1000",
            "log.initial.task.delay.ms", "0");

    private final BorderflowConfig config = BorderflowConfig.defaults();
    private Path dataDir;
    private EmbeddedKafkaBroker broker;
    private final List<Path> tempDirs = new ArrayList<>();

    @BeforeAll
    void startBroker() throws Exception {
        dataDir = tempDir("borderflow-it-");
        broker = EmbeddedKafkaBroker.start(dataDir, 0, 0, FAST_RETENTION);
        System.out.printf("[EmbeddedKafkaBrokerIT] broker %s started in %d ms%n",
                broker, broker.startupTime().toMillis());
        Thread.sleep(2000); // let startup work settle before measuring the idle heap
        System.out.printf("[EmbeddedKafkaBrokerIT] heap used after GC with the broker idle: %.1f MiB%n",
                usedHeapMiB());
    }

    @AfterAll
    void stopBroker() {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            tempDirs.forEach(EmbeddedKafkaBroker::deleteRecursively);
        }
    }

    @Test
    @Order(1)
    void listensOnLoopbackOnly() throws Exception {
        assertEquals("127.0.0.1:" + broker.port(), broker.bootstrapServers());
        assertTrue(broker.port() > 0 && broker.controllerPort() > 0 && broker.port() != broker.controllerPort());

        try (Admin admin = admin()) {
            List<Node> nodes = new ArrayList<>(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
            assertEquals(1, nodes.size());
            assertEquals("127.0.0.1", nodes.get(0).host(), "advertised host");
            assertEquals(broker.port(), nodes.get(0).port(), "advertised port");
            assertEquals(broker.clusterId(), admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
        }

        // The kernel's view: every listening socket on our ports is bound to 127.0.0.1.
        Map<Integer, Set<String>> listeners = ListeningSockets.read();
        if (!listeners.isEmpty()) {
            for (int port : List.of(broker.port(), broker.controllerPort())) {
                assertEquals(Set.of("127.0.0.1"), listeners.get(port), "bound addresses of port " + port);
            }
        }

        // And from outside loopback: connecting to a non-loopback address of this machine fails.
        List<InetAddress> external = nonLoopbackAddresses();
        System.out.println("[EmbeddedKafkaBrokerIT] non-loopback addresses checked: " + external);
        for (InetAddress address : external) {
            for (int port : List.of(broker.port(), broker.controllerPort())) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(address, port), 1000);
                    fail("port " + port + " accepts connections on " + address.getHostAddress());
                } catch (ConnectException | SocketTimeoutException expected) {
                    // refused (or filtered): not listening there
                }
            }
        }
    }

    @Test
    @Order(2)
    void createsTopicsWithTheirConfigs() throws Exception {
        try (Admin admin = admin()) {
            TopicAdmin.Result first = TopicAdmin.ensureTopics(admin, Topics.ALL, config);
            assertEquals(names(Topics.ALL), first.created());
            assertEquals(List.of(), first.existing());
            assertEquals(List.of(), first.warnings());

            Map<String, TopicDescription> described = admin.describeTopics(names(Topics.ALL))
                    .allTopicNames().get(30, TimeUnit.SECONDS);
            for (TopicSpec spec : Topics.ALL) {
                TopicDescription d = described.get(spec.name());
                assertEquals(spec.partitions(config), d.partitions().size(), spec.name() + " partitions");
                d.partitions().forEach(p -> assertEquals(1, p.replicas().size()));
            }
            assertEquals(4, described.get(Topics.CROSSINGS.name()).partitions().size());
            assertEquals(1, described.get(Topics.CHECKPOINTS.name()).partitions().size());

            Config crossings = topicConfig(admin, Topics.CROSSINGS.name());
            assertEquals("-1", crossings.get("retention.ms").value());
            assertEquals("delete", crossings.get("cleanup.policy").value());
            Config checkpoints = topicConfig(admin, Topics.CHECKPOINTS.name());
            assertEquals("compact", checkpoints.get("cleanup.policy").value());

            // Idempotent: the second run finds everything and has nothing to say.
            TopicAdmin.Result second = TopicAdmin.ensureTopics(admin, Topics.ALL, config);
            assertEquals(List.of(), second.created());
            assertEquals(names(Topics.ALL), second.existing());
            assertEquals(List.of(), second.warnings());

            // Drift is reported, not "fixed".
            TopicSpec wants8 = new TopicSpec(Topics.CROSSINGS.name(), 8, Map.of(), null, "drift");
            TopicAdmin.Result drift = TopicAdmin.ensureTopics(admin, List.of(wants8),
                    config.with(BorderflowConfig.TOPIC_RETENTION_MS, "86400000"));
            assertEquals(List.of(Topics.CROSSINGS.name()), drift.existing());
            assertEquals(2, drift.warnings().size(), drift.warnings().toString());
            assertTrue(drift.warnings().get(0).contains("has 4 partitions, the config wants 8"), drift.warnings().toString());
            assertTrue(drift.warnings().get(1).contains("retention.ms=-1, the config wants 86400000"),
                    drift.warnings().toString());
            assertEquals(4, admin.describeTopics(List.of(Topics.CROSSINGS.name())).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(Topics.CROSSINGS.name()).partitions().size());

            // A control topic with Kafka's default retention (7 days) for the next test.
            TopicAdmin.ensureTopics(admin, List.of(new TopicSpec(CONTROL_TOPIC, 1, Map.of(), null, "control")),
                    config.with(BorderflowConfig.TOPIC_RETENTION_MS, Long.toString(Duration.ofDays(7).toMillis())));
        }
    }

    @Test
    @Order(3)
    void keepsRecordsWith2022Timestamps() throws Exception {
        // The control topic deletes what it receives, and with it the state the broker keeps for an
        // idempotent producer; a plain producer writes there, so only retention is under test.
        Properties plain = producerProps();
        plain.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        plain.put(ProducerConfig.ACKS_CONFIG, "1");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps());
             KafkaProducer<byte[], byte[]> control = new KafkaProducer<>(plain)) {
            for (int i = 0; i < RECORDS; i++) {
                byte[] key = ("traveller-" + (i % 97)).getBytes(StandardCharsets.UTF_8);
                byte[] value = ("crossing " + i).getBytes(StandardCharsets.UTF_8);
                long ts = T_2022 + i * 60_000L;
                producer.send(new ProducerRecord<>(Topics.CROSSINGS.name(), null, ts, key, value));
                control.send(new ProducerRecord<>(CONTROL_TOPIC, null, ts, key, value));
            }
            producer.flush();
            control.flush();
        }

        try (Admin admin = admin()) {
            // Kafka deletes the control topic's 2022 records once its retention check runs...
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            TopicPartition control = new TopicPartition(CONTROL_TOPIC, 0);
            while (offsets(admin, List.of(control), OffsetSpec.earliest()).get(control) < RECORDS) {
                assertTrue(System.nanoTime() < deadline, "the 7-day control topic was never cleaned");
                Thread.sleep(250);
            }
            // ...while the crossings topic (retention.ms=-1) still has all of them after that check.
            Thread.sleep(1500);
            assertEquals(RECORDS, recordCount(admin, Topics.CROSSINGS.name()));
        }

        List<ConsumerRecord<byte[], byte[]>> read = readAll(Topics.CROSSINGS.name(), RECORDS);
        assertEquals(RECORDS, read.size());
        Set<String> values = read.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertEquals(RECORDS, values.size());
        assertTrue(read.stream().allMatch(r -> r.timestamp() >= T_2022 && r.timestamp() < T_2022 + RECORDS * 60_000L));
    }

    @Test
    @Order(4)
    void transactionsCommitAndAbortOnOneNode() throws Exception {
        Properties p = producerProps();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), bytes("k" + i), bytes("committed " + i)));
            }
            producer.commitTransaction();

            producer.beginTransaction();
            producer.send(new ProducerRecord<>(Topics.ALERTS.name(), bytes("k"), bytes("aborted")));
            producer.flush();
            producer.abortTransaction();
        }
        List<ConsumerRecord<byte[], byte[]>> read = readAll(Topics.ALERTS.name(), 10);
        assertEquals(10, read.size());
        assertTrue(read.stream().allMatch(r -> new String(r.value(), StandardCharsets.UTF_8).startsWith("committed")));
    }

    @Test
    @Order(5)
    void secondBrokerOnPortInUseFailsWithOneLine() throws Exception {
        ConfigException e = assertThrows(ConfigException.class,
                () -> EmbeddedKafkaBroker.start(tempDir("borderflow-it-busy-"), broker.port(), 0).close());
        assertEquals("broker: port " + broker.port() + " on 127.0.0.1 is in use", e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> EmbeddedKafkaBroker.start(tempDir("borderflow-it-busy-"), 0, broker.controllerPort()).close());
        assertEquals("broker: controller port " + broker.controllerPort() + " on 127.0.0.1 is in use", e.getMessage());

        e = assertThrows(ConfigException.class, () -> EmbeddedKafkaBroker.start(dataDir, 0, 0).close());
        assertEquals("broker: data directory " + dataDir.toRealPath() + " is in use by another broker", e.getMessage());

        Path file = Files.createTempFile("borderflow-it-", ".file");
        tempDirs.add(file);
        e = assertThrows(ConfigException.class, () -> EmbeddedKafkaBroker.start(file, 0, 0).close());
        assertEquals("broker: data directory " + file.toAbsolutePath() + " is not a directory", e.getMessage());

        Path notKafka = tempDir("borderflow-it-other-");
        Files.writeString(notKafka.resolve("notes.txt"), "not a broker");
        e = assertThrows(ConfigException.class, () -> EmbeddedKafkaBroker.start(notKafka, 0, 0).close());
        assertTrue(e.getMessage().contains("is not empty but holds no Kafka data"), e.getMessage());

        e = assertThrows(ConfigException.class,
                () -> EmbeddedKafkaBroker.start(tempDir("borderflow-it-"), 0, 0, Map.of("listeners", "PLAINTEXT://:9092")));
        assertEquals("broker: setting listeners cannot be overridden", e.getMessage());

        assertFalse(e.getMessage().contains("\n"));
        // The running broker is unaffected.
        try (Admin admin = admin()) {
            assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
        }
    }

    @Test
    @Order(6)
    void restartOnSameDataDirKeepsTopicsAndRecords() throws Exception {
        String clusterId = broker.clusterId();
        broker.close();
        broker.close(); // idempotent
        assertTrue(Files.exists(dataDir.resolve("meta.properties")), "data dir kept after close");

        long t0 = System.nanoTime();
        broker = EmbeddedKafkaBroker.start(dataDir, 0, 0, FAST_RETENTION);
        System.out.printf("[EmbeddedKafkaBrokerIT] restart on the same data dir took %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertEquals(clusterId, broker.clusterId());

        try (Admin admin = admin()) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertTrue(topics.containsAll(names(Topics.ALL)), topics.toString());
            assertEquals(clusterId, admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
            assertEquals("-1", topicConfig(admin, Topics.CROSSINGS.name()).get("retention.ms").value());

            TopicAdmin.Result again = TopicAdmin.ensureTopics(admin, Topics.ALL, config);
            assertEquals(List.of(), again.created());
            assertEquals(List.of(), again.warnings());
        }
        assertEquals(RECORDS, readAll(Topics.CROSSINGS.name(), RECORDS).size());
        assertEquals(10, readAll(Topics.ALERTS.name(), 10).size());
    }

    @Test
    @Order(7)
    void kafkaConnectionStartsAndStopsTheEmbeddedBroker() throws Exception {
        Path dir = tempDir("borderflow-it-conn-");
        BorderflowConfig cfg = BorderflowConfig.of(Map.of(
                BorderflowConfig.BROKER_DATA_DIR, dir.toString(),
                BorderflowConfig.BROKER_PORT, "0",
                "kafka.client.id", "it-client"));
        String bootstrap;
        try (KafkaConnection connection = KafkaConnection.open(cfg)) {
            assertTrue(connection.embedded());
            bootstrap = connection.bootstrapServers();
            assertTrue(bootstrap.startsWith("127.0.0.1:"), bootstrap);
            assertEquals("it-client", connection.clientProperties().get("client.id"));
            try (Admin admin = Admin.create(connection.adminProperties())) {
                assertNotNull(admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
            }
        }
        int port = Integer.parseInt(bootstrap.substring(bootstrap.indexOf(':') + 1));
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            fail("the embedded broker still listens after close");
        } catch (ConnectException expected) {
            // stopped
        }

        try (KafkaConnection external = KafkaConnection.open(cfg.with(BorderflowConfig.BOOTSTRAP_SERVERS,
                broker.bootstrapServers()))) {
            assertFalse(external.embedded());
            assertEquals(broker.bootstrapServers(), external.bootstrapServers());
        }
    }

    @Test
    @Order(8)
    void temporaryBrokerDeletesItsDirectory() throws Exception {
        Path dir;
        try (EmbeddedKafkaBroker temp = EmbeddedKafkaBroker.startTemporary()) {
            dir = temp.dataDir();
            assertTrue(Files.exists(dir.resolve("meta.properties")));
            try (Admin admin = Admin.create(KafkaClients.admin(config, temp.bootstrapServers()))) {
                assertEquals(temp.clusterId(), admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
            }
        }
        assertFalse(Files.exists(dir), dir + " still exists");
    }

    // ------------------------------------------------------------------ helpers

    private Admin admin() {
        return Admin.create(KafkaClients.admin(config, broker.bootstrapServers()));
    }

    private Properties producerProps() {
        return KafkaClients.producer(config, broker.bootstrapServers());
    }

    private Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        tempDirs.add(dir);
        return dir;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(List<TopicSpec> specs) {
        return specs.stream().map(TopicSpec::name).toList();
    }

    private static Config topicConfig(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
    }

    private static Map<TopicPartition, Long> offsets(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    private static long recordCount(Admin admin, String topic) throws Exception {
        int n = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().size();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        Map<TopicPartition, Long> earliest = offsets(admin, tps, OffsetSpec.earliest());
        Map<TopicPartition, Long> latest = offsets(admin, tps, OffsetSpec.latest());
        long count = 0;
        for (TopicPartition tp : tps) {
            count += latest.get(tp) - earliest.get(tp);
        }
        return count;
    }

    /** Reads a topic from the beginning (read_committed) until {@code expected} records or 30 s. */
    private List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                KafkaClients.consumer(config, broker.bootstrapServers()))) {
            List<TopicPartition> tps = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(pi -> new TopicPartition(pi.topic(), pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // Anything beyond the expected count would show up in a short extra poll.
            consumer.poll(Duration.ofMillis(300)).forEach(out::add);
        }
        return out;
    }

    private static double usedHeapMiB() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
    }

    private static List<InetAddress> nonLoopbackAddresses() throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (!a.isLoopbackAddress() && !a.isLinkLocalAddress() && a instanceof Inet4Address) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    /** Listening TCP sockets from /proc/net/tcp{,6} (Linux): port to the set of bound addresses. */
    static final class ListeningSockets {
        static Map<Integer, Set<String>> read() throws IOException {
            Map<Integer, Set<String>> out = new HashMap<>();
            for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path path = Path.of(file);
                if (!Files.isReadable(path)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(path);
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 4 || !"0A".equals(f[3])) { // 0A = LISTEN
                        continue;
                    }
                    String[] local = f[1].split(":");
                    int port = Integer.parseInt(local[1], 16);
                    out.computeIfAbsent(port, k -> new HashSet<>()).add(address(local[0]));
                }
            }
            return out;
        }

        /** /proc/net/tcp stores IPv4 addresses as little-endian hex; IPv6 as four little-endian words. */
        private static String address(String hex) {
            if (hex.length() == 8) {
                long v = Long.parseLong(hex, 16);
                return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
            }
            if ("00000000000000000000000000000000".equals(hex)) {
                return "::";
            }
            if (hex.startsWith("0000000000000000FFFF0000")) { // IPv4-mapped
                return address(hex.substring(24));
            }
            if ("00000000000000000000000001000000".equals(hex)) {
                return "::1";
            }
            return hex;
        }
    }
}
