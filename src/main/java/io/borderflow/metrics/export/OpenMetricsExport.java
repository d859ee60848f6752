package io.borderflow.metrics.export;

import io.borderflow.avro.Crossing;
import io.borderflow.metrics.export.CrossingTally.Counts;
import io.borderflow.metrics.export.CrossingTally.Dimension;
import io.borderflow.metrics.export.CrossingTally.Key;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.EventSource;
import io.borderflow.replay.JsonLinesSource;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;

/**
 * Replay events (the JSON-lines format of {@code replay --to-file}) to OpenMetrics text with
 * event-time timestamps, for {@code promtool tsdb create-blocks-from openmetrics}: the metrics of
 * docs/metrics.md that the net-flow stage would have shown, at hourly resolution, so a replayed
 * period can be browsed in Prometheus and Grafana at its real dates.
 *
 * <p>A sample at time T (every whole UTC hour from the first crossing's hour to the end of the
 * local day of the last) holds what a scrape at T would have seen had every window closed exactly
 * at its end: {@code border_crossings_total} up to T; the {@code window="1h"} gauges for the hour
 * ending at T; the {@code window="1d"} gauges for the last local day ended by T;
 * {@code border_present_*} the cumulative net up to T. A key's series start at its first crossing
 * and then carry on with 0 for windows without crossings. Families, and within them the series,
 * are contiguous and each series' samples ascend in time, as promtool requires; the file ends
 * with {@code # EOF}.
 *
 * <p>Registrations and IIN events are not part of these metrics and are skipped. Traveller ids
 * are read but never written.
 */
public final class OpenMetricsExport {
    private static final long HOUR_MS = 3_600_000L;

    /** What an export read and wrote. */
    public record Result(long crossings, long duplicates, long otherEvents, long series, long samples,
                         Instant from, Instant to) {
        public String summary(Path output) {
            if (crossings == 0) {
                return String.format("no crossings in the input (%,d other events): wrote an empty %s", otherEvents, output);
            }
            return String.format("%,d crossings (%,d duplicates not counted, %,d other events skipped) from %s to %s: "
                            + "%,d samples in %,d series written to %s",
                    crossings, duplicates, otherEvents, from, to, samples, series, output);
        }
    }

    private final ZoneId zone;
    private final Clock clock;
    private final CheckpointCatalog catalog;

    public OpenMetricsExport(ZoneId zone, Clock clock, CheckpointCatalog catalog) {
        this.zone = zone;
        this.clock = clock;
        this.catalog = catalog;
    }

