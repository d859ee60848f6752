package io.borderflow.cli;

import io.borderflow.bench.Bench;
import io.borderflow.bench.BenchReport;
import io.borderflow.bench.BenchResult;
import io.borderflow.bench.BenchSettings;
import io.borderflow.config.BorderflowConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark on an embedded broker, one input generated once: raw produce, a raw exactly-once",
                "consume-produce pass-through and the full borderflow app, events/s each (median, min, max over",
                "repetitions after warm-up); event-to-output latency at a fixed rate; heap, RSS, RocksDB bytes and",
                "bytes per tracked traveller. Writes OUTPUT-DIR/bench-<time>.json and .md and prints the table."})
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "NAME|FILE", defaultValue = "sept-2022-surge",
            description = "Built-in scenario (sept-2022-surge, baseline) or a scenario file. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day (default: the scenario's).")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day (default: the scenario's).")
    LocalDate to;

    @Option(names = "--seed", description = "Scenario seed (default: the scenario's).")
    Long seed;

    @Option(names = "--scale", defaultValue = "1", paramLabel = "N",
            description = "Multiplies the scenario's travellers (arrivals, departures, IIN capacity). Default: ${DEFAULT-VALUE}.")
    double scale;

    @Option(names = "--repetitions", defaultValue = "3", paramLabel = "N",
            description = "Measured repetitions of the throughput phases. Default: ${DEFAULT-VALUE}.")
    int repetitions;

    @Option(names = "--warmup", defaultValue = "1", paramLabel = "N",
            description = "Repetitions run first and not counted. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--rate", defaultValue = "20000", paramLabel = "EVENTS/S",
            description = "Input rate of the latency phase. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(names = "--latency-duration", defaultValue = "PT60S", paramLabel = "DURATION",
            description = "How long the latency phase produces, at most the whole input (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration latencyDuration;

    @Option(names = "--latency-samples", defaultValue = "5000", paramLabel = "N",
            description = "About how many crossings the stay-status latency times (net flow: one per checkpoint-hour). "
                    + "Default: ${DEFAULT-VALUE}.")
    int latencySamples;

    @Option(names = "--latency-settle", defaultValue = "PT10S", paramLabel = "DURATION",
            description = "The first part of the latency phase, just after the app started: the figures are given with "
                    + "and without the events sent in it (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration latencySettle;

    @Option(names = "--skip-latency", description = "No latency phase.")
    boolean skipLatency;

    @Option(names = "--output-dir", defaultValue = "bench-results", paramLabel = "DIR",
            description = "Where the JSON and markdown results go. Default: ${DEFAULT-VALUE}.")
    Path outputDir;

    @Option(names = "--timeout", defaultValue = "PT30M", paramLabel = "DURATION",
            description = "Give up when one phase takes longer (ISO-8601). Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = new BenchSettings(scenario, from, to, seed, scale, repetitions, warmup, rate,
                latencyDuration, latencySamples, latencySettle, skipLatency, outputDir, timeout);
        BorderflowConfig config = configOptions.load(Map.of());
        PrintStream out = System.out;
        List<String> command = spec.commandLine().getParseResult().originalArgs();
        BenchResult result = Bench.run(config, settings, command, out);
        List<Path> written = BenchReport.write(result, outputDir);
        out.println();
        out.print(BenchReport.markdown(result));
        out.println();
        out.println("written: " + written.get(0) + ", " + written.get(1));
        return 0;
    }
}
