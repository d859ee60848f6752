package io.borderflow.bench;

import io.borderflow.api.HttpHost;
import io.borderflow.app.Progression;
import io.borderflow.app.StreamApp;
import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaConnection;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioLoader;
import io.borderflow.serde.AvroSerde;
import io.borderflow.stay.StayTopology;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One benchmark run: one embedded broker, one input generated once, then per repetition (warm-up first) raw
 * produce, raw exactly-once pass-through and the full borderflow app on fresh topics, then the latency phase.
 * See {@link #METHOD} for what each figure means.
 */
public final class Bench {
    static final Map<String, String> METHOD = methods();

    private final BorderflowConfig config;
    private final BenchSettings settings;
    private final PrintStream out;
    private final Path work;
    private KafkaConnection kafka;
    private Admin admin;
    private InputFile input;
    private Map<String, Integer> partitions;
    private List<String> inputNames;

    private final List<Double> produceRates = new ArrayList<>();
    private final List<Double> passThroughRates = new ArrayList<>();
    private final List<Double> borderflowRates = new ArrayList<>();
    private final List<Double> borderflowSeconds = new ArrayList<>();
    private long peakHeap;
    private long rssPeak;
    private boolean rssPeakReset = true;
    private long heapAfterGc;
    private long travellers;
    private long travellersApprox;
    private StateSize stateSize;
    private StateSize compactedSize;

    private Bench(BorderflowConfig config, BenchSettings settings, PrintStream out, Path work) {
        this.config = config;
        this.settings = settings;
        this.out = out;
        this.work = work;
    }

    /**
     * Runs the benchmark on an embedded broker in a temporary directory (removed afterwards).
     *
     * @param command the command line, for the record
     */
    public static BenchResult run(BorderflowConfig config, BenchSettings settings, List<String> command, PrintStream out)
            throws Exception {
        if (config.bootstrapServers().isPresent()) {
            throw new IllegalArgumentException("bench runs on its own embedded broker (it deletes and recreates topics):"
                    + " do not set bootstrap.servers");
        }
        Scenario scenario = ScenarioLoader.load(settings.scenario()).withRange(settings.from(), settings.to());
        if (settings.seed() != null) {
            scenario = scenario.withSeed(settings.seed());
        }
        scenario = scenario.withScale(settings.scale());
        Path work = Files.createTempDirectory("borderflow-bench-");
        Map<String, String> o = new LinkedHashMap<>();
        o.put(BorderflowConfig.BROKER_DATA_DIR, work.resolve("broker").toString());
        if (config.get(BorderflowConfig.BROKER_PORT).isEmpty() || "9092".equals(config.get(BorderflowConfig.BROKER_PORT).get())) {
            o.put(BorderflowConfig.BROKER_PORT, "0");
        }
        o.put(HttpHost.PORT, "0");
        Bench bench = new Bench(config.with(o), settings, out, work);
        try {
            return bench.run(scenario, command);
        } finally {
            deleteRecursively(work);
        }
    }

    private BenchResult run(Scenario scenario, List<String> command) throws Exception {
        String startedAt = Instant.now().toString();
        long t0 = System.nanoTime();
        partitions = new LinkedHashMap<>();
        InputFile.TOPICS.forEach(t -> partitions.put(t.name(), t.partitions(config)));
        inputNames = InputFile.TOPICS.stream().map(TopicSpec::name).toList();
        out.printf(Locale.ROOT, "generating %s %s to %s, scale %s, seed %d ...%n", scenario.name(), scenario.start(),
                scenario.end(), number(settings.scale()), scenario.seed());
        input = InputFile.generate(scenario, work.resolve("input.bin"), partitions, out);
        out.printf(Locale.ROOT, "input: %s (%,d records with watermarks, %,d bytes) in %.1f s%n",
                input.stats().summary().replaceAll(" in .*", ""), input.records(), input.bytes(), input.generationSeconds());
        try (KafkaConnection k = KafkaConnection.open(config); Admin a = Admin.create(k.adminProperties())) {
            kafka = k;
            admin = a;
            out.println("embedded Kafka broker at " + kafka.bootstrapServers());
            int total = settings.warmup() + settings.repetitions();
            for (int i = 1; i <= total; i++) {
                boolean measured = i > settings.warmup();
                String label = measured ? "r" + (i - settings.warmup()) : "w" + i;
                String name = measured ? "repetition " + (i - settings.warmup()) + "/" + settings.repetitions()
                        : "warm-up " + i + "/" + settings.warmup();
                double produce = rawProduce(label);
                double passThrough = passThrough(label);
                double[] borderflow = borderflow(label, measured, i == total);
                out.printf(Locale.ROOT, "%-16s raw produce %,10.0f events/s   pass-through %,10.0f events/s   "
                        + "borderflow %,10.0f events/s (%.1f s)%n", name, produce, passThrough, borderflow[0], borderflow[1]);
                if (measured) {
                    produceRates.add(produce);
                    passThroughRates.add(passThrough);
                    borderflowRates.add(borderflow[0]);
                    borderflowSeconds.add(borderflow[1]);
                }
            }
            BenchResult.Latency latency = settings.skipLatency() ? null : latency();
            deleteAllTopics();
            return result(startedAt, command, scenario, latency, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** The replay's producer (acks=all, idempotent, linger 20 ms, 256 KiB batches, lz4) sending the input alone. */
    private double rawProduce(String label) throws Exception {
        deleteAllTopics();
        List<String> names = createInputCopies("bench-produce-" + label);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            long start = Feeder.sendAll(input, producer, names);
            return input.events() / ((System.nanoTime() - start) / 1e9);
        }
    }

    private double passThrough(String label) throws Exception {
        deleteAllTopics();
        String prefix = "bench-passthrough-" + label;
        List<String> names = createInputCopies(prefix);
        String output = prefix + "-out";
        ensureTopics(List.of(new TopicSpec(output, 0, Map.of(), Crossing.class,
                "pass-through output: the input records unchanged")));
        int inputPartitions = partitions.values().stream().mapToInt(Integer::intValue).sum();
        try (PassThrough pt = new PassThrough(config, kafka.bootstrapServers(),
                StreamApp.properties(config, kafka.bootstrapServers(), work.resolve("unused")), prefix, names,
                inputPartitions, output, input.records())) {
            pt.start();
            pt.awaitReady(Duration.ofMinutes(2));
            KafkaProducer<byte[], byte[]> producer = producer();
            try {
                long start = Feeder.sendAll(input, producer, names);
                long end = pt.awaitDone(settings.timeout());
                if (pt.abortedByRebalance() > 0) {
                    out.printf(Locale.ROOT, "note: %s pass-through: %d transaction(s) aborted by a consumer group rebalance"
                            + " and their records copied again (counted in its time)%n", label, pt.abortedByRebalance());
                }
                return input.events() / ((end - start) / 1e9);
            } finally {
                producer.close();
            }
        }
    }

    /** Returns {events/s, seconds}. */
    private double[] borderflow(String label, boolean measured, boolean last) throws Exception {
        freshBorderflowTopics();
        String appId = "bench-borderflow-" + label;
        Path state = work.resolve("state-" + label);
        double seconds;
        try (StreamApp app = StreamApp.start(config.with(StreamApp.APPLICATION_ID, appId), kafka.bootstrapServers(),
                state, Duration.ofMinutes(2))) {
            boolean reset = Machine.resetPeaks();
            KafkaProducer<byte[], byte[]> producer = producer();
            try {
                long start = Feeder.sendAll(input, producer, inputNames);
                long end = Progression.awaitProcessed(admin, appId, inputNames, settings.timeout(), Duration.ofMillis(100));
                seconds = (end - start) / 1e9;
            } finally {
                producer.close();
            }
            if (measured) {
                peakHeap = Math.max(peakHeap, Machine.peakHeapBytes());
                rssPeak = Math.max(rssPeak, Machine.rssPeakBytes());
                rssPeakReset &= reset;
            }
            if (last) {
                heapAfterGc = Machine.heapAfterGcBytes();
                countTravellers(app);
            }
        }
        if (last) {
            stateSize = StateSize.of(state);
            FullCompaction.compactAll(state);
            compactedSize = StateSize.of(state);
        }
        deleteRecursively(state);
        return new double[] {input.events() / seconds, seconds};
    }

    private void countTravellers(StreamApp app) {
        ReadOnlyKeyValueStore<String, byte[]> store = app.streams().store(StoreQueryParameters.fromNameAndType(
                StayTopology.TRAVELLERS_STORE, QueryableStoreTypes.<String, byte[]>keyValueStore()));
        travellersApprox = store.approximateNumEntries();
        long n = 0;
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        travellers = n;
    }

    private BenchResult.Latency latency() throws Exception {
        freshBorderflowTopics();
        long events = (long) Math.ceil(settings.rate() * settings.latencyDuration().toMillis() / 1000.0);
        LatencyProbe probe = new LatencyProbe(input, events, settings.rate(), partitions);
        probe.plan(nationals(), settings.latencySamples());
        String appId = "bench-latency";
        Path state = work.resolve("state-latency");
        BenchResult.Latency result;
        try (StreamApp app = StreamApp.start(config.with(StreamApp.APPLICATION_ID, appId), kafka.bootstrapServers(),
                state, Duration.ofMinutes(2))) {
            LatencyProbe.OutputReader reader = probe.reader(kafka.consumerProperties());
            reader.start();
            long[] span;
            try (KafkaProducer<byte[], byte[]> producer = producer()) {
                span = probe.produce(producer);
            }
            Progression.awaitProcessed(admin, appId, inputNames, settings.timeout(), Duration.ofMillis(100));
            reader.finish(Duration.ofMinutes(2));
            double throughput = borderflowRates.isEmpty() ? Double.NaN
                    : BenchResult.Spread.of(borderflowRates).median();
            result = probe.result(span, throughput < settings.rate(), settings.latencySettle());
        }
        deleteRecursively(state);
        out.printf(Locale.ROOT, "latency at %,.0f events/s (achieved %,.0f, %,d events): net flow p50 %s p99 %s max %s ms"
                        + " (%d/%d); stay status p50 %s p99 %s max %s ms (%d/%d)%n",
                result.targetRate(), result.achievedRate(), result.events(),
                ms(result.netFlow().p50Ms()), ms(result.netFlow().p99Ms()), ms(result.netFlow().maxMs()),
                result.netFlow().matched(), result.netFlow().samples(),
                ms(result.stayStatus().p50Ms()), ms(result.stayStatus().p99Ms()), ms(result.stayStatus().maxMs()),
                result.stayStatus().matched(), result.stayStatus().samples());
        out.printf(Locale.ROOT, "after the first %.0f s: net flow p50 %s p99 %s max %s ms; stay status p50 %s p99 %s"
                        + " max %s ms%n", result.settleSeconds(), ms(result.netFlowSettled().p50Ms()),
                ms(result.netFlowSettled().p99Ms()), ms(result.netFlowSettled().maxMs()),
                ms(result.stayStatusSettled().p50Ms()), ms(result.stayStatusSettled().p99Ms()),
                ms(result.stayStatusSettled().maxMs()));
        out.println("latency by second of sending, max ms (net flow / stay status): " + result.timeline().stream()
                .map(t -> t.second() + ": " + ms(t.netFlow().maxMs()) + " / " + ms(t.stayStatus().maxMs()))
                .collect(Collectors.joining(", ")));
        if (result.rateAboveThroughput()) {
            out.printf(Locale.ROOT, "note: the rate is above borderflow's measured throughput, so these latencies include"
                    + " a backlog that grows while the input is produced%n");
        }
        return result;
    }

    private Set<String> nationals() {
        return Arrays.stream(config.get(StayTopology.NATIONALS).orElse("KZ").split(","))
                .map(s -> s.trim().toUpperCase(Locale.ROOT)).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(kafka.producerProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Copies of the input topics under a prefix: same partitions and configs. */
    private List<String> createInputCopies(String prefix) {
        List<TopicSpec> specs = InputFile.TOPICS.stream().map(t -> new TopicSpec(prefix + "-" + t.name(),
                t.partitions(config), t.configs(), t.valueType(), t.description())).toList();
        ensureTopics(specs);
        return specs.stream().map(TopicSpec::name).toList();
    }

    /**
     * Creates topics and waits for their leaders. Just after other topics were deleted, the broker takes a moment to
     * know the new ones, and Kafka's admin client logs each retry as an ERROR with a stack trace; those retries are
     * expected here, so that one logger is quiet meanwhile (a real failure still fails the call).
     */
    private void ensureTopics(List<TopicSpec> specs) {
        String noisy = "org.apache.kafka.clients.admin.internals.PartitionLeaderStrategy";
        Level before = LogManager.getLogger(noisy).getLevel();
        Configurator.setLevel(noisy, Level.OFF);
        try {
            TopicAdmin.ensureTopics(admin, specs, config);
        } finally {
            Configurator.setLevel(noisy, before);
        }
    }

    /** Every borderflow topic new and empty, the checkpoints reference data on its topic. */
    private void freshBorderflowTopics() throws Exception {
        deleteAllTopics();
        ensureTopics(Topics.ALL);
        AvroSerde<Checkpoint> serde = AvroSerde.of(Checkpoint.class);
        try (KafkaEventSink sink = new KafkaEventSink(kafka.producerProperties())) {
            for (Checkpoint c : CheckpointCatalog.builtIn().all()) {
                sink.send(Topics.CHECKPOINTS.name(), c.getId().getBytes(StandardCharsets.UTF_8), serde.encode(c), 0L);
            }
        }
    }

    /** Deletes every topic but Kafka's own and waits until they are gone, so names can be reused. */
    private void deleteAllTopics() throws Exception {
        Set<String> names = admin.listTopics().names().get().stream().filter(n -> !n.startsWith("__"))
                .collect(Collectors.toSet());
        if (names.isEmpty()) {
            return;
        }
        admin.deleteTopics(names).all().get();
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (admin.listTopics().names().get().stream().anyMatch(names::contains)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics were not deleted within a minute");
            }
            Thread.sleep(100);
        }
    }

    private BenchResult result(String startedAt, List<String> command, Scenario scenario, BenchResult.Latency latency,
                               double wallSeconds) throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("scenario", settings.scenario());
        s.put("from", scenario.start().toString());
        s.put("to", scenario.end().toString());
        s.put("seed", scenario.seed());
        s.put("scale", settings.scale());
        s.put("repetitions", settings.repetitions());
        s.put("warmup", settings.warmup());
        s.put("latencyRate", settings.rate());
        s.put("latencyDuration", settings.latencyDuration().toString());
        s.put("latencySamples", settings.latencySamples());
        s.put("latencySettle", settings.latencySettle().toString());
        s.put("skipLatency", settings.skipLatency());
        s.put("inputPartitions", partitions);
        Properties streams = StreamApp.properties(config, "127.0.0.1:9092", work);
        s.put("processingGuarantee", streams.getProperty(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        s.put("streamThreads", Integer.parseInt(streams.getProperty(StreamsConfig.NUM_STREAM_THREADS_CONFIG)));
        s.put("configOverrides", config.asMap().entrySet().stream()
                .filter(e -> recorded(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> b, java.util.TreeMap::new)));

        Map<String, Object> in = new LinkedHashMap<>();
        in.put("events", input.events());
        in.put("crossings", input.stats().crossings());
        in.put("registrations", input.stats().registrations());
        in.put("iinEvents", input.stats().iinApplications());
        in.put("records", input.records());
        in.put("fileBytes", input.bytes());
        in.put("generationSeconds", BenchResult.round(input.generationSeconds()));

        BenchResult.Spread bf = BenchResult.Spread.of(borderflowRates);
        BenchResult.Spread pt = BenchResult.Spread.of(passThroughRates);
        BenchResult.Throughput throughput = new BenchResult.Throughput(input.events(),
                BenchResult.Spread.of(produceRates), pt, bf, BenchResult.Spread.of(borderflowSeconds),
                Math.round(bf.median() / pt.median() * 1000) / 1000.0);
        BenchResult.Memory memory = new BenchResult.Memory(peakHeap, heapAfterGc, Runtime.getRuntime().maxMemory(),
                rssPeak, rssPeakReset ? "borderflow repetition" : "process");
        BenchResult.Compacted compacted = new BenchResult.Compacted(compactedSize.rocksDbBytes(),
                compactedSize.storeBytes(), perTraveller(compactedSize.rocksDbBytes()),
                perTraveller(compactedSize.storeBytes().get(StayTopology.TRAVELLERS_STORE)));
        BenchResult.State state = new BenchResult.State(stateSize.rocksDbBytes(), stateSize.totalBytes(),
                stateSize.storeBytes(), travellers, travellersApprox, perTraveller(stateSize.rocksDbBytes()),
                perTraveller(stateSize.storeBytes().get(StayTopology.TRAVELLERS_STORE)), compacted);
        return new BenchResult("borderflow bench", startedAt, command, Machine.describe(), Machine.jvm(), s, in,
                throughput, latency, memory, state, METHOD, BenchResult.round(wallSeconds));
    }

    private Double perTraveller(Long bytes) {
        return travellers == 0 || bytes == null ? null : BenchResult.round((double) bytes / travellers);
    }

    /** Settings that change the figures; never credentials (the file is meant to be shared). */
    static boolean recorded(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("password") || k.contains("secret") || k.contains("sasl") || k.contains("ssl")
                || k.startsWith("pseudonym")) {
            return false;
        }
        return Stream.of(StreamApp.STREAMS_PREFIX, BorderflowConfig.KAFKA_PREFIX, "flow.", "stay.", "alert", "topics.")
                .anyMatch(k::startsWith);
    }

    private static Map<String, String> methods() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("input", "The scenario is replayed once into a file (the exact records the replay sends: events, hourly "
                + "watermarks, end-of-input watermarks; Avro-encoded); every phase sends that file, so generation and "
                + "encoding are outside every timing. events/s counts events only (not watermark records).");
        m.put("rawProduce", "The replay's producer settings (acks=all, idempotent, linger 20 ms, 256 KiB batches, lz4) "
                + "sending the input to fresh copies of the input topics: from the first send to the end of flush().");
        m.put("rawPassThrough", "Consumer-producer loops with the stream app's exactly-once mechanics and nothing else, as "
                + "many as the app has stream threads (streamThreads), in one consumer group: each a read_committed "
                + "consumer and the app's producer configuration (transactions), every record written "
                + "unchanged to an output topic, input offsets committed in the transaction every commit interval "
                + "(100 ms, Streams' exactly-once default). It runs while the input is produced: from the first input "
                + "record produced to the last transaction committed.");
        m.put("borderflow", "The whole app (StreamApp.start, default config: net flows, stay compliance, alerts, "
                + "cohorts, metrics) on fresh topics, application id and state directory, running before the input "
                + "is produced: from the first input record produced until the app's committed offsets cover every "
                + "input and internal topic (Progression, polled every 100 ms; the end-of-input watermarks close "
                + "every window, so every output is committed). Ratio: median borderflow / median pass-through.");
        m.put("repetitions", "Each repetition runs the three phases in turn on fresh topics; warm-up repetitions run "
                + "first in the same JVM and are not counted. Median, min and max over the measured repetitions.");
        m.put("latency", LatencyProbe.METHOD);
        m.put("memory", "One JVM holds the broker, the producers and the app. Peak heap: the heap pools' peaks "
                + "(reset before each borderflow repetition), the highest over the measured ones. Heap after GC: after "
                + "a full collection at the end of the last repetition. RSS peak: VmHWM of /proc/self/status, reset "
                + "before each repetition where Linux allows (scope says which).");
        m.put("state", "After the last repetition: bytes of the files under the app's state directory once it has "
                + "closed (memtables flushed), in all, under RocksDB, and per store. Tracked travellers: entries of "
                + "the stay-travellers store counted by an interactive query (and RocksDB's estimate). Bytes per "
                + "tracked traveller: all RocksDB bytes, and the stay-travellers store's own bytes, over that count.");
        return m;
    }

    static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String ms(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
