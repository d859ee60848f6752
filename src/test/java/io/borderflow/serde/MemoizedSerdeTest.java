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

    /** The Avro serde, counting how often it really decodes. */
    private static final class Counting {
        final AtomicInteger decodes = new AtomicInteger();
        final AvroSerde<Checkpoint> avro = AvroSerde.of(Checkpoint.class);
        final Serde<Checkpoint> serde = Serdes.serdeFrom(avro, (topic, data) -> {
            decodes.incrementAndGet();
            return avro.deserialize(topic, data);
        });
    }

    private static Checkpoint checkpoint(String id, String region) {
        return new Checkpoint(id, "checkpoint " + id, region, Mode.ROAD, null);
    }

    @Test
    void decodesEachContentOnceAndAnswersWithTheSameValue() {
        Counting counting = new Counting();
        MemoizedSerde<Checkpoint> serde = MemoizedSerde.of(counting.serde, 100);
        byte[] bytes = counting.avro.serialize(TOPIC, checkpoint("KZ-001", "Kostanay"));
        Deserializer<Checkpoint> d = serde.deserializer();

        Checkpoint first = d.deserialize(TOPIC, bytes);
        Checkpoint second = d.deserialize(TOPIC, bytes.clone());

        assertEquals("Kostanay", first.getRegion());
        assertSame(first, second);
        assertEquals(1, counting.decodes.get());
    }

    @Test
    void aChangedValueHasNewBytesAndIsDecodedAfresh() {
        Counting counting = new Counting();
        MemoizedSerde<Checkpoint> serde = MemoizedSerde.of(counting.serde, 100);
        Deserializer<Checkpoint> d = serde.deserializer();
        d.deserialize(TOPIC, counting.avro.serialize(TOPIC, checkpoint("KZ-001", "Kostanay")));

        Checkpoint moved = d.deserialize(TOPIC, counting.avro.serialize(TOPIC, checkpoint("KZ-001", "Aktobe")));

        assertEquals("Aktobe", moved.getRegion());
        assertEquals(2, counting.decodes.get());
    }

    @Test
    void theCallerMayReuseItsArray() {
        Counting counting = new Counting();
        MemoizedSerde<Checkpoint> serde = MemoizedSerde.of(counting.serde, 100);
        Deserializer<Checkpoint> d = serde.deserializer();
        byte[] kostanay = counting.avro.serialize(TOPIC, checkpoint("KZ-001", "Kostanay"));
        byte[] pavlodar = counting.avro.serialize(TOPIC, checkpoint("KZ-001", "Pavlodar"));
        byte[] reused = kostanay.clone();
        d.deserialize(TOPIC, reused);

        // The array now holds another value (same length: both regions have eight letters); the memory must not.
        assertEquals(kostanay.length, pavlodar.length);
        System.arraycopy(pavlodar, 0, reused, 0, pavlodar.length);

        assertEquals("Pavlodar", d.deserialize(TOPIC, reused).getRegion());
        assertEquals("Kostanay", d.deserialize(TOPIC, kostanay).getRegion());
        // Kostanay still remembered under its own bytes: decoded once, Pavlodar once.
        assertEquals(2, counting.decodes.get());
    }

    @Test
    void pastTheLimitItStartsAgainAndStaysRight() {
        Counting counting = new Counting();
        MemoizedSerde<Checkpoint> serde = MemoizedSerde.of(counting.serde, 3);
        Deserializer<Checkpoint> d = serde.deserializer();
        for (int i = 0; i < 10; i++) {
            Checkpoint c = d.deserialize(TOPIC, counting.avro.serialize(TOPIC, checkpoint("KZ-" + i, "R" + i)));
            assertEquals("R" + i, c.getRegion());
        }
        assertEquals(10, counting.decodes.get());
        assertEquals(1, serde.remembered());
        assertThrows(IllegalArgumentException.class, () -> MemoizedSerde.of(counting.serde, 0));
    }

    @Test
    void nullIsATombstoneAndEncodingIsUnchanged() {
        Counting counting = new Counting();
        MemoizedSerde<Checkpoint> serde = MemoizedSerde.of(counting.serde, 100);
        Checkpoint c = checkpoint("KZ-001", "Kostanay");

        assertNull(serde.deserializer().deserialize(TOPIC, null));
        assertArrayEquals(counting.avro.serialize(TOPIC, c), serde.serializer().serialize(TOPIC, c));
        Checkpoint other = serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, c));
        assertNotSame(c, other);
        assertEquals(c, other);
        assertEquals(1, serde.remembered());
    }
}
