package io.borderflow.cli;

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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
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
        description = {"The main job on the embedded default: start a Kafka broker, create the topics,",
                "replay the September 2022 surge and print the calibration against the published figures."})
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Broker data directory, kept afterwards (default: a temporary one, deleted at the end).")
    Path dataDir;

    @Mixin
    ScenarioOptions scenarioOptions;

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
        try {
            run(config, s, pacer, out);
        } finally {
            if (dataDir == null) {
                deleteRecursively(dir);
            }
        }
        return 0;
    }

    private void run(BorderflowConfig config, Scenario s, Pacer pacer, PrintStream out) throws Exception {
        try (KafkaConnection kafka = KafkaConnection.open(config)) {
            out.println((kafka.embedded() ? "embedded Kafka broker at " : "Kafka at ") + kafka.bootstrapServers()
                    + (kafka.embedded() ? " (data in " + config.brokerDataDir() + ")" : ""));
            ReplayCommand.prepareTopics(config, kafka, out);
            out.printf("replaying %s: %s to %s, seed %d, speed %s%n", s.name(), s.start(), s.end(), s.seed(), pacer);
            DailyTally tally = new DailyTally(s.zone());
            Progress progress = new Progress(out, Progress.onTerminal(), scenarioOptions.quiet, s.zone(), s.start(), s.end());
            ReplayStats stats;
            try (EventSource source = new ScenarioGenerator(s, CheckpointCatalog.builtIn());
                 KafkaEventSink sink = new KafkaEventSink(kafka.producerProperties())) {
                ReplayCommand.publishCheckpoints(sink);
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
