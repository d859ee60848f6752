package io.borderflow.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaFormatter;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards schema evolution: every released writer version stays readable by the current classes,
 * and a schema cannot change without a new history version.
 */
class SchemaHistoryTest {

    private static final BorderflowSchemaStore STORE = BorderflowSchemaStore.get();
    private static final int RANDOM_RECORDS_PER_VERSION = 25;

    static Stream<Arguments> everyVersion() {
        List<Arguments> out = new ArrayList<>();
        for (Class<? extends SpecificRecord> type : BorderflowSchemaStore.RECORD_TYPES) {
            List<Schema> versions = STORE.versions(type.getSimpleName());
            for (int i = 0; i < versions.size(); i++) {
                out.add(Arguments.of(type.getSimpleName() + " v" + (i + 1), type, versions.get(i)));
            }
        }
        return out.stream();
    }

    private static Schema current(Class<? extends SpecificRecord> type) {
        return SpecificData.getForClass(type).getSchema(type);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyVersion")
    void currentSchemaCanReadEveryReleasedVersion(String label, Class<? extends SpecificRecord> type, Schema old) {
        SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(current(type), old);
        assertEquals(SchemaCompatibilityType.COMPATIBLE, result.getType(),
                () -> "the current " + type.getSimpleName() + " cannot read records written with " + label
                        + ": " + result.getResult().getIncompatibilities()
                        + ". Released records must stay readable: add defaults or aliases instead, or start a new topic.");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyVersion")
    void recordsWrittenWithEveryReleasedVersionDecodeIntoTheCurrentClass(
            String label, Class<? extends SpecificRecord> type, Schema old) throws IOException {
        AvroSerde<? extends SpecificRecord> serde = AvroSerde.of(type);
        BinaryMessageEncoder<GenericRecord> oldWriter = new BinaryMessageEncoder<>(GenericData.get(), old);
        List<GenericValues> generators = new ArrayList<>();
        generators.add(new GenericValues(1, GenericValues.Unions.FIRST));
        generators.add(new GenericValues(2, GenericValues.Unions.LAST));
        for (int seed = 0; seed < RANDOM_RECORDS_PER_VERSION; seed++) {
            generators.add(new GenericValues(1000 + seed, GenericValues.Unions.RANDOM));
        }
        for (GenericValues generator : generators) {
            GenericRecord written = generator.record(old);
            ByteBuffer encoded = oldWriter.encode(written);
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            SpecificRecord decoded = serde.deserialize("test.topic", bytes);
            assertSame(type, decoded.getClass());
            Values.assertPreserved(written, decoded, label);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyVersion")
    void storeFindsEveryVersionByFingerprint(String label, Class<? extends SpecificRecord> type, Schema old) {
        long fp = BorderflowSchemaStore.fingerprint(old);
        assertEquals(old, STORE.findByFingerprint(fp), label);
        assertEquals(type.getSimpleName(), STORE.version(fp).orElseThrow().recordName(), label);
    }

    @Test
    void latestHistoryVersionIsTheCurrentSchema() throws IOException {
        List<String> problems = new ArrayList<>();
        for (Class<? extends SpecificRecord> type : BorderflowSchemaStore.RECORD_TYPES) {
            String name = type.getSimpleName();
            List<Schema> versions = STORE.versions(name);
            Schema latest = versions.get(versions.size() - 1);
            Schema current = current(type);
            if (BorderflowSchemaStore.fingerprint(latest) != BorderflowSchemaStore.fingerprint(current)) {
                int next = versions.size() + 1;
                Path proposal = writeProposal(name + ".v" + next + ".avsc", current);
                problems.add("schemas/" + name + ".avsc changed but schemas/history/" + name + ".v" + versions.size()
                        + ".avsc is still the latest version. Add the new schema as schemas/history/" + name
                        + ".v" + next + ".avsc (self-contained; a ready copy is at " + proposal
                        + ") and never edit released versions.");
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** The current schema in the self-contained form a history file needs (named types inlined). */
    private static Path writeProposal(String fileName, Schema current) throws IOException {
        Path dir = testClassesDir().resolveSibling("schema-history-proposals");
        Files.createDirectories(dir);
        Path file = dir.resolve(fileName);
        Files.writeString(file, SchemaFormatter.format("json/pretty", current) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    @Test
    void everyVersionIsDistinct() {
        for (String name : STORE.recordNames()) {
            Set<Long> seen = new HashSet<>();
            List<Schema> versions = STORE.versions(name);
            for (int i = 0; i < versions.size(); i++) {
                assertTrue(seen.add(BorderflowSchemaStore.fingerprint(versions.get(i))),
                        "schemas/history/" + name + ".v" + (i + 1) + ".avsc is the same schema as an earlier version;"
                                + " a version is only needed when the parsing canonical form changes (not for doc edits)");
            }
        }
    }

    /**
     * The store finds versions by probing v1, v2, ... so a gap or a misspelt file would silently be
     * ignored; and a record type missing from RECORD_TYPES would have no history at all.
     */
    @Test
    void everySchemaFileIsKnownToTheStore() throws IOException {
        Path schemas = classpathDir("schemas");
        Set<String> known = new HashSet<>(STORE.recordNames());
        try (Stream<Path> files = Files.list(schemas)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".avsc")).toList()) {
                String name = p.getFileName().toString().replace(".avsc", "");
                assertTrue(known.contains(name), "schemas/" + name + ".avsc has no entry in "
                        + "BorderflowSchemaStore.RECORD_TYPES; add " + "io.borderflow.avro." + name + ".class there");
            }
        }
        Pattern versionFile = Pattern.compile("([A-Za-z0-9_]+)\\.v([1-9][0-9]*)\\.avsc");
        try (Stream<Path> files = Files.list(schemas.resolve("history"))) {
            for (Path p : files.toList()) {
                String file = p.getFileName().toString();
                Matcher m = versionFile.matcher(file);
                assertTrue(m.matches(), "schemas/history/" + file + " is not named <Record>.v<N>.avsc");
                assertTrue(known.contains(m.group(1)), "schemas/history/" + file + " is for an unknown record");
                int n = Integer.parseInt(m.group(2));
                assertTrue(n <= STORE.versions(m.group(1)).size(), "schemas/history/" + file
                        + " is unreachable: versions must be numbered 1, 2, 3, ... without gaps");
            }
        }
    }

    @Test
    void historyIsNotEmptyForAnyRecord() {
        for (String name : STORE.recordNames()) {
            assertFalse(STORE.versions(name).isEmpty(), name);
        }
    }

    private static Path classpathDir(String resource) {
        URL url = SchemaHistoryTest.class.getClassLoader().getResource(resource);
        if (url == null || !"file".equals(url.getProtocol())) {
            fail("expected " + resource + " as a directory on the test classpath, got " + url);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path testClassesDir() {
        try {
            return Path.of(SchemaHistoryTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
