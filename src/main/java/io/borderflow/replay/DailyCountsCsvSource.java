package io.borderflow.replay;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;

/**
 * Anonymous crossings expanded from a CSV of daily counts with a header naming the columns
 * {@code date,checkpoint,direction,count} and optionally {@code citizenship}, in any order (CSV rules in
 * {@link CsvRecords}).
 *
 * <p>Each row becomes {@code count} crossings with travellerId null, in file order, spread evenly over that
 * local day in the zone: the i-th of n (0-based) at {@code start + (2i+1)·dayLength / (2n)} ms (i.e. at
 * {@code (i+0.5)/n} of the day, rounded down to the millisecond), where start is the first instant of the day
 * and dayLength its real length (23 or 25 hours on a daylight-saving change).
 *
 * <ul>
 *   <li>{@code citizenship}: empty or absent means unknown and is written {@value #UNKNOWN_CITIZENSHIP}
 *       (a code ISO 3166 leaves for user assignment; it is no country).</li>
 *   <li>{@code count}: a whole number from 0 to {@value #MAX_COUNT}; 0 yields nothing.</li>
 *   <li>{@code date}: refused before 1990-01-01 and unless the day is over in the zone (a day still running
 *       would put events in the future and its count is partial).</li>
 *   <li>region and mode come from the checkpoint catalog when the checkpoint is known, else null.</li>
 *   <li>eventId: {@code daily/<date>/<checkpoint>/<direction>/<citizenship>/<i>}; deterministic, and a
 *       re-sent row repeats its ids. Citizenship is part of it because one day, checkpoint and direction
 *       may have one row per citizenship.</li>
 * </ul>
 * The pseudonymiser is not used (there are no traveller ids); it is taken so all sources build alike.
 */
public final class DailyCountsCsvSource implements EventSource {
    public static final String UNKNOWN_CITIZENSHIP = "XX";
    /** Most crossings one row may expand to (guards against a typo making billions of events). */
    public static final long MAX_COUNT = 10_000_000L;

    static final List<String> REQUIRED = List.of("date", "checkpoint", "direction", "count");
    static final List<String> OPTIONAL = List.of("citizenship");

    private final String source;
    private final Consumer<Reject> rejects;
    private final EventValidator validator;
    private final ZoneId zone;
    private final Clock clock;
    private final CheckpointCatalog catalog;
    private final CsvRecords csv;
    private int iDate = -1;
    private int iCheckpoint;
    private int iDirection;
    private int iCount;
    private int iCitizenship;

    // The row being expanded.
    private long n;
    private long i;
    private long startMs;
    private long dayMs;
    private String idPrefix;
    private String citizenship;
    private Direction direction;
    private String checkpoint;
    private String region;
    private Mode mode;

    public DailyCountsCsvSource(Path path, Consumer<Reject> rejects, UnaryOperator<String> pseudonymiser, ZoneId zone,
            Clock clock, CheckpointCatalog catalog) throws IOException {
        this.source = path.toString();
        this.rejects = Objects.requireNonNull(rejects, "rejects");
        Objects.requireNonNull(pseudonymiser, "pseudonymiser");
        this.zone = Objects.requireNonNull(zone, "zone");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.validator = new EventValidator(zone, clock);
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.csv = new CsvRecords(LineReader.open(path), source, this.rejects, REQUIRED, OPTIONAL);
    }

    @Override
    public SpecificRecord next() throws IOException {
        while (i >= n) {
            String[] f = csv.next();
            if (f == null) {
                return null;
            }
            if (iDate < 0) {
                iDate = csv.column("date");
                iCheckpoint = csv.column("checkpoint");
                iDirection = csv.column("direction");
                iCount = csv.column("count");
                iCitizenship = csv.column("citizenship");
            }
            try {
                startRow(f);
            } catch (InvalidEventException e) {
                rejects.accept(new Reject(source, csv.line(), e.reason(), csv.raw()));
            }
        }
        long k = i++;
        Instant time = Instant.ofEpochMilli(startMs + (2 * k + 1) * dayMs / (2 * n));
        return new Crossing(idPrefix + k, null, citizenship, direction, checkpoint, region, mode, time);
    }

    private void startRow(String[] f) throws InvalidEventException {
        EventValidator v = validator;
        LocalDate date = v.date("date", f[iDate]);
        String cp = v.required("checkpoint", f[iCheckpoint]);
        Direction dir = v.direction("direction", f[iDirection]);
        long count = count(f[iCount]);
        String cit = iCitizenship < 0 || EventValidator.optional(f[iCitizenship]) == null
                ? UNKNOWN_CITIZENSHIP : v.citizenship("citizenship", f[iCitizenship]);
        if (date.isBefore(EventValidator.EARLIEST_DATE)) {
            throw new InvalidEventException(EventValidator.prefix("date") + date + " is before "
                    + EventValidator.EARLIEST_DATE);
        }
        Instant start = date.atStartOfDay(zone).toInstant();
        Instant end = date.plusDays(1).atStartOfDay(zone).toInstant();
        Instant now = clock.instant();
        if (end.isAfter(now)) {
            throw new InvalidEventException(EventValidator.prefix("date") + date + " is not over yet in " + zone
                    + " (now " + TimeCodec.format(now, zone.getRules()) + ")");
        }
        Optional<Checkpoint> known = catalog.find(cp);
        this.checkpoint = cp;
        this.direction = dir;
        this.citizenship = cit;
        this.region = known.map(Checkpoint::getRegion).orElse(null);
        this.mode = known.map(Checkpoint::getMode).orElse(null);
        this.startMs = start.toEpochMilli();
        this.dayMs = end.toEpochMilli() - startMs;
        this.idPrefix = "daily/" + date + "/" + cp + "/" + dir.name() + "/" + cit + "/";
        this.i = 0;
        this.n = count;
    }

    private static long count(String value) throws InvalidEventException {
        String s = EventValidator.optional(value);
        if (s == null) {
            throw new InvalidEventException(EventValidator.prefix("count") + "missing or empty");
        }
        if (!s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new InvalidEventException(EventValidator.prefix("count") + EventValidator.quote(s)
                    + " is not a non-negative whole number");
        }
        if (s.length() > 18 || Long.parseLong(s) > MAX_COUNT) {
            throw new InvalidEventException(EventValidator.prefix("count") + EventValidator.quote(s)
                    + " is more than " + MAX_COUNT + " (the most one row may expand to)");
        }
        return Long.parseLong(s);
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
