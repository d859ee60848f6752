package io.borderflow.broker;

import io.borderflow.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node KRaft Kafka broker (combined broker + controller) running in this JVM.
 *
 * <p>Both listeners bind to 127.0.0.1 only. The data directory holds the log and the metadata
 * log; it is formatted on first use and reused (same cluster id, same topics and records) when
 * started again on the same directory. The quorum is static ({@code controller.quorum.voters},
 * kraft.version 0), so the controller port may change between restarts.
 *
 * <p>Startup problems surface as a {@link ConfigException} with a one-line message.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final int NODE_ID = 1;
    public static final String BROKER_LISTENER = "PLAINTEXT";
    public static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Default partition count for topics created without an explicit count. */
    public static final int DEFAULT_PARTITIONS = 4;

    private static final String META_PROPERTIES = "meta.properties";
    private static final Set<String> FIXED_KEYS = Set.of("node.id", "process.roles", "controller.quorum.voters",
            "controller.quorum.bootstrap.servers", "controller.listener.names", "listeners", "advertised.listeners",
            "listener.security.protocol.map", "inter.broker.listener.name", "log.dirs", "log.dir", "metadata.log.dir");
    private static final String LOCK_FILE = ".lock";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** Data directories (absolute, real paths) of the brokers started in this JVM and not yet closed. */
    private static final Set<Path> IN_USE = new HashSet<>();

    private final KafkaRaftServer server;
    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final String clusterId;
    private final boolean deleteOnClose;
    private final Duration startupTime;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaBroker(KafkaRaftServer server, Path dataDir, int port, int controllerPort,
                                String clusterId, boolean deleteOnClose, Duration startupTime) {
        this.server = server;
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.clusterId = clusterId;
        this.deleteOnClose = deleteOnClose;
        this.startupTime = startupTime;
    }

    /**
     * Starts a broker and blocks until a client can talk to it.
     *
     * @param dataDir        log + metadata directory; created if missing, formatted if not yet formatted
     * @param port           client port on 127.0.0.1, 0 = a free port
     * @param controllerPort KRaft controller port on 127.0.0.1, 0 = a free port
     * @throws ConfigException with a one-line message when the broker cannot start
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort) {
        return start(dataDir, port, controllerPort, Map.of());
    }

    /**
     * As {@link #start(Path, int, int)}, with extra broker settings on top of the defaults (e.g.
     * {@code log.retention.check.interval.ms} in tests). Settings that fix where and what the node
     * is (listeners, roles, node id, quorum, directories) cannot be overridden.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort,
                                            Map<String, String> brokerOverrides) {
        return start(dataDir, port, controllerPort, brokerOverrides, false);
    }

    /** A broker on free ports in a fresh temporary directory that is deleted on {@link #close()}. */
    public static EmbeddedKafkaBroker startTemporary() {
        Path dir;
        try {
            dir = Files.createTempDirectory("borderflow-kafka-");
        } catch (IOException e) {
            throw new ConfigException("broker: cannot create a temporary data directory: " + oneLine(e));
        }
        try {
            return start(dir, 0, 0, Map.of(), true);
        } catch (RuntimeException e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    private static EmbeddedKafkaBroker start(Path dataDir, int port, int controllerPort,
                                             Map<String, String> overrides, boolean deleteOnClose) {
        long t0 = System.nanoTime();
        overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
        for (String key : overrides.keySet()) {
            if (FIXED_KEYS.contains(key)) {
                throw new ConfigException("broker: setting " + key + " cannot be overridden");
            }
        }
        checkPort("port", port);
        checkPort("controller port", controllerPort);
        if (port != 0 && port == controllerPort) {
            throw new ConfigException("broker: port and controller port must differ, both are " + port);
        }
        Path dir = prepareDataDir(dataDir);
        claim(dir);
        try {
            return start(dir, port, controllerPort, overrides, deleteOnClose, t0);
        } catch (RuntimeException | Error e) {
            release(dir);
            throw e;
        }
    }

    private static EmbeddedKafkaBroker start(Path dir, int port, int controllerPort, Map<String, String> overrides,
                                             boolean deleteOnClose, long t0) {
        int[] ports = resolvePorts(port, controllerPort);
        String clusterId = formatIfNeeded(dir);
        ensureNotLockedByAnotherProcess(dir);

        KafkaConfig config;
        try {
            Properties props = brokerProperties(dir, ports[0], ports[1]);
            props.putAll(overrides);
            config = new KafkaConfig(props, false);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            throw new ConfigException("broker: invalid broker configuration: " + oneLine(e), e);
        }

        KafkaRaftServer server;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
        } catch (RuntimeException e) {
            throw startupFailure(dir, ports, e);
        }
        try {
            server.startup();
            awaitReady(ports[0]);
        } catch (RuntimeException e) {
            stopQuietly(server);
            throw startupFailure(dir, ports, e);
        }
        return new EmbeddedKafkaBroker(server, dir, ports[0], ports[1], clusterId, deleteOnClose,
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /** The broker configuration: single node, loopback only, settings exactly-once needs on one node. */
    static Properties brokerProperties(Path dir, int port, int controllerPort) {
        Map<String, Object> p = new TreeMap<>();
        p.put("node.id", NODE_ID);
        p.put("process.roles", "broker,controller");
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
        p.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", BROKER_LISTENER);
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());

        p.put("num.partitions", DEFAULT_PARTITIONS);
        p.put("default.replication.factor", 1);
        p.put("min.insync.replicas", 1);
        p.put("offsets.topic.replication.factor", 1);
        p.put("transaction.state.log.replication.factor", 1);
        p.put("transaction.state.log.min.isr", 1);
        p.put("share.coordinator.state.topic.replication.factor", 1);
        p.put("share.coordinator.state.topic.min.isr", 1);
        p.put("group.initial.rebalance.delay.ms", 0);
        p.put("auto.create.topics.enable", false);
        // The default 128 MiB dedupe buffer dominates the heap; 2 MiB is plenty for our compacted topics.
        p.put("log.cleaner.dedupe.buffer.size", 2 * 1024 * 1024);
        // Producer state expires by the age of the producer's last *record timestamp*: with 2022
        // event times every idempotent producer looks a year idle at the next check (every 10 min),
        // its state is dropped, and its next batch fails with OUT_OF_ORDER_SEQUENCE_NUMBER. Check
        // as rarely as the setting allows (about 24 days) so a replay never meets it.
        p.put("producer.id.expiration.check.interval.ms", Integer.MAX_VALUE);
        Properties props = new Properties();
        p.forEach((k, v) -> props.setProperty(k, String.valueOf(v)));
        return props;
    }

    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    public int controllerPort() {
        return controllerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public String clusterId() {
        return clusterId;
    }

    /** Wall time {@link #start} took, until a client could describe the cluster. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Clean shutdown; waits until the broker has stopped. Safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.shutdown();
            server.awaitShutdown();
        } finally {
            release(dataDir);
            if (deleteOnClose) {
                deleteRecursively(dataDir);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + bootstrapServers() + ", controller " + HOST + ":" + controllerPort
                + ", cluster " + clusterId + ", " + dataDir + "]";
    }

    // ---------------------------------------------------------------- startup steps

    private static void checkPort(String what, int port) {
        if (port < 0 || port > 65535) {
            throw new ConfigException("broker: " + what + " must be between 0 and 65535, got " + port);
        }
    }

    private static Path prepareDataDir(Path dataDir) {
        if (dataDir == null) {
            throw new ConfigException("broker: no data directory given");
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException("broker: data directory " + dir + " is not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw new ConfigException("broker: data directory " + dir + " cannot be created: "
                    + e.getFile() + " is not a directory");
        } catch (IOException e) {
            throw new ConfigException("broker: data directory " + dir + " cannot be created: " + oneLine(e));
        }
        // Files.isWritable says yes to root even on a read-only mount; a real write tells the truth.
        try {
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new ConfigException("broker: data directory " + dir + " is not writable: " + oneLine(e));
        }
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir;
        }
    }

    /** Refuses a data directory that a broker in this JVM already uses (before Kafka touches it). */
    private static void claim(Path dir) {
        synchronized (IN_USE) {
            if (!IN_USE.add(dir)) {
                throw new ConfigException(dirInUse(dir));
            }
        }
    }

    private static void release(Path dir) {
        synchronized (IN_USE) {
            IN_USE.remove(dir);
        }
    }

    private static String dirInUse(Path dir) {
        return "broker: data directory " + dir + " is in use by another broker";
    }

    /**
     * Kafka locks {@code .lock} in each log directory; a second broker on the same directory would
     * otherwise start its controller on the shared metadata log before failing. Only called when no
     * broker in this JVM uses the directory: closing this channel would drop this JVM's locks on it.
     */
    private static void ensureNotLockedByAnotherProcess(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new ConfigException(dirInUse(dir));
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw new ConfigException(dirInUse(dir));
        } catch (IOException e) {
            throw new ConfigException("broker: data directory " + dir + " cannot be locked: " + oneLine(e));
        }
    }

    /** Concrete ports for the broker and controller listeners; 0 picks a free port on 127.0.0.1. */
    private static int[] resolvePorts(int port, int controllerPort) {
        ServerSocket holdBroker = null;
        try {
            int broker = port;
            if (broker == 0) {
                holdBroker = bindLoopback(0);
                broker = holdBroker.getLocalPort();
            } else {
                ensureFree("port", broker);
            }
            int controller = controllerPort;
            if (controller == 0) {
                try (ServerSocket s = bindLoopback(0)) {
                    controller = s.getLocalPort();
                }
            } else {
                ensureFree("controller port", controller);
            }
            return new int[] {broker, controller};
        } catch (IOException e) {
            throw new ConfigException("broker: cannot find a free port on " + HOST + ": " + oneLine(e));
        } finally {
            closeQuietly(holdBroker);
        }
    }

    private static void ensureFree(String what, int port) {
        try {
            bindLoopback(port).close();
        } catch (IOException e) {
            throw new ConfigException(inUse(what, port));
        }
    }

    private static String inUse(String what, int port) {
        return "broker: " + what + " " + port + " on " + HOST + " is in use";
    }

    private static ServerSocket bindLoopback(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            // Kafka's acceptor sets SO_REUSEADDR too, so a TIME_WAIT left by a previous run is not "in use".
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Formats a fresh directory; returns the cluster id (the existing one if already formatted). */
    private static String formatIfNeeded(Path dir) {
        Path meta = dir.resolve(META_PROPERTIES);
        if (Files.exists(meta)) {
            Properties props = new Properties();
            try (InputStream in = Files.newInputStream(meta)) {
                props.load(in);
            } catch (IOException e) {
                throw new ConfigException("broker: cannot read " + meta + ": " + oneLine(e));
            }
            String clusterId = props.getProperty("cluster.id");
            String nodeId = props.getProperty("node.id");
            if (clusterId == null || clusterId.isBlank()) {
                throw new ConfigException("broker: " + meta + " has no cluster.id; delete " + dir + " to start afresh");
            }
            if (!String.valueOf(NODE_ID).equals(nodeId == null ? null : nodeId.trim())) {
                throw new ConfigException("broker: " + meta + " belongs to node " + nodeId + ", not node " + NODE_ID
                        + "; use another data directory");
            }
            return clusterId.trim();
        }
        if (!isEmpty(dir)) {
            throw new ConfigException("broker: data directory " + dir
                    + " is not empty but holds no Kafka data (no meta.properties); use an empty or new directory");
        }
        String clusterId = Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(java.io.OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    // Transactions v2 (KIP-890) refuses a non-zero sequence from a producer the
                    // partition has no state for. Kafka Streams purges repartition topics with
                    // DeleteRecords, which drops the state of a producer whose last batch was
                    // purged, so a caught-up exactly-once app fails its next write with
                    // OUT_OF_ORDER_SEQUENCE_NUMBER (seen here on 4.3.1). Version 1 handles it.
                    .setFeatureLevel("transaction.version", (short) 1)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new ConfigException("broker: cannot format data directory " + dir + ": " + oneLine(e), e);
        }
        return clusterId;
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new ConfigException("broker: cannot list data directory " + dir + ": " + oneLine(e));
        }
    }

    private static void awaitReady(int port) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(10_000))
                            .nodes().get(15, TimeUnit.SECONDS);
                    if (!nodes.isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    // not ready yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConfigException("broker: interrupted while waiting for the broker to start");
                }
                if (System.nanoTime() > deadline) {
                    throw new ConfigException("broker: not reachable on " + HOST + ":" + port + " after "
                            + READY_TIMEOUT.toSeconds() + " s");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConfigException("broker: interrupted while waiting for the broker to start");
                }
            }
        }
    }

    /** Turns whatever Kafka threw during startup into a one-line message. */
    static ConfigException startupFailure(Path dir, int[] ports, Throwable e) {
        if (e instanceof ConfigException ce) {
            return ce;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String msg = String.valueOf(t.getMessage());
            if (t instanceof BindException || msg.contains("failed to bind") || msg.contains("Address already in use")) {
                // Kafka says "Socket server failed to bind to 127.0.0.1:PORT: Address already in use."
                boolean controller = mentionsPort(msg, ports[1]) && !mentionsPort(msg, ports[0]);
                return new ConfigException(inUse(controller ? "controller port" : "port",
                        controller ? ports[1] : ports[0]), e);
            }
            if (t instanceof OverlappingFileLockException || msg.contains("Failed to acquire lock")
                    || msg.contains("in use by another process")) {
                return new ConfigException(dirInUse(dir), e);
            }
            if (t instanceof AccessDeniedException || t instanceof NoSuchFileException) {
                return new ConfigException("broker: data directory " + dir + " is not usable: " + oneLine(t), e);
            }
            if (t instanceof FileSystemException || t instanceof UncheckedIOException) {
                return new ConfigException("broker: I/O error in data directory " + dir + ": " + oneLine(t), e);
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new ConfigException("broker: failed to start on " + HOST + ":" + ports[0] + " with data directory "
                + dir + ": " + oneLine(root), e);
    }

    private static boolean mentionsPort(String msg, int port) {
        return java.util.regex.Pattern.compile(":" + port + "(?!\\d)").matcher(msg).find();
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException ignored) {
            // the startup failure is what matters
        }
    }

    private static void closeQuietly(ServerSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    private static String oneLine(Throwable t) {
        if (t instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (t instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (t instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = t.getClass().getSimpleName();
        }
        int nl = msg.indexOf('\n');
        return (nl >= 0 ? msg.substring(0, nl) : msg).trim();
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
