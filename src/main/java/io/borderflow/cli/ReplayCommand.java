package io.borderflow.cli;

import io.borderflow.avro.Checkpoint;
import io.borderflow.api.HttpHost;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaConnection;
import io.borderflow.kafka.TopicAdmin;
import io.borderflow.metrics.MetricsEndpoint;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.EventSink;
import io.borderflow.replay.EventSource;
import io.borderflow.replay.FileEventSink;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.replay.Pacer;
import io.borderflow.replay.Progress;
import io.borderflow.replay.Reject;
import io.borderflow.replay.Replay;
import io.borderflow.replay.ReplayStats;
import io.borderflow.replay.UserSources;
import io.borderflow.replay.calibration.CalibrationReport;
import io.borderflow.replay.calibration.DailyTally;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioGenerator;
import io.borderflow.serde.AvroSerde;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Put crossings, registrations and IIN events onto Kafka (or into a file):",
                "from a built-in scenario, a scenario file, or your own JSON-lines/CSV data."})
public final class ReplayCommand implements Callable<Integer> {
    private static final int REJECTS_SHOWN = 20;
    public static final String HTTP_PORT = "replay.http.port";
    public static final int DEFAULT_HTTP_PORT = 8089;

    @Mixin
    ConfigOptions configOptions;

    @Mixin
    ScenarioOptions scenarioOptions;

    @Mixin
    InputOptions inputOptions;

    @Option(names = "--to-file", paramLabel = "FILE.jsonl", description = "Write the events to a JSON-lines file instead of Kafka.")
    Path toFile;

    @Option(names = "--report", description = "Print the calibration table (published figures vs replayed) at the end.")
    boolean report;

    @Option(names = "--skip-bad", description = "Send bad input records to the rejects file and go on (default: stop before producing anything).")
    boolean skipBad;

    @Option(names = "--rejects", paramLabel = "FILE", description = "Where --skip-bad writes rejects (default: INPUT.rejects.jsonl).")
    Path rejectsFile;


    @Override
    public Integer call() throws Exception {
        Pacer pacer = scenarioOptions.pacer();
        BorderflowConfig config = configOptions.load(Map.of());
        PrintStream out = System.out;
        if (!inputOptions.given()) {
            return replayScenario(config, scenarioOptions.load(), pacer, toFile, report, scenarioOptions.quiet, out);
        }
        if (scenarioOptions.rangeOrSeedGiven()) {
            throw new IllegalArgumentException("--from, --to and --seed apply to scenarios, not to --input");
        }
        return replayUserData(config, pacer, out);
    }

    /** Replays a scenario into Kafka (or a file) and prints the summary and, if asked, the calibration. */
    static int replayScenario(BorderflowConfig config, Scenario s, Pacer pacer, Path toFile, boolean report,
                              boolean quiet, PrintStream out) throws Exception {
        out.printf("replaying scenario %s, %s to %s (local days in %s), seed %d, speed %s%n",
                s.name(), s.start(), s.end(), s.zone(), s.seed(), pacer);
        DailyTally tally = new DailyTally(s.zone());
        Progress progress = new Progress(out, Progress.onTerminal(), quiet, s.zone(), s.start(), s.end());
        ReplayStats stats;
        try (EventSource source = new ScenarioGenerator(s, CheckpointCatalog.builtIn())) {
            stats = toSink(config, toFile, sink -> Replay.run(source, sink, pacer, progress, tally), out);
        }
        out.println(stats.summary());
        if (report) {
            out.println();
            out.print(CalibrationReport.of(tally).table());
        }
        return 0;
    }

    private int replayUserData(BorderflowConfig config, Pacer pacer, PrintStream out) throws Exception {
        Path input = inputOptions.input;
        UserSources.Format fmt = inputOptions.format();
        UnaryOperator<String> ids = inputOptions.ids(config);
        Clock clock = Clock.systemUTC();
        if (!skipBad && !checkUserInput(input, fmt, ids, config.zone(), clock, "--skip-bad")) {
            return Main.EXIT_FAILURE;
        }
        Path rejectsPath = rejectsFile != null ? rejectsFile : Path.of(input + ".rejects.jsonl");
        DailyTally tally = new DailyTally(config.zone());
        Progress progress = new Progress(out, Progress.onTerminal(), scenarioOptions.quiet, config.zone(), null, null);
        out.printf("replaying %s (%s), speed %s%n", input, fmt.name().toLowerCase().replace('_', '-'), pacer);
        ReplayStats stats;
        try (RejectsFile rejects = new RejectsFile(rejectsPath, skipBad);
             EventSource source = UserSources.open(input, fmt, rejects, ids, config.zone(), clock)) {
            stats = toSink(config, toFile, sink -> Replay.run(source, sink, pacer, progress, tally), out);
            out.println(stats.summary());
            if (rejects.count() > 0) {
                out.printf("%,d bad record(s) skipped, written to %s%n", rejects.count(), rejectsPath);
            }
        }
        if (report) {
            out.println();
            out.print(CalibrationReport.of(tally).table());
        }
        return 0;
    }

