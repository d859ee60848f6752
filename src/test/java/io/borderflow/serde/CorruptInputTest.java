package io.borderflow.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.borderflow.avro.Crossing;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Bad bytes fail with a precise one-line reason that never quotes the record's values. */
class CorruptInputTest {

    private static final String TOPIC = "border.crossings.v1";
    private final AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class);
    private final Crossing sample = (Crossing) RecordSamples.all().get(Crossing.class).get(0);
    private final byte[] good = serde.encode(sample);
    private final String fp = String.format("0x%016x", BorderflowSchemaStore.fingerprint(Crossing.getClassSchema()));

    private SerializationException fails(byte[] bytes) {
        SerializationException e = assertThrows(SerializationException.class, () -> serde.deserialize(TOPIC, bytes));
        assertSafe(e.getMessage());
        return e;
    }

    private void assertSafe(String message) {
        assertFalse(message.contains("\n"), message);
        for (String value : new String[] {sample.getEventId(), sample.getTravellerId(), sample.getCheckpoint(),
                sample.getRegion()}) {
            assertFalse(message.contains(value), "message quotes a field value: " + message);
        }
    }

    @Test
    void empty() {
        assertEquals("border.crossings.v1: too short for Avro single-object encoding: 0 bytes, need at least 10",
                fails(new byte[0]).getMessage());
    }

    @Test
    void shorterThanTheHeader() {
        assertEquals("border.crossings.v1: too short for Avro single-object encoding: 9 bytes, need at least 10",
                fails(Arrays.copyOf(good, 9)).getMessage());
    }

    @Test
    void wrongMagic() {
        byte[] json = "{\"eventId\":\"evt-000001\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals("border.crossings.v1: not Avro single-object encoding: header 0x7B 0x22, expected 0xC3 0x01",
                fails(json).getMessage());
        byte[] version2 = good.clone();
        version2[1] = 0x02;
        assertEquals("border.crossings.v1: not Avro single-object encoding: header 0xC3 0x02, expected 0xC3 0x01",
                fails(version2).getMessage());
    }

    @Test
    void unknownFingerprint() {
        byte[] bytes = good.clone();
        ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1234abcd5678ef90L);
        assertEquals("border.crossings.v1: unknown schema fingerprint 0x1234abcd5678ef90 (not in schemas/history),"
                + " expected a Crossing", fails(bytes).getMessage());
    }

    @Test
    void truncatedBody() {
        String message = fails(Arrays.copyOf(good, good.length - 3)).getMessage();
        assertEquals("border.crossings.v1: corrupt Crossing body written with Crossing v1 (fingerprint " + fp + ", "
                + (good.length - 3) + " bytes): body ends early (truncated?)", message);
    }

    @Test
    void everyTruncationFails() {
        for (int n = 0; n < good.length; n++) {
            fails(Arrays.copyOf(good, n));
        }
    }

    @Test
    void headerWithoutBody() {
        assertTrue(fails(Arrays.copyOf(good, 10)).getMessage().endsWith("body ends early (truncated?)"));
    }

    @Test
    void trailingBytes() {
        byte[] bytes = Arrays.copyOf(good, good.length + 2);
        assertEquals("border.crossings.v1: corrupt Crossing body written with Crossing v1 (fingerprint " + fp + ", "
                + bytes.length + " bytes): 2 bytes left after the record", fails(bytes).getMessage());
    }

    @Test
    void badEnumIndex() {
        // eventId, travellerId (union index + string), citizenship, then the direction enum index.
        Crossing c = new Crossing("e", null, "RU", io.borderflow.avro.Direction.EXIT, "c", null, null,
                RecordSamples.T);
        byte[] bytes = serde.encode(c);
        int directionAt = 10 + 2 /* "e" */ + 1 /* null branch */ + 3 /* "RU" */;
        assertEquals(2, bytes[directionAt], "zig-zag of EXIT's index 1");
        bytes[directionAt] = 14; // index 7
        String message = fails(bytes).getMessage();
        assertEquals("border.crossings.v1: corrupt Crossing body written with Crossing v1 (fingerprint " + fp + ", "
                + bytes.length + " bytes): invalid data (AvroTypeException: Enumeration out of range: must be in [0, 2),"
                + " but received 7)", message);
    }

    @Test
    void hugeLengthPrefixDoesNotAllocate() {
        byte[] bytes = Arrays.copyOf(good, 15);
        // eventId length as a 5-byte varint near Integer.MAX_VALUE
        bytes[10] = (byte) 0xFE;
        bytes[11] = (byte) 0xFF;
        bytes[12] = (byte) 0xFF;
        bytes[13] = (byte) 0xFF;
        bytes[14] = (byte) 0x0F;
        String message = fails(bytes).getMessage();
        assertTrue(message.startsWith("border.crossings.v1: corrupt Crossing body"), message);
        assertTrue(message.contains("Cannot read strings longer than"), message);
    }

    @Test
    void withoutATopicTheMessageNamesTheType() {
        SerializationException e = assertThrows(SerializationException.class, () -> serde.decode(new byte[3]));
        assertEquals("Crossing: too short for Avro single-object encoding: 3 bytes, need at least 10", e.getMessage());
    }

    /** Random damage to the body either still decodes or fails as a SerializationException, never otherwise. */
    @Test
    void randomCorruptionOnlyEverFailsCleanly() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] bytes = good.clone();
            int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++) {
                bytes[10 + random.nextInt(bytes.length - 10)] = (byte) random.nextInt(256);
            }
            try {
                serde.deserialize(TOPIC, bytes);
            } catch (SerializationException e) {
                assertTrue(e.getMessage().startsWith("border.crossings.v1: corrupt Crossing body"), e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("mutation " + i + " escaped as " + e, e);
            }
        }
    }
}
