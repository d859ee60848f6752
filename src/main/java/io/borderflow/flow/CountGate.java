package io.borderflow.flow;

import io.borderflow.avro.FlowDelta;
import io.borderflow.config.Watermarks;

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
 * under. A missing region is counted as {@code unknown}. Events are counted here first, per hour and key
 * ({@link HourlyPartials}), and each finished hour goes on as one {@link FlowDelta} per key whose entries are
 * the count; an event of an hour already handed over goes on alone with a null value (a count of one).
 */
final class CountGate implements Processor<byte[], byte[], String, SpecificRecord> {
    static final String PARTIALS_STORE = "count-partials";
    private final InputCheck check;
    private HourlyPartials partials;
    private ProcessorContext<String, SpecificRecord> context;
    private FlowMetrics metrics;

    CountGate(ZoneId zone) {
        this.check = new InputCheck(zone);
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.metrics = new FlowMetrics(context, "counts");
        this.partials = new HourlyPartials(context.getStateStore(PARTIALS_STORE));
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String wm = Watermarks.value(record.headers());
        if (wm != null) {
            handOver(Watermarks.isEnd(wm) ? Long.MAX_VALUE : LocalWindows.hourStart(record.timestamp()));
            Gate.forwardWatermark(context, record);
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
        long ts = record.timestamp();
        long hour = LocalWindows.hourStart(ts);
        if (partials.handedOver(hour)) {
            // The key says all there is to count; the value stays empty.
            context.forward(new Record<>(key, null, ts, Gate.source(context)));
            return;
        }
        partials.add(hour, key, 1, 0);
        if (handOver(hour)) {
            context.forward(new Record<>(WindowAggregator.WATERMARK_KEY, null, ts, Gate.source(context)));
        }
    }

    /** The count of an accepted record: a partial's, or one for an event sent on alone. */
    static long count(SpecificRecord accepted) {
        return accepted instanceof FlowDelta d ? d.getEntries() : 1L;
    }

    private boolean handOver(long before) {
        return partials.handOverTo(context, before, Gate.source(context));
    }

    private static String region(String r) {
        return r == null || r.isBlank() ? FlowGate.UNKNOWN_REGION : r;
    }
}
