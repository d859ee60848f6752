package io.borderflow.flow;

import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Entrance of the daily counts of IIN applications (per region and citizenship) and registrations
 * (per kind and region): decodes, dead-letters what cannot be read, and keys each event by what
 * it is counted under. A missing region is counted as {@code unknown}.
 */
final class CountGate implements Processor<byte[], byte[], String, SpecificRecord> {
    private ProcessorContext<String, SpecificRecord> context;
    private FlowMetrics metrics;

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.metrics = new FlowMetrics(context, "counts");
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        if (Gate.forwardWatermark(context, record)) {
            return;
        }
        if (record.value() == null) {
            Gate.forwardDeadLetter(context, record, "EMPTY",
                    "a record with no value and no watermark header", metrics);
            return;
        }
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        String key;
        try {
            if (topic.equals(Topics.IIN_APPLICATIONS.name())) {
                IinApplication a = AvroSerde.of(IinApplication.class).deserialize(topic, record.value());
                key = "iin." + a.getStage() + "|region+citizenship|" + region(a.getRegion()) + "|" + a.getCitizenship();
            } else {
                Registration r = AvroSerde.of(Registration.class).deserialize(topic, record.value());
                key = "registration|kind+region|" + r.getKind() + "|" + region(r.getRegion());
            }
        } catch (SerializationException e) {
            Gate.forwardDeadLetter(context, record, "DESERIALIZATION",
                    e.getMessage(), metrics);
            return;
        }
        // The key says all there is to count; the value stays empty.
        context.forward(new Record<>(key, null, record.timestamp(), Gate.source(context)));
    }

    private static String region(String r) {
        return r == null || r.isBlank() ? FlowGate.UNKNOWN_REGION : r;
    }
}