    /**
     * Reads the whole file once and reports its bad records (the first few on stderr): a bad line
     * must stop a replay before anything is produced. Returns true when the file is clean.
     */
    static boolean checkUserInput(Path input, UserSources.Format fmt, UnaryOperator<String> ids, java.time.ZoneId zone,
                                  Clock clock, String alternative) throws IOException {
        List<Reject> rejects = new ArrayList<>();
        long[] count = {0};
        try (EventSource check = UserSources.open(input, fmt, r -> {
            count[0]++;
            if (rejects.size() < REJECTS_SHOWN) {
                rejects.add(r);
            }
        }, ids, zone, clock)) {
            while (check.next() != null) {
                // reading through is the check
            }
        }
        if (count[0] == 0) {
            return true;
        }
        rejects.forEach(r -> System.err.println(r.describe()));
        if (count[0] > rejects.size()) {
            System.err.printf("... and %,d more%n", count[0] - rejects.size());
        }
        System.err.printf("borderflow: %,d bad record(s) in %s; nothing was produced (fix them%s)%n",
                count[0], input, alternative == null ? "" : ", or use " + alternative);
        return false;
    }

    static UserSources.Format parseFormat(String f) {
        return switch (f.toLowerCase()) {
            case "jsonl" -> UserSources.Format.JSONL;
            case "csv" -> UserSources.Format.CSV;
            case "daily-csv" -> UserSources.Format.DAILY_CSV;
            default -> throw new IllegalArgumentException("--format must be jsonl, csv or daily-csv, got '" + f + "'");
        };
    }

    interface SinkJob {
        ReplayStats run(EventSink sink) throws Exception;
    }

    /** Runs the job against a file, or against Kafka (embedded unless bootstrap servers are configured). */
    static ReplayStats toSink(BorderflowConfig config, Path toFile, SinkJob job, PrintStream out) throws Exception {
        if (toFile != null) {
            try (FileEventSink sink = new FileEventSink(toFile, config.zone())) {
                ReplayStats stats = job.run(sink);
                out.println("wrote " + toFile);
                return stats;
            }
        }
        HttpHost metrics = metricsHost(config, out);
        try (KafkaConnection kafka = KafkaConnection.open(config)) {
            out.println((kafka.embedded() ? "embedded broker at " : "Kafka at ") + kafka.bootstrapServers());
            prepareTopics(config, kafka, out);
            try (KafkaEventSink sink = new KafkaEventSink(kafka.producerProperties())) {
                publishCheckpoints(sink);
                return job.run(sink);
            }
        } finally {
            if (metrics != null) {
                metrics.close();
            }
        }
    }

    /**
     * Serves {@code /metrics} (events sent, event time reached) on {@value #HTTP_PORT} (default
     * {@value #DEFAULT_HTTP_PORT}, beside a stream app's 8088 on the same machine) while the replay
     * runs. A port that cannot be bound only warns: the replay does not need it. Null when not served.
     */
    static HttpHost metricsHost(BorderflowConfig config, PrintStream out) {
        String port = config.get(HTTP_PORT).orElse(Integer.toString(DEFAULT_HTTP_PORT)).trim();
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new ConfigException(HTTP_PORT + ": '" + port + "' is not a port number (0-65535)");
        }
        try {
            HttpHost host = HttpHost.start(config.with(HttpHost.PORT, port));
            MetricsEndpoint.serve(host);
            out.println("metrics at " + host.baseUri() + MetricsEndpoint.PATH);
            return host;
        } catch (ConfigException e) {
            System.err.println("warning: replay metrics not served: " + e.getMessage());
            return null;
        }
    }

    static void prepareTopics(BorderflowConfig config, KafkaConnection kafka, PrintStream out) {
        try (Admin admin = Admin.create(kafka.adminProperties())) {
            TopicAdmin.Result r = TopicAdmin.ensureTopics(admin, Topics.ALL, config);
            if (!r.created().isEmpty()) {
                out.println("created topics: " + String.join(", ", r.created()));
            }
            r.warnings().forEach(w -> System.err.println("warning: " + w));
        }
    }

    /** The checkpoints reference data goes to its compacted topic so later stages can enrich with it. */
    static void publishCheckpoints(KafkaEventSink sink) throws IOException {
        AvroSerde<Checkpoint> serde = AvroSerde.of(Checkpoint.class);
        for (Checkpoint c : CheckpointCatalog.builtIn().all()) {
            sink.send(Topics.CHECKPOINTS.name(), c.getId().getBytes(StandardCharsets.UTF_8), serde.encode(c), 0L);
        }
    }

    /** Rejected input lines, one JSON object per line: source, line, reason, raw. */
    private static final class RejectsFile implements Consumer<Reject>, AutoCloseable {
        private final Path path;
        private final boolean enabled;
        private final ObjectMapper json = new ObjectMapper();
        private BufferedWriter writer;
        private long count;

        RejectsFile(Path path, boolean enabled) {
            this.path = path;
            this.enabled = enabled;
        }

        @Override
        public void accept(Reject r) {
            count++;
            if (!enabled) {
                // Validated beforehand; a file changed under us is the only way here.
                throw new IllegalStateException(r.describe() + " (the input changed during the replay)");
            }
            try {
                if (writer == null) {
                    writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("source", r.source());
                row.put("line", r.line());
                row.put("reason", r.reason());
                row.put("raw", r.raw());
                writer.write(json.writeValueAsString(row));
                writer.newLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long count() {
            return count;
        }

        @Override
        public void close() throws IOException {
            if (writer != null) {
                writer.close();
            }
        }
    }
}
