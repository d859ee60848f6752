package io.borderflow.cli;

import io.borderflow.api.HttpHost;
import io.borderflow.app.OutputJson;
import io.borderflow.app.Progression;
import io.borderflow.app.StreamApp;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaConnection;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.EventSource;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.replay.Pacer;
import io.borderflow.replay.Progress;
import io.borderflow.replay.Replay;
import io.borderflow.replay.ReplayStats;
import io.borderflow.replay.UserSources;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioGenerator;
import io.borderflow.serde.AvroSerde;
import java.io.BufferedWriter;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Batch replay for analysts and for checking: start an embedded broker in a temporary",
                "directory, replay a file or scenario as fast as possible, run every topology until all input",
                "is processed and every window has closed, and write each output topic to OUTPUT-DIR/<topic>.jsonl."})
public final class RunCommand implements Callable<Integer> {
    /** The outputs written, in this order. */
    static final List<TopicSpec> OUTPUTS = List.of(Topics.NET_FLOWS, Topics.NET_FLOW_CORRECTIONS, Topics.ALERTS,
            Topics.STAY_STATUS, Topics.COHORTS,
            Topics.DAILY_COUNTS, Topics.PRESENT_STOCK, Topics.LATE_EVENTS, Topics.DEAD_LETTERS, Topics.DATA_QUALITY);

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    ScenarioOptions scenarioOptions;

    @Mixin
    InputOptions inputOptions;

    @Option(names = "--output-dir", required = true, paramLabel = "DIR", description = "Where the output topics are written.")
    Path outputDir;

    @Option(names = "--timeout", defaultValue = "PT30M", paramLabel = "DURATION",
            description = "Give up if processing takes longer (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        BorderflowConfig config = configOptions.load(Map.of());
        PrintStream out = System.out;
        Clock clock = Clock.systemUTC();
        UnaryOperator<String> ids = null;
        UserSources.Format fmt = null;
        if (inputOptions.given()) {
            if (scenarioOptions.rangeOrSeedGiven()) {
                throw new IllegalArgumentException("--from, --to and --seed apply to scenarios, not to --input");
            }
            fmt = inputOptions.format();
            ids = inputOptions.ids(config);
            if (!ReplayCommand.checkUserInput(inputOptions.input, fmt, ids, config.zone(), clock, null)) {
                return Main.EXIT_FAILURE;
            }
        }
        Files.createDirectories(outputDir);
        Path work = Files.createTempDirectory("borderflow-run-");
        try {
            Map<String, String> o = new LinkedHashMap<>();
            o.put(BorderflowConfig.BROKER_DATA_DIR, work.resolve("broker").toString());
            if (!configOptions.overrides.containsKey(BorderflowConfig.BROKER_PORT)) {
                o.put(BorderflowConfig.BROKER_PORT, "0");
            }
            if (config.get(HttpHost.PORT).isEmpty()) {
                o.put(HttpHost.PORT, "0"); // a batch run must not collide with a running 'stream' on 8088
            }
            config = config.with(o);
            return run(config, fmt, ids, clock, work, out);
        } finally {
            DemoCommand.deleteRecursively(work);
        }
    }

