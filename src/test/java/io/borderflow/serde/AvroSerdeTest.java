package io.borderflow.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Alert;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Registration;
import io.borderflow.avro.StayStatus;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeTest {

    static Stream<Arguments> samples() {
        List<Arguments> out = new ArrayList<>();
        RecordSamples.all().forEach((type, records) -> {
            for (int i = 0; i < records.size(); i++) {
                out.add(Arguments.of(type.getSimpleName() + (i == 0 ? " (optionals set)" : " (optionals null)"),
                        type, records.get(i)));
            }
        });
        return out.stream();
    }

    @Test
    void samplesCoverEveryRecordType() {
        assertEquals(Set.copyOf(BorderflowSchemaStore.RECORD_TYPES), RecordSamples.all().keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    <T extends SpecificRecord> void roundTrip(String label, Class<T> type, T record) {
        AvroSerde<T> serde = AvroSerde.of(type);
        byte[] bytes = serde.serialize("topic", record);
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        T back = serde.deserialize("topic", bytes);
        assertEquals(record, back);
        assertSame(type, back.getClass());
        assertEquals(record, serde.decode(serde.encode(record)));
        assertArrayEquals(bytes, serde.encode(back), "encoding is deterministic");
    }

    /** Other Avro users (and other languages) must read what we write, and we what they write. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    <T extends SpecificRecord> void sameWireFormatAsAvroMessageEncoding(String label, Class<T> type, T record)
            throws Exception {
        AvroSerde<T> serde = AvroSerde.of(type);
        byte[] ours = serde.encode(record);

        @SuppressWarnings("unchecked")
        ByteBuffer avros = (ByteBuffer) type.getMethod("toByteBuffer").invoke(record);
        assertEquals(ByteBuffer.wrap(ours), avros);

        @SuppressWarnings("unchecked")
        BinaryMessageDecoder<T> avroDecoder = (BinaryMessageDecoder<T>) type
                .getMethod("createDecoder", org.apache.avro.message.SchemaStore.class)
                .invoke(null, BorderflowSchemaStore.get());
        assertEquals(record, avroDecoder.decode(ours));
    }

    /** Checked apart: Avro's generated equals() treats NaN as unequal to itself. */
    @Test
    void notANumberSurvives() {
        Alert alert = (Alert) RecordSamples.all().get(Alert.class).get(1);
        alert.setValue(Double.NaN);
        alert.setThreshold(Double.NEGATIVE_INFINITY);
        AvroSerde<Alert> serde = AvroSerde.of(Alert.class);
        Alert back = serde.decode(serde.encode(alert));
        assertTrue(Double.isNaN(back.getValue()));
        assertEquals(Double.NEGATIVE_INFINITY, back.getThreshold());
    }

    @Test
    void nullInNullOut() {
        AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class);
        assertNull(serde.encode(null));
        assertNull(serde.decode(null));
        assertNull(serde.serialize("t", null));
        assertNull(serde.serialize("t", new RecordHeaders(), null));
        assertNull(serde.deserialize("t", null));
        assertNull(serde.deserialize("t", new RecordHeaders(), (byte[]) null));
        assertNull(serde.deserialize("t", new RecordHeaders(), (ByteBuffer) null));
    }

    @Test
    void decodesFromBufferSlicesWithoutTouchingTheirPosition() {
        AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class);
        Crossing record = (Crossing) RecordSamples.all().get(Crossing.class).get(0);
        byte[] bytes = serde.encode(record);

        byte[] padded = new byte[bytes.length + 9];
        System.arraycopy(bytes, 0, padded, 5, bytes.length);
        ByteBuffer slice = ByteBuffer.wrap(padded, 5, bytes.length).slice();
        assertEquals(record, serde.deserialize("t", new RecordHeaders(), slice));
        assertEquals(0, slice.position());

        ByteBuffer positioned = ByteBuffer.wrap(padded, 5, bytes.length);
        assertEquals(record, serde.deserialize("t", new RecordHeaders(), positioned));
        assertEquals(5, positioned.position());

        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        assertEquals(record, serde.deserialize("t", new RecordHeaders(), direct));
        assertEquals(0, direct.position());
    }

    @Test
    void isItsOwnSerializerAndDeserializerAndSharedPerType() {
        AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class);
        Serde<Crossing> asSerde = serde;
        assertSame(serde, asSerde.serializer());
        assertSame(serde, asSerde.deserializer());
        assertSame(serde, AvroSerde.of(Crossing.class));
        asSerde.configure(Map.of(), false);
        asSerde.close();
        Crossing record = (Crossing) RecordSamples.all().get(Crossing.class).get(0);
        assertEquals(record, serde.decode(serde.encode(record)), "still usable after close()");
        assertEquals(Crossing.getClassSchema(), serde.schema());
        assertSame(Crossing.class, serde.type());
    }

    @Test
    void encodingAnInvalidRecordNamesTheFieldButNotTheValues() {
        AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class);
        Crossing missingEventId = new Crossing(null, RecordSamples.TRAVELLER, "RU", Direction.ENTRY, "KZ-1",
                "Almaty", null, RecordSamples.T);
        SerializationException e = assertThrows(SerializationException.class,
                () -> serde.serialize("border.crossings.v1", missingEventId));
        assertEquals("border.crossings.v1: cannot encode Crossing: null value for (non-nullable) string at "
                + "Crossing.eventId", e.getMessage());
        assertFalse(e.getMessage().contains(RecordSamples.TRAVELLER));
    }

    @Test
    void manyThreadsShareOneSerde() throws Exception {
        AvroSerde<StayStatus> stay = AvroSerde.of(StayStatus.class);
        AvroSerde<Registration> registrations = AvroSerde.of(Registration.class);
        List<SpecificRecord> stays = RecordSamples.all().get(StayStatus.class);
        List<SpecificRecord> regs = RecordSamples.all().get(Registration.class);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int offset = t;
                tasks.add(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        StayStatus s = (StayStatus) stays.get((i + offset) % stays.size());
                        Registration r = (Registration) regs.get((i + offset) % regs.size());
                        if (!s.equals(stay.decode(stay.encode(s))) || !r.equals(registrations.decode(registrations.encode(r)))) {
                            return i;
                        }
                    }
                    return -1;
                });
            }
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                assertEquals(-1, f.get(), "a record was corrupted by a concurrent encode/decode");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void installsTrustForTheGeneratedPackage() {
        AvroSerde.trustGeneratedClasses();
        assertTrue(AvroSerde.TRUST_GENERATED.isTrusted(Crossing.class));
        assertTrue(AvroSerde.TRUST_GENERATED.isTrusted(Direction.class));
        assertFalse(AvroSerde.TRUST_GENERATED.isTrusted(java.io.File.class));
        assertTrue(ClassSecurityValidator.getGlobal().isTrusted(Crossing.class));
        assertTrue(ClassSecurityValidator.getGlobal().isTrusted(String.class), "Avro's own defaults are kept");
    }
}
