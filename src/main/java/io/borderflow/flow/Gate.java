package io.borderflow.flow;

import io.borderflow.avro.DeadLetter;
import io.borderflow.config.Watermarks;
import io.borderflow.deadletter.BadInputException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** What the gates share: turning watermarks into keyed markers and bad records into dead letters. */
final class Gate {
    private Gate() {
    }

    /**
     * Forwards a watermark record as a marker the aggregators understand, or returns false if the
     * record is not a watermark.
     */
    static final String SOURCE_PARTITION_HEADER = "borderflow.source-partition";

    /**
     * Headers that tell the aggregator which input partition a record came from: windows close at
     * the slowest partition's time, not the fastest's (tasks consume their partitions at their
     * own pace, and one fetch can hold a day of replayed event time).
     */
    static org.apache.kafka.common.header.Headers source(ProcessorContext<?, ?> context) {
        // A punctuation has no record: a gate's task reads partition N of its input topic.
        int partition = context.recordMetadata().map(RecordMetadata::partition).filter(p -> p >= 0)
                .orElse(context.taskId().partition());
        org.apache.kafka.common.header.internals.RecordHeaders h = new org.apache.kafka.common.header.internals.RecordHeaders();
        h.add(SOURCE_PARTITION_HEADER, java.nio.ByteBuffer.allocate(4).putInt(partition).array());
        return h;
    }

    static int sourcePartition(org.apache.kafka.common.header.Headers headers) {
        org.apache.kafka.common.header.Header h = headers == null ? null : headers.lastHeader(SOURCE_PARTITION_HEADER);
        return h == null || h.value() == null || h.value().length != 4 ? 0 : java.nio.ByteBuffer.wrap(h.value()).getInt();
    }

    static boolean forwardWatermark(ProcessorContext<String, ?> context, Record<byte[], byte[]> record) {
        String wm = Watermarks.value(record.headers());
        if (wm == null) {
            return false;
        }
        String key;
        if (Watermarks.isEnd(wm)) {
            int[] pn = Watermarks.endPartition(wm);
            key = WindowAggregator.END_KEY_PREFIX + pn[0] + "|" + pn[1];
        } else {
            int n = Watermarks.partitions(wm);
            key = n > 0 ? WindowAggregator.WATERMARK_KEY + "|" + n : WindowAggregator.WATERMARK_KEY;
        }
        context.forward(new Record<>(key, null, record.timestamp(), source(context)));
        return true;
    }

    static DeadLetter deadLetter(ProcessorContext<?, ?> context, Record<byte[], byte[]> record, String reason,
                                 String detail, String errorClass) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        return new DeadLetter(meta.map(RecordMetadata::topic).orElse("unknown"),
                meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L),
                record.key() == null ? null : ByteBuffer.wrap(record.key()),
                record.value() == null ? null : ByteBuffer.wrap(record.value()), reason, detail,
                Instant.ofEpochMilli(record.timestamp()), errorClass);
    }

    static void forwardDeadLetter(ProcessorContext<String, SpecificRecord> context, Record<byte[], byte[]> record,
                                  String reason, String detail, FlowMetrics metrics) {
        metrics.record(reason);
        context.forward(new Record<>(reason, deadLetter(context, record, reason, detail, null), record.timestamp()));
    }

    /** An input record that does not decode or holds an impossible value (the gates read every input first). */
    static void forwardDeadLetter(ProcessorContext<String, SpecificRecord> context, Record<byte[], byte[]> record,
                                  BadInputException bad, FlowMetrics metrics) {
        metrics.record(bad.reason());
        context.forward(new Record<>(bad.reason(),
                deadLetter(context, record, bad.reason(), bad.getMessage(), bad.errorClass()), record.timestamp()));
    }
}
