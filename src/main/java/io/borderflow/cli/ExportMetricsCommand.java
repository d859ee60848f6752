package io.borderflow.cli;

import io.borderflow.config.ConfigException;
import io.borderflow.metrics.export.OpenMetricsExport;
import io.borderflow.replay.CheckpointCatalog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export-metrics", mixinStandardHelpOptions = true,
        description = {"Write the net-flow metrics of a JSON-lines event file (as written by replay --to-file) as",
                "OpenMetrics with event-time timestamps, hourly, for Prometheus backfilling:",
                "  promtool tsdb create-blocks-from openmetrics FILE DIR"})
public final class ExportMetricsCommand implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "EVENTS.jsonl", description = "Events in the replay's JSON-lines format.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "OpenMetrics text to write (replaced if it exists).")
    Path output;

    @Option(names = "--zone", paramLabel = "ZONE", defaultValue = "Asia/Almaty",
            description = "Zone of the local days of the 1d windows, as the stream's `zone` key. Default: ${DEFAULT-VALUE}.")
    String zone;

    @Override
    public Integer call() throws Exception {
        ZoneId z;
        try {
            z = ZoneId.of(zone);
        } catch (DateTimeException e) {
            throw new ConfigException("--zone: unknown time zone '" + zone + "' (use a region id such as Asia/Almaty)");
        }
        OpenMetricsExport.Result r = new OpenMetricsExport(z, Clock.systemUTC(), CheckpointCatalog.builtIn()).run(input, output);
        System.out.println(r.summary(output));
        return 0;
    }
}
