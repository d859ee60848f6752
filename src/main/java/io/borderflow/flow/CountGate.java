package io.borderflow.flow;

import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import io.borderflow.config.Topics;
import io.borderflow.deadletter.BadInputException;
import io.borderflow.deadletter.InputCheck;
import java.time.ZoneId;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Entrance of the daily counts of IIN applications (per region and citizenship) and registrations
 * (per kind and region): decodes and checks ({@link InputCheck}), dead-letters what cannot be used
 * (the only dead letters of the app for these topics), and keys each event by what it is counted
 * under. A missing region is counted as {@code unknown}.
 */
final class CountGate implements Processor<byte[], byte[], String, SpecificRecord> {
    private final InputCheck check;
    private ProcessorContext<String, SpecificRecord> context;
    private FlowMetrics metrics;

    CountGate(ZoneId zone) {
        this.check = new InputCheck(zone);
    }

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
        String topic = context.recordMetadata().map(m -> m.topic()).orElse("");
        String key;
        try {
            if (topic.equals(Topics.IIN_APPLICATIONS.name())) {
                IinApplication a = check.iin(topic, record.value());
                key = "iin." + a.getStage() + "|region+citizenship|" + region(a.getRegion()) + "|" + a.getCitizenship();
            } else {
                Registration r = check.registration(topic, record.value());
                key = "registration|kind+region|" + r.getKind() + "|" + region(r.getRegion());
            }
        } catch (BadInputException e) {
            Gate.forwardDeadLetter(context, record, e, metrics);
            return;
        }
        // The key says all there is to count; the value stays empty.
        context.forward(new Record<>(key, null, record.timestamp(), Gate.source(context)));
    }

    private static String region(String r) {
        return r == null || r.isBlank() ? FlowGate.UNKNOWN_REGION : r;
    }
}
