package io.borderflow.replay;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Mode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;

/**
 * Crossings from a CSV file with a header naming the columns {@code time,direction,checkpoint,citizenship,
 * traveller_id} and optionally {@code mode,region}, in any order (see {@link CsvRecords} for the CSV rules;
 * a header with unknown or missing columns is one reject at its line and the file yields nothing).
 *
 * <ul>
 *   <li>{@code time}: ISO-8601 with offset ({@code 2022-09-21T08:15:00+06:00}), or a local date-time without
 *       offset ({@code 2022-09-21T08:15:00}, {@code 2022-09-21 08:15}) read in the zone.</li>
 *   <li>{@code traveller_id}: empty means an anonymous crossing (travellerId null); otherwise pseudonymised.</li>
 *   <li>{@code mode}, {@code region}: when absent or empty, taken from the checkpoint catalog if the
 *       checkpoint is known there, else null. An unknown checkpoint is not an error.</li>
 * </ul>
 *
 * <p><b>Event ids</b> are derived from the content, so that a re-sent feed (even renamed or re-ordered)
 * repeats them, as the schema asks: {@code "csv-"} + the first 16 bytes (base64url, no padding) of
 * SHA-256 over the event time (epoch ms), direction, checkpoint and the <em>pseudonymised</em> traveller id
 * (never the raw id: an unkeyed hash of a raw id could be reversed by trying all ids). These four identify
 * a crossing. Anonymous rows have no such identity, so their hash also covers the file's name (without
 * directories) and the line number: stable across runs of the same file. Ids depend on the pseudonymisation
 * key.
 */
public final class CrossingCsvSource implements EventSource {
    static final List<String> REQUIRED = List.of("time", "direction", "checkpoint", "citizenship", "traveller_id");
    static final List<String> OPTIONAL = List.of("mode", "region");

    private final String source;
    private final String fileName;
    private final Consumer<Reject> rejects;
    private final UnaryOperator<String> pseudonymiser;
    private final EventValidator validator;
    private final CheckpointCatalog catalog;
    private final CsvRecords csv;
    private final MessageDigest sha256;
    private int iTime = -1;
    private int iDirection;
    private int iCheckpoint;
    private int iCitizenship;
    private int iTraveller;
    private int iMode;
    private int iRegion;

    public CrossingCsvSource(Path path, Consumer<Reject> rejects, UnaryOperator<String> pseudonymiser, ZoneId zone,
            Clock clock, CheckpointCatalog catalog) throws IOException {
        this.source = path.toString();
        Path name = path.getFileName();
        this.fileName = name == null ? source : name.toString();
        this.rejects = Objects.requireNonNull(rejects, "rejects");
        this.pseudonymiser = Objects.requireNonNull(pseudonymiser, "pseudonymiser");
        this.validator = new EventValidator(zone, clock);
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.sha256 = sha256();
        this.csv = new CsvRecords(LineReader.open(path), source, this.rejects, REQUIRED, OPTIONAL);
    }

    @Override
    public SpecificRecord next() throws IOException {
        String[] f;
        while ((f = csv.next()) != null) {
            if (iTime < 0) {
                iTime = csv.column("time");
                iDirection = csv.column("direction");
                iCheckpoint = csv.column("checkpoint");
                iCitizenship = csv.column("citizenship");
                iTraveller = csv.column("traveller_id");
                iMode = csv.column("mode");
                iRegion = csv.column("region");
            }
            try {
                return crossing(f);
            } catch (InvalidEventException e) {
                rejects.accept(new Reject(source, csv.line(), e.reason(), csv.raw()));
            }
        }
        return null;
    }

    private Crossing crossing(String[] f) throws InvalidEventException {
        EventValidator v = validator;
        Instant time = v.time("time", f[iTime]);
        Direction direction = v.direction("direction", f[iDirection]);
        String checkpoint = v.required("checkpoint", f[iCheckpoint]);
        String citizenship = v.citizenship("citizenship", f[iCitizenship]);
        String rawTraveller = EventValidator.optional(f[iTraveller]);
        Mode mode = iMode < 0 ? null : v.mode("mode", f[iMode]);
        String region = iRegion < 0 ? null : EventValidator.optional(f[iRegion]);
        if (mode == null || region == null) {
            Optional<Checkpoint> known = catalog.find(checkpoint);
            if (known.isPresent()) {
                mode = mode == null ? known.get().getMode() : mode;
                region = region == null ? known.get().getRegion() : region;
            }
        }
        String traveller = rawTraveller == null ? null : pseudonymiser.apply(rawTraveller);
        String eventId = eventId(time, direction, checkpoint, traveller, csv.line());
        return new Crossing(eventId, traveller, citizenship, direction, checkpoint, region, mode, time);
    }

    private String eventId(Instant time, Direction direction, String checkpoint, String traveller, long line) {
        StringBuilder key = new StringBuilder(96).append("crossing\u0000").append(time.toEpochMilli()).append('\u0000')
                .append(direction.name()).append('\u0000').append(checkpoint).append('\u0000');
        if (traveller != null) {
            key.append(traveller);
        } else {
            key.append("\u0000anonymous\u0000").append(fileName).append('\u0000').append(line);
        }
        byte[] h = sha256.digest(key.toString().getBytes(StandardCharsets.UTF_8));
        return "csv-" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 16));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void close() throws IOException {
        csv.close();
    }
}