    private int run(BorderflowConfig config, UserSources.Format fmt, UnaryOperator<String> ids, Clock clock, Path work,
                    PrintStream out) throws Exception {
        try (KafkaConnection kafka = KafkaConnection.open(config)) {
            out.println((kafka.embedded() ? "embedded Kafka broker at " : "Kafka at ") + kafka.bootstrapServers());
            ReplayCommand.prepareTopics(config, kafka, out);
            // Reference data first: the stream app's global table reads it fully before it starts.
            try (KafkaEventSink sink = new KafkaEventSink(kafka.producerProperties())) {
                ReplayCommand.publishCheckpoints(sink);
            }
            long started = System.nanoTime();
            ReplayStats stats;
            try (StreamApp app = StreamApp.start(config, kafka.bootstrapServers(), work.resolve("state"), Duration.ofMinutes(2))) {
                long replayStart = System.nanoTime();
                try (EventSource source = source(fmt, ids, config, clock);
                     KafkaEventSink sink = new KafkaEventSink(kafka.producerProperties())) {
                    Progress progress = new Progress(out, Progress.onTerminal(), scenarioOptions.quiet, config.zone(), null, null);
                    stats = Replay.run(source, sink, Pacer.MAX, progress, e -> { });
                }
                out.println("replayed " + stats.summary());
                try (Admin admin = Admin.create(kafka.adminProperties())) {
                    Progression.awaitProcessed(admin, app.applicationId(), List.of(Topics.CROSSINGS.name(),
                            Topics.REGISTRATIONS.name(), Topics.IIN_APPLICATIONS.name()), timeout);
                }
                double seconds = (System.nanoTime() - replayStart) / 1e9;
                out.printf("processed in %.1f s from the first input record: %,.0f events/s end to end%n", seconds,
                        stats.events() / seconds);
            }
            Map<String, Long> written = dump(config, kafka.consumerProperties());
            out.println();
            out.println("written to " + outputDir + ":");
            written.forEach((topic, n) -> out.printf("  %-36s %,10d%n", topic + ".jsonl", n));
            summariseAlerts(out);
            out.printf("%nheap: %s; total %.1f s%n", heap(), (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    private EventSource source(UserSources.Format fmt, UnaryOperator<String> ids, BorderflowConfig config, Clock clock) {
        if (inputOptions.given()) {
            return UserSources.open(inputOptions.input, fmt, r -> {
                throw new IllegalStateException(r.describe() + " (the input changed during the run)");
            }, ids, config.zone(), clock);
        }
        Scenario s = scenarioOptions.load();
        return new ScenarioGenerator(s, CheckpointCatalog.builtIn());
    }

    private Map<String, Long> dump(BorderflowConfig config, Properties consumerProperties) throws Exception {
        OutputJson json = new OutputJson(config.zone());
        Map<String, Long> counts = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (TopicSpec spec : OUTPUTS) {
                List<String> lines = new ArrayList<>();
                @SuppressWarnings({"unchecked", "rawtypes"})
                AvroSerde<SpecificRecord> serde = (AvroSerde) AvroSerde.of(spec.valueType());
                // A compacted topic (e.g. cohorts, re-sent as they age) is read as compaction leaves it: the
                // latest row per key. A key lives in one partition, read in offset order.
                boolean latestOnly = "compact".equals(spec.configs().get("cleanup.policy"));
                Map<java.nio.ByteBuffer, String> latest = new LinkedHashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : readAll(consumer, spec.name())) {
                    if (latestOnly && r.key() != null) {
                        java.nio.ByteBuffer key = java.nio.ByteBuffer.wrap(r.key());
                        if (r.value() == null) {
                            latest.remove(key);
                        } else {
                            latest.put(key, json.line(serde.deserialize(r.topic(), r.value())));
                        }
                    } else if (r.value() != null) {
                        lines.add(json.line(serde.deserialize(r.topic(), r.value())));
                    }
                }
                lines.addAll(latest.values());
                // Partitions interleave arbitrarily; sorted lines make runs comparable.
                lines.sort(null);
                try (BufferedWriter w = Files.newBufferedWriter(outputDir.resolve(spec.name() + ".jsonl"),
                        StandardCharsets.UTF_8)) {
                    for (String line : lines) {
                        w.write(line);
                        w.newLine();
                    }
                }
                counts.put(spec.name(), (long) lines.size());
            }
        }
        return counts;
    }

    static List<ConsumerRecord<byte[], byte[]>> readAll(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    private void summariseAlerts(PrintStream out) throws Exception {
        Path alerts = outputDir.resolve(Topics.ALERTS.name() + ".jsonl");
        List<String> raised = Files.readAllLines(alerts).stream().filter(l -> l.contains("\"state\":\"RAISED\"")).toList();
        out.printf("%nalerts raised: %d%n", raised.size());
        raised.stream().limit(12).forEach(l -> out.println("  " + l));
        if (raised.size() > 12) {
            out.printf("  ... and %d more in %s%n", raised.size() - 12, alerts);
        }
    }

    static String heap() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        long max = Runtime.getRuntime().maxMemory();
        return String.format("peak %.0f MiB used of %.0f MiB max", peak / 1048576.0, max / 1048576.0);
    }
}