    /**
     * Reads every event of {@code input}, then writes {@code output} (through a temporary file, so
     * a failed export leaves no partial file). A bad line stops the export before anything is
     * written: {@link IllegalArgumentException} with {@code file:line: reason}.
     */
    public Result run(Path input, Path output) throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException("--input: no such file: " + input);
        }
        CrossingTally tally = new CrossingTally(zone, catalog);
        long other = 0;
        try (EventSource source = new JsonLinesSource(input, r -> {
            throw new IllegalArgumentException(r.describe());
        }, UnaryOperator.identity(), zone, clock)) {
            SpecificRecord e;
            while ((e = source.next()) != null) {
                if (e instanceof Crossing c) {
                    tally.add(c);
                } else {
                    other++;
                }
            }
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
        long[] written;
        try {
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                written = write(tally, w);
            }
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Result(tally.crossings(), tally.duplicates(), other, written[0], written[1],
                tally.isEmpty() ? null : Instant.ofEpochMilli(tally.firstMs()),
                tally.isEmpty() ? null : Instant.ofEpochMilli(tally.lastMs()));
    }

    /** Writes the families of {@code tally}; returns {series, samples}. */
    static long[] write(CrossingTally tally, Writer out) throws IOException {
        return new Emitter(tally, out).all();
    }

    /** The timeline and the writing of every family. */
    private static final class Emitter {
        private final CrossingTally tally;
        private final Writer out;
        private final ZoneId zone;
        /** First and last sample time (epoch ms, whole hours). */
        private final long firstT;
        private final long lastT;
        private final StringBuilder line = new StringBuilder(160);
        private long series;
        private long samples;

        Emitter(CrossingTally tally, Writer out) {
            this.tally = tally;
            this.out = out;
            this.zone = tally.zone();
            if (tally.isEmpty()) {
                firstT = 1;
                lastT = 0;
            } else {
                firstT = hourStart(tally.firstMs()) + HOUR_MS;
                long lastDayEnd = dayEnd(localDay(tally.lastMs()));
                lastT = Math.max(hourStart(tally.lastMs()) + HOUR_MS, ceilHour(lastDayEnd));
            }
        }

        long[] all() throws IOException {
            crossings();
            for (Dimension d : Dimension.values()) {
                String prefix = "border_" + d.name().toLowerCase() + "_";
                window(d, prefix + "entries", "entries of the last closed window", CrossingTally.ENTRY);
                window(d, prefix + "exits", "exits of the last closed window", CrossingTally.EXIT);
                window(d, prefix + "net", "entries minus exits of the last closed window", -1);
            }
            windowEnds();
            present(Dimension.CITIZENSHIP, "border_present_citizenship");
            present(Dimension.REGION, "border_present_region");
            out.write("# EOF\n");
            return new long[] {series, samples};
        }

        private void crossings() throws IOException {
            family("border_crossings", "counter", "crossings counted, after duplicates are removed");
            for (Key k : tally.keys(Dimension.CHECKPOINT)) {
                Counts c = tally.counts().get(k);
                for (int dir : new int[] {CrossingTally.ENTRY, CrossingTally.EXIT}) {
                    Long first = firstHourWith(c, dir);
                    if (first == null) {
                        continue;
                    }
                    String labels = "direction=\"" + (dir == CrossingTally.ENTRY ? "entry" : "exit")
                            + "\",checkpoint=\"" + escape(k.name()) + "\"";
                    series++;
                    long total = 0;
                    Iterator<Map.Entry<Long, long[]>> hours = c.hours.tailMap(first, true).entrySet().iterator();
                    Map.Entry<Long, long[]> next = hours.hasNext() ? hours.next() : null;
                    for (long t = first + HOUR_MS; t <= lastT; t += HOUR_MS) {
                        while (next != null && next.getKey() < t) {
                            total += next.getValue()[dir];
                            next = hours.hasNext() ? hours.next() : null;
                        }
                        sample("border_crossings_total", labels, total, t);
                    }
                }
            }
        }

        /** One gauge family of one dimension: a 1h and a 1d series per key. {@code dir} -1 = net. */
        private void window(Dimension d, String name, String help, int dir) throws IOException {
            family(name, "gauge", help);
            for (Key k : tally.keys(d)) {
                Counts c = tally.counts().get(k);
                String base = switch (d) {
                    case CHECKPOINT -> ",checkpoint=\"" + escape(k.name()) + "\",region=\"" + escape(k.region()) + "\"";
                    case REGION -> ",region=\"" + escape(k.name()) + "\"";
                    case CITIZENSHIP -> ",citizenship=\"" + escape(k.name()) + "\"";
                    case NATIONAL -> "";
                };
                series++;
                String labels1h = "window=\"1h\"" + base;
                for (long t = c.hours.firstKey() + HOUR_MS; t <= lastT; t += HOUR_MS) {
                    sample(name, labels1h, value(c.hours.get(t - HOUR_MS), dir), t);
                }
                LocalDate firstDay = c.days.firstKey();
                long from = ceilHour(dayEnd(firstDay));
                if (from <= lastT) {
                    series++;
                    String labels1d = "window=\"1d\"" + base;
                    for (long t = from; t <= lastT; t += HOUR_MS) {
                        sample(name, labels1d, value(c.days.get(lastClosedDay(t)), dir), t);
                    }
                }
            }
        }

        private void windowEnds() throws IOException {
            family("border_window_end_seconds", "gauge", "event time of the end of the last closed nationwide window");
            if (tally.isEmpty()) {
                return;
            }
            series++;
            for (long t = firstT; t <= lastT; t += HOUR_MS) {
                sample("border_window_end_seconds", "window=\"1h\"", t / 1000, t);
            }
            long from = ceilHour(dayEnd(localDay(tally.firstMs())));
            if (from <= lastT) {
                series++;
                for (long t = from; t <= lastT; t += HOUR_MS) {
                    sample("border_window_end_seconds", "window=\"1d\"", dayEnd(lastClosedDay(t)) / 1000, t);
                }
            }
        }

        private void present(Dimension d, String name) throws IOException {
            family(name, "gauge", "present stock: cumulative net since the data start");
            String label = d == Dimension.CITIZENSHIP ? "citizenship" : "region";
            for (Key k : tally.keys(d)) {
                Counts c = tally.counts().get(k);
                series++;
                String labels = label + "=\"" + escape(k.name()) + "\"";
                long net = 0;
                for (long t = c.hours.firstKey() + HOUR_MS; t <= lastT; t += HOUR_MS) {
                    net += value(c.hours.get(t - HOUR_MS), -1);
                    sample(name, labels, net, t);
                }
            }
        }

        private void family(String name, String type, String help) throws IOException {
            out.write("# HELP " + name + " " + help + "\n");
            out.write("# TYPE " + name + " " + type + "\n");
        }

        private void sample(String name, String labels, long value, long tMs) throws IOException {
            line.setLength(0);
            line.append(name).append('{').append(labels).append("} ").append(value).append(' ')
                    .append(tMs / 1000).append('\n');
            out.append(line);
            samples++;
        }

        private static long value(long[] counts, int dir) {
            if (counts == null) {
                return 0;
            }
            return dir < 0 ? counts[CrossingTally.ENTRY] - counts[CrossingTally.EXIT] : counts[dir];
        }

        private static Long firstHourWith(Counts c, int dir) {
            for (Map.Entry<Long, long[]> e : c.hours.entrySet()) {
                if (e.getValue()[dir] > 0) {
                    return e.getKey();
                }
            }
            return null;
        }

        /** The last local day whose end is at or before {@code t}. */
        private LocalDate lastClosedDay(long t) {
            LocalDate d = localDay(t - 1);
            return dayEnd(d) <= t ? d : d.minusDays(1);
        }

        private LocalDate localDay(long ms) {
            return Instant.ofEpochMilli(ms).atZone(zone).toLocalDate();
        }

        private long dayEnd(LocalDate day) {
            return day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        }

        private static long hourStart(long ms) {
            return Math.floorDiv(ms, HOUR_MS) * HOUR_MS;
        }

        /** Zones with a half-hour offset end their days mid-hour: the sample after it shows the day. */
        private static long ceilHour(long ms) {
            return -Math.floorDiv(-ms, HOUR_MS) * HOUR_MS;
        }
    }

    /** OpenMetrics label value escaping. */
    static String escape(String v) {
        if (v.indexOf('\\') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
            return v;
        }
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
