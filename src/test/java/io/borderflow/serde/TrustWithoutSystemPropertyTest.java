package io.borderflow.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Surefire sets {@code org.apache.avro.SERIALIZABLE_PACKAGES}, and Avro reads it once per JVM, so
 * the runnable jar's situation can only be reproduced in a fresh JVM without that property.
 */
class TrustWithoutSystemPropertyTest {

    static final String PROPERTY = "org.apache.avro.SERIALIZABLE_PACKAGES";

    @Test
    void decodesGeneratedClassesInAJvmWithoutTheTrustProperty(@TempDir Path tmp) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = tmp.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Child.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out");
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("avro refused without trust: Forbidden"), output);
        assertTrue(output.contains("serde decoded " + io.borderflow.serde.BorderflowSchemaStore.RECORD_TYPES.size() + " record types"), output);
    }

    /** Runs in the child JVM. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            if (System.getProperty(PROPERTY) != null) {
                throw new IllegalStateException(PROPERTY + " is set in the child");
            }
            Crossing crossing = (Crossing) RecordSamples.all().get(Crossing.class).get(0);
            ByteBuffer avroEncoded = crossing.toByteBuffer();
            byte[] bytes = new byte[avroEncoded.remaining()];
            avroEncoded.get(bytes);
            // Control: plain Avro, before AvroSerde is loaded, must refuse, or the test proves nothing.
            // Checkpoint's model is used so Crossing's class cache is untouched.
            Checkpoint checkpoint = (Checkpoint) RecordSamples.all().get(Checkpoint.class).get(0);
            try {
                Checkpoint.fromByteBuffer(checkpoint.toByteBuffer());
                throw new IllegalStateException("Avro decoded without trust; control failed");
            } catch (SecurityException expected) {
                System.out.println("avro refused without trust: " + expected.getMessage().split("!")[0]);
            }
            int n = 0;
            for (var entry : RecordSamples.all().entrySet()) {
                @SuppressWarnings("unchecked")
                AvroSerde<SpecificRecord> serde = AvroSerde.of((Class<SpecificRecord>) entry.getKey());
                for (SpecificRecord r : entry.getValue()) {
                    if (!r.equals(serde.decode(serde.encode(r)))) {
                        throw new IllegalStateException("round trip failed for " + entry.getKey());
                    }
                }
                n++;
            }
            if (!crossing.equals(AvroSerde.of(Crossing.class).decode(bytes))) {
                throw new IllegalStateException("Avro's own encoding not decoded");
            }
            System.out.println("serde decoded " + n + " record types");
            System.out.println("classpath entries: " + System.getProperty("java.class.path").split(File.pathSeparator).length);
        }
    }
}
