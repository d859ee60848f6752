package io.borderflow.replay;

import io.borderflow.config.ConfigException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Opens a user's data file as an event source, in the format given or recognised from the file. */
public final class UserSources {
    public enum Format { JSONL, CSV, DAILY_CSV }

    private UserSources() {
    }

    public static Format detect(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return Format.JSONL;
        }
        if (name.endsWith(".csv")) {
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String header = r.readLine();
                if (header != null && header.toLowerCase(Locale.ROOT).contains("count")) {
                    return Format.DAILY_CSV;
                }
                return Format.CSV;
            } catch (IOException e) {
                throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        throw new ConfigException(file + ": cannot tell the format from the name; give --format jsonl, csv or daily-csv");
    }

    public static EventSource open(Path file, Format format, Consumer<Reject> rejects, UnaryOperator<String> ids,
                                   ZoneId zone, Clock clock) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("input file not found: " + file);
        }
        try {
            return switch (format) {
                case JSONL -> new JsonLinesSource(file, rejects, ids, zone, clock);
                case CSV -> new CrossingCsvSource(file, rejects, ids, zone, clock, CheckpointCatalog.builtIn());
                case DAILY_CSV -> new DailyCountsCsvSource(file, rejects, ids, zone, clock, CheckpointCatalog.builtIn());
            };
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
