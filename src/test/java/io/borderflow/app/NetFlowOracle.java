package io.borderflow.app;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.EventJson;
import io.borderflow.replay.InvalidEventException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;

/**
 * Net flows computed the plain way, straight from a list of crossings, to check the topology:
 * one map entry per window, dimension and key, valued {entries, exits}.
 */
final class NetFlowOracle {
    private NetFlowOracle() {
    }

    /** Keys read {@code window|windowStart|dimension|key}, times ISO with the zone's offset. */
    static Map<String, long[]> compute(List<Crossing> crossings, ZoneId zone) {
        CheckpointCatalog catalog = CheckpointCatalog.builtIn();
        Map<String, long[]> out = new TreeMap<>();
        Map<LocalDate, Map<String, long[]>> daily = new TreeMap<>();
        for (Crossing c : crossings) {
            String region = catalog.find(c.getCheckpoint()).map(Checkpoint::getRegion).orElse("unknown");
            String[] keys = {"checkpoint|" + c.getCheckpoint(), "region|" + region,
                    "citizenship|" + c.getCitizenship(), "national|KZ"};
            int i = c.getDirection() == Direction.ENTRY ? 0 : 1;
            Instant hour = Instant.ofEpochMilli(Math.floorDiv(c.getTime().toEpochMilli(), 3_600_000L) * 3_600_000L);
            LocalDate day = c.getTime().atZone(zone).toLocalDate();
            for (String k : keys) {
                out.computeIfAbsent("1h|" + iso(hour, zone) + "|" + k, x -> new long[2])[i]++;
                out.computeIfAbsent("1d|" + iso(day.atStartOfDay(zone).toInstant(), zone) + "|" + k, x -> new long[2])[i]++;
                daily.computeIfAbsent(day, d -> new TreeMap<>()).computeIfAbsent(k, x -> new long[2])[i]++;
            }
        }
        if (daily.isEmpty()) {
            return out;
        }
        LocalDate first = daily.keySet().iterator().next();
        LocalDate last = ((TreeMap<LocalDate, Map<String, long[]>>) daily).lastKey();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            TreeSet<String> keys = new TreeSet<>();
            for (int back = 0; back < 7; back++) {
                Map<String, long[]> m = daily.get(d.minusDays(back));
                if (m != null) {
                    keys.addAll(m.keySet());
                }
            }
            for (String k : keys) {
                long[] sum = new long[2];
                for (int back = 0; back < 7; back++) {
                    long[] v = daily.getOrDefault(d.minusDays(back), Map.of()).get(k);
                    if (v != null) {
                        sum[0] += v[0];
                        sum[1] += v[1];
                    }
                }
                out.put("7d|" + iso(d.minusDays(6).atStartOfDay(zone).toInstant(), zone) + "|" + k, sum);
            }
        }
        return out;
    }

    static String iso(Instant t, ZoneId zone) {
        return OffsetDateTime.ofInstant(t, zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    /** The events of a replay file (the replay's JSON-lines format), in file order. */
    static List<SpecificRecord> readEvents(Path file, ZoneId zone) throws IOException, InvalidEventException {
        EventJson json = new EventJson(zone);
        List<SpecificRecord> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            events.add(json.parseOrThrow(line));
        }
        return events;
    }

    /** The crossings among events. */
    static List<Crossing> crossings(List<SpecificRecord> events) {
        return events.stream().filter(Crossing.class::isInstance).map(Crossing.class::cast).toList();
    }
}
