package io.borderflow.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Mode;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

class MemoizedSerdeTest {
    private static final String TOPIC = "t";

    private final AtomicInteger decodes = new AtomicInteger();
    private final AvroSerde<Checkpoint> avro = AvroSerde.of(Checkpoint.class);
    /** The Avro serde, counting how often it really decodes. */
    private final Serde<Checkpoint> counting = Serdes.serdeFrom(avro, (topic, data) -> {
        decodes.incrementAndGet();
        return avro.deserialize(topic, data);
    });
    private final MemoizedSerde<Checkpoint> serde = MemoizedSerde.of(counting, 100);
    private final Deserializer<Checkpoint> d = serde.deserializer();

    private static Checkpoint checkpoint(String id, String region) {
        return new Checkpoint(id, "checkpoint " + id, region, Mode.ROAD, null);
    }

    private byte[] bytes(String id, String region) {
        return avro.serialize(TOPIC, checkpoint(id, region));
    }

    @Test
    void decodesEachContentOnceAndAnswersWithTheSameValue() {
        byte[] bytes = bytes("KZ-001", "Kostanay");

        Checkpoint first = d.deserialize(TOPIC, bytes);
        Checkpoint second = d.deserialize(TOPIC, bytes.clone());

        assertEquals("Kostanay", first.getRegion());
        assertSame(first, second);
        assertEquals(1, decodes.get());
    }

    @Test
    void aChangedValueHasNewBytesAndIsDecodedAfresh() {
        d.deserialize(TOPIC, bytes("KZ-001", "Kostanay"));

        Checkpoint moved = d.deserialize(TOPIC, bytes("KZ-001", "Aktobe"));

        assertEquals("Aktobe", moved.getRegion());
        assertEquals(2, decodes.get());
    }

    @Test
    void theCallerMayReuseItsArray() {
        byte[] kostanay = bytes("KZ-001", "Kostanay");
        byte[] pavlodar = bytes("KZ-001", "Pavlodar");
        byte[] reused = kostanay.clone();
        d.deserialize(TOPIC, reused);

        // The array now holds another value (same length: both regions have eight letters); the memory must not.
        assertEquals(kostanay.length, pavlodar.length);
        System.arraycopy(pavlodar, 0, reused, 0, pavlodar.length);

        assertEquals("Pavlodar", d.deserialize(TOPIC, reused).getRegion());
        assertEquals("Kostanay", d.deserialize(TOPIC, kostanay).getRegion());
        // Kostanay still remembered under its own bytes: decoded once, Pavlodar once.
        assertEquals(2, decodes.get());
    }

    @Test
    void pastTheLimitItStartsAgainAndStaysRight() {
        MemoizedSerde<Checkpoint> small = MemoizedSerde.of(counting, 3);
        for (int i = 0; i < 10; i++) {
            assertEquals("R" + i, small.deserializer().deserialize(TOPIC, bytes("KZ-" + i, "R" + i)).getRegion());
        }
        assertEquals(10, decodes.get());
        assertEquals(1, small.remembered());
        assertThrows(IllegalArgumentException.class, () -> MemoizedSerde.of(counting, 0));
    }

    @Test
    void nullIsATombstoneAndEncodingIsUnchanged() {
        Checkpoint c = checkpoint("KZ-001", "Kostanay");

        assertNull(d.deserialize(TOPIC, null));
        assertArrayEquals(avro.serialize(TOPIC, c), serde.serializer().serialize(TOPIC, c));
        Checkpoint decoded = d.deserialize(TOPIC, serde.serializer().serialize(TOPIC, c));
        assertNotSame(c, decoded);
        assertEquals(c, decoded);
        assertEquals(1, serde.remembered());
    }
}
