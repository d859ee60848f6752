package io.borderflow.cli;

import io.borderflow.api.HttpHost;
import io.borderflow.api.StayApi;
import io.borderflow.app.Progression;
import io.borderflow.app.StreamApp;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaConnection;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.EventSource;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.replay.Pacer;
import io.borderflow.replay.Progress;
import io.borderflow.replay.Replay;
import io.borderflow.replay.ReplayStats;
import io.borderflow.replay.calibration.CalibrationReport;
import io.borderflow.replay.calibration.DailyTally;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioGenerator;
import io.borderflow.metrics.MetricsEndpoint;
import io.borderflow.view.BuiltInView;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.HashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The main job on the embedded default: start a Kafka broker, create the topics, start the",
                "stream app with its HTTP port (built-in view at /, /metrics, lookups), replay the September 2022",
                "surge, print the calibration against the published figures, then keep serving until Ctrl-C",
                "(or stop once everything is processed, with --exit-when-done)."})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Broker data directory, kept afterwards (default: a temporary one, deleted at the end).")
    Path dataDir;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Kafka Streams state (default: a temporary one, deleted at the end).")
    Path stateDir;

    @Option(names = "--exit-when-done",
            description = "Stop once the replay is processed and the view has read the results (for scripts and tests),"
                    + " instead of serving until Ctrl-C.")
    boolean exitWhenDone;

    @Option(names = "--timeout", defaultValue = "PT30M", paramLabel = "DURATION",
            description = "With --exit-when-done: give up if processing takes longer (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Mixin
    ScenarioOptions scenarioOptions;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        Pacer pacer = scenarioOptions.pacer();
        Scenario s = scenarioOptions.load();
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("borderflow-demo-");
        Map<String, String> demoDefaults = new LinkedHashMap<>();
        demoDefaults.put(BorderflowConfig.BROKER_DATA_DIR, dir.toString());
        BorderflowConfig config = configOptions.load(Map.of());
        if (!configOptions.overrides.containsKey(BorderflowConfig.BROKER_PORT)) {
            demoDefaults.put(BorderflowConfig.BROKER_PORT, "0");
        }
        config = config.with(demoDefaults);
        PrintStream out = System.out;
        Path state = stateDir != null ? stateDir : Files.createTempDirectory("borderflow-demo-state-");
        try {
            run(config, s, pacer, state, out);
        } finally {
            if (stateDir == null) {
                deleteRecursively(state);
            }
            if (dataDir == null) {
                deleteRecursively(dir);
            }
            closed.countDown();
        }
        return 0;
    }

    private void run(BorderflowConfig config, Scenario s, Pacer pacer, Path state, PrintStream out) throws Exception {
        try (KafkaConnection kafka = KafkaConnection.open(config)) {
            out.println((kafka.embedded() ? "embedded Kafka broker at " : "Kafka at ") + kafka.bootstrapServers()
                    + (kafka.embedded() ? " (data in " + config.brokerDataDir() + ")" : ""));
            ReplayCommand.prepareTopics(config, kafka, out);
            // Reference data first: the stream app's global table reads it fully before it starts.
            try (KafkaEventSink sink = new KafkaEventSink(kafka.producerProperties())) {
                ReplayCommand.publishCheckpoints(sink);
            }
            try (StreamApp app = StreamApp.start(config, kafka.bootstrapServers(), state, Duration.ofMinutes(2));
                 BuiltInView view = BuiltInView.start(app.http(), kafka.consumerProperties(), config.zone())) {
                printUrls(app.http(), out);
                replay(kafka, s, pacer, out);
                if (exitWhenDone) {
                    try (Admin admin = Admin.create(kafka.adminProperties())) {
                        Progression.awaitProcessed(admin, app.applicationId(), List.of(Topics.CROSSINGS.name(),
                                Topics.REGISTRATIONS.name(), Topics.IIN_APPLICATIONS.name()), timeout);
                        view.awaitCaughtUp(admin, Duration.ofMinutes(2));
                    }
                    out.println();
                    out.println("processed; the built-in view showed " + view.summary());
                    return;
                }
                out.println();
                out.printf("replay done; the stream app goes on processing and %s/ keeps serving. Ctrl-C stops.%n",
                        app.http().baseUri());
                // Ctrl-C: let this thread close the view, the app and the broker before the JVM goes.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stop.countDown();
                    try {
                        closed.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "demo-shutdown"));
                stop.await();
            }
        }
    }

    /** The addresses a person opens while the demo runs. */
    static void printUrls(HttpHost http, PrintStream out) {
        String base = http.baseUri().toString();
        out.printf("built-in view  %s/%n", base);
        out.printf("metrics        %s%s%n", base, MetricsEndpoint.PATH);
        out.printf("lookup API     %s%s{id}/stay  %s%s%s%n", base, StayApi.TRAVELLERS_PATH, base, StayApi.OVERSTAYS_PATH,
                http.tokenRequired() ? "  (bearer token required)" : "");
    }

    private void replay(KafkaConnection kafka, Scenario s, Pacer pacer, PrintStream out) throws Exception {
        out.printf("replaying %s: %s to %s, seed %d, speed %s%n", s.name(), s.start(), s.end(), s.seed(), pacer);
        DailyTally tally = new DailyTally(s.zone());
        Progress progress = new Progress(out, Progress.onTerminal(), scenarioOptions.quiet, s.zone(), s.start(), s.end());
        ReplayStats stats;
        try (EventSource source = new ScenarioGenerator(s, CheckpointCatalog.builtIn());
             KafkaEventSink sink = new KafkaEventSink(kafka.producerProperties())) {
            stats = Replay.run(source, sink, pacer, progress, tally);
        }
        out.println(stats.summary());
        out.println();
        out.println("records now on the topics:");
        endOffsets(kafka.adminProperties(), List.of(Topics.CROSSINGS.name(), Topics.REGISTRATIONS.name(),
                Topics.IIN_APPLICATIONS.name(), Topics.CHECKPOINTS.name()))
                .forEach((topic, n) -> out.printf("  %-28s %,12d%n", topic, n));
        out.println();
        out.println("calibration against the published figures (shared/domain.md, targets T1-T7):");
        out.print(CalibrationReport.of(tally).table());
    }

    /** Records per topic (sum of the partitions' end offsets). */
    static Map<String, Long> endOffsets(Properties adminProperties, List<String> topics) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Admin admin = Admin.create(adminProperties)) {
            Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames().get();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            described.forEach((name, d) -> d.partitions().forEach(
                    p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> offsets = admin.listOffsets(request).all().get();
            for (String topic : topics) {
                counts.put(topic, offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic))
                        .mapToLong(e -> e.getValue().offset()).sum());
            }
        }
        return counts;
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
