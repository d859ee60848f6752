package io.borderflow.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Registration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** How an old writer that the store lacks is refused, and read once its schema is added. */
class SchemaEvolutionTest {

    private static final String TOPIC = "border.crossings.v1";

    private static Schema resource(String name) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/serde/" + name)) {
            return new Schema.Parser().parse(in);
        }
    }

    private static byte[] write(Schema writer, GenericRecord record) throws IOException {
        ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static GenericRecord crossingV0(Schema v0) {
        GenericData.Record r = new GenericData.Record(v0);
        r.put("eventId", "evt-v0-1");
        r.put("travellerId", RecordSamples.TRAVELLER);
        r.put("citizenship", "KG");
        r.put("direction", new GenericData.EnumSymbol(v0.getField("direction").schema(), "EXIT"));
        r.put("checkpoint", "KZ-ALA-ROAD-01");
        r.put("region", "Almaty");
        r.put("time", RecordSamples.T.toEpochMilli());
        return r;
    }

    @Test
    void writerMissingFromTheStoreIsRefusedWithItsFingerprint() throws IOException {
        Schema v0 = resource("Crossing.v0.avsc");
        long fp = BorderflowSchemaStore.fingerprint(v0);
        byte[] bytes = write(v0, crossingV0(v0));

        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(Crossing.class).deserialize(TOPIC, bytes));
        assertEquals(String.format("border.crossings.v1: unknown schema fingerprint 0x%016x (not in schemas/history),"
                + " expected a Crossing", fp), e.getMessage());
        assertFalse(e.getMessage().contains(RecordSamples.TRAVELLER));
    }

    @Test
    void writerAddedToTheStoreIsResolvedToTheCurrentClass() throws IOException {
        Schema v0 = resource("Crossing.v0.avsc");
        BorderflowSchemaStore store = BorderflowSchemaStore.withExtra(List.of(v0));
        GenericRecord written = crossingV0(v0);
        byte[] bytes = write(v0, written);

        Crossing c = AvroSerde.of(Crossing.class, store).deserialize(TOPIC, bytes);

        assertEquals("evt-v0-1", c.getEventId());
        assertEquals(RecordSamples.TRAVELLER, c.getTravellerId());
        assertEquals(Direction.EXIT, c.getDirection());
        assertEquals("Almaty", c.getRegion());
        assertEquals(Instant.parse("2025-03-14T06:12:45.123Z"), c.getTime());
        assertNull(c.getMode(), "field the old writer lacked takes its default");
        Values.assertPreserved(written, c, "Crossing v0");

        // The history is still all there.
        assertEquals(BorderflowSchemaStore.get().versions("Crossing"), store.versions("Crossing"));
        assertEquals("Crossing (extra schema, not in schemas/history)",
                store.version(BorderflowSchemaStore.fingerprint(v0)).orElseThrow().toString());
    }

    @Test
    void writerOfAnotherRecordTypeIsRefused() {
        Registration registration = (Registration) RecordSamples.all().get(Registration.class).get(0);
        byte[] bytes = AvroSerde.of(Registration.class).encode(registration);
        long fp = BorderflowSchemaStore.fingerprint(Registration.getClassSchema());

        SerializationException e = assertThrows(SerializationException.class,
                () -> AvroSerde.of(Crossing.class).deserialize(TOPIC, bytes));
        assertEquals(String.format("border.crossings.v1: schema fingerprint 0x%016x is Registration v1, not a Crossing",
                fp), e.getMessage());
    }

    @Test
    void incompatibleWriterIsRefusedWithTheReason() throws IOException {
        Schema transit = resource("Crossing.transit.avsc");
        long fp = BorderflowSchemaStore.fingerprint(transit);
        GenericData.Record r = new GenericData.Record(transit);
        r.put("eventId", "evt-t-1");
        r.put("citizenship", "CN");
        // Even a record that does not use the new symbol: a writer version is accepted or refused as a whole.
        r.put("direction", new GenericData.EnumSymbol(transit.getField("direction").schema(), "ENTRY"));
        r.put("checkpoint", "KZ-ALA-ROAD-01");
        r.put("time", 0L);
        byte[] bytes = write(transit, r);
        AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class, BorderflowSchemaStore.withExtra(List.of(transit)));

        for (int attempt = 0; attempt < 2; attempt++) { // the refusal is cached; it must stay the same
            SerializationException e = assertThrows(SerializationException.class, () -> serde.deserialize(TOPIC, bytes));
            assertTrue(e.getMessage().startsWith(String.format("border.crossings.v1: Crossing (extra schema, not in "
                    + "schemas/history) (fingerprint 0x%016x) cannot be read as the current Crossing: ", fp)), e.getMessage());
            assertTrue(e.getMessage().contains("MISSING_ENUM_SYMBOLS"), e.getMessage());
            assertTrue(e.getMessage().contains("TRANSIT"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void aSerdeNeedsTheCurrentSchemaInItsStore() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AvroSerde.of(Crossing.class, fingerprint -> null));
        assertTrue(e.getMessage().contains("schemas/history/Crossing.v<N+1>.avsc"), e.getMessage());
        assertTrue(e.getMessage().startsWith("the current schema of io.borderflow.avro.Crossing"), e.getMessage());
    }
}
