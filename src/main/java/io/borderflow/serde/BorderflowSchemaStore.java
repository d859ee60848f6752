package io.borderflow.serde;

import io.borderflow.avro.Alert;
import io.borderflow.avro.ArrivalCohort;
import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DailyCount;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.FlowDelta;
import io.borderflow.avro.PresentStock;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.Registration;
import io.borderflow.avro.StayStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every released schema version of every borderflow record, looked up by the CRC-64-AVRO
 * fingerprint that single-object encoding puts in front of each message.
 *
 * <p>Versions are read from the classpath as {@code schemas/history/<Name>.v1.avsc},
 * {@code .v2.avsc}, ... up to the first missing number: listing a directory inside a jar is
 * not portable, so the record names come from {@link #RECORD_TYPES} instead. Each history
 * file must be self-contained (no references to types defined in other files).
 *
 * <p>Immutable after construction, so safe to share between threads.
 */
public final class BorderflowSchemaStore implements SchemaStore {

    /** Every generated record type borderflow puts on a topic or in a store. */
    public static final List<Class<? extends SpecificRecord>> RECORD_TYPES = List.of(
            Crossing.class, Registration.class, IinApplication.class, Checkpoint.class,
            NetFlowWindow.class, StayStatus.class, Alert.class, DeadLetter.class, DailyCount.class,
            PresentStock.class, FlowDelta.class, ArrivalCohort.class);

    /** Classpath folder holding {@code <Name>.v<N>.avsc}. */
    public static final String HISTORY_PATH = "schemas/history";

    /**
     * One known writer schema.
     *
     * @param recordName simple record name, e.g. {@code Crossing}
     * @param number     version number from the history file name, or 0 for a schema added with
     *                   {@link #withExtra} (not part of {@code schemas/history})
     */
    public record Version(String recordName, int number, long fingerprint, Schema schema) {
        /** {@code Crossing v2}, for messages. */
        @Override
        public String toString() {
            return number > 0 ? recordName + " v" + number : recordName + " (extra schema, not in " + HISTORY_PATH + ")";
        }
    }

    private static final class Holder {
        static final BorderflowSchemaStore INSTANCE = new BorderflowSchemaStore(List.of());
    }

    private final Map<Long, Version> byFingerprint;
    private final Map<String, List<Schema>> versionsByName;

    /** The store of everything in {@code schemas/history}, loaded once. */
    public static BorderflowSchemaStore get() {
        return Holder.INSTANCE;
    }

    /**
     * The history plus schemas that are not released, e.g. a test's hypothetical writer.
     * An extra schema whose fingerprint is already known is ignored.
     */
    public static BorderflowSchemaStore withExtra(Collection<Schema> extra) {
        return new BorderflowSchemaStore(extra);
    }

    private BorderflowSchemaStore(Collection<Schema> extra) {
        Map<Long, Version> index = new HashMap<>();
        Map<String, List<Schema>> byName = new LinkedHashMap<>();
        ClassLoader loader = BorderflowSchemaStore.class.getClassLoader();
        for (Class<? extends SpecificRecord> type : RECORD_TYPES) {
            String name = type.getSimpleName();
            List<Schema> versions = new ArrayList<>();
            for (int n = 1; ; n++) {
                String path = HISTORY_PATH + "/" + name + ".v" + n + ".avsc";
                Schema schema = load(loader, path);
                if (schema == null) {
                    break;
                }
                if (!schema.getFullName().equals(type.getName())) {
                    throw new IllegalStateException(path + " defines " + schema.getFullName()
                            + ", expected " + type.getName());
                }
                versions.add(schema);
                // A version identical to an earlier one adds nothing; keep the earliest label.
                index.putIfAbsent(fingerprint(schema), new Version(name, n, fingerprint(schema), schema));
            }
            if (versions.isEmpty()) {
                throw new IllegalStateException("no schema history for " + type.getName() + ": expected "
                        + HISTORY_PATH + "/" + name + ".v1.avsc on the classpath");
            }
            byName.put(name, List.copyOf(versions));
        }
        for (Schema schema : extra) {
            long fp = fingerprint(schema);
            index.putIfAbsent(fp, new Version(schema.getName(), 0, fp, schema));
        }
        this.byFingerprint = Map.copyOf(index);
        this.versionsByName = Map.copyOf(byName);
    }

    private static Schema load(ClassLoader loader, String path) {
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                return null;
            }
            // One parser per file: history versions redefine the same names.
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("invalid schema " + path + ": " + e.getMessage(), e);
        }
    }

    /** CRC-64-AVRO of the parsing canonical form: what single-object encoding writes. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    @Override
    public Schema findByFingerprint(long fingerprint) {
        Version v = byFingerprint.get(fingerprint);
        return v == null ? null : v.schema();
    }

    /** The version with this fingerprint, if known. */
    public Optional<Version> version(long fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    /**
     * The released schemas of one record, v1 first.
     *
     * @param recordName simple name, e.g. {@code Crossing}
     * @throws IllegalArgumentException when the name is not one of {@link #RECORD_TYPES}
     */
    public List<Schema> versions(String recordName) {
        List<Schema> versions = versionsByName.get(Objects.requireNonNull(recordName, "recordName"));
        if (versions == null) {
            throw new IllegalArgumentException("unknown record " + recordName + "; known: " + versionsByName.keySet());
        }
        return versions;
    }

    /** Simple names of all record types, in {@link #RECORD_TYPES} order. */
    public List<String> recordNames() {
        return RECORD_TYPES.stream().map(Class::getSimpleName).toList();
    }
}
