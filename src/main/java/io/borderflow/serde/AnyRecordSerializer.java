package io.borderflow.serde;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serialises whatever borderflow record it is given with that type's {@link AvroSerde}: for a
 * sink whose topic is chosen per record and so whose value type varies.
 */
public final class AnyRecordSerializer implements Serializer<SpecificRecord> {
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public byte[] serialize(String topic, SpecificRecord data) {
        if (data == null) {
            return null;
        }
        AvroSerde serde = AvroSerde.of(data.getClass());
        return serde.serialize(topic, data);
    }

    /** A serde for sinks only: reading mixed types back needs the topic's own serde. */
    public static Serde<SpecificRecord> serde() {
        return new Serde<>() {
            @Override
            public Serializer<SpecificRecord> serializer() {
                return new AnyRecordSerializer();
            }

            @Override
            public Deserializer<SpecificRecord> deserializer() {
                return (topic, bytes) -> {
                    throw new UnsupportedOperationException("write-only serde: read " + topic + " with its own AvroSerde");
                };
            }
        };
    }
}
