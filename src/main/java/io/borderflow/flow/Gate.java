package io.borderflow.flow;

import io.borderflow.avro.DeadLetter;
import io.borderflow.config.Watermarks;
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
            key = WindowAggregator.WATERMARK_KEY;
        }
        context.forward(new Record<>(key, null, record.timestamp()));
        return true;
    }

    static DeadLetter deadLetter(ProcessorContext<?, ?> context, Record<byte[], byte[]> record, String reason,
                                 String detail) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        return new DeadLetter(meta.map(RecordMetadata::topic).orElse("unknown"),
                meta.map(RecordMetadata::partition).orElse(-1), meta.map(RecordMetadata::offset).orElse(-1L),
                record.key() == null ? null : ByteBuffer.wrap(record.key()),
                record.value() == null ? null : ByteBuffer.wrap(record.value()), reason, detail,
                Instant.ofEpochMilli(record.timestamp()));
    }

    static void forwardDeadLetter(ProcessorContext<String, SpecificRecord> context, Record<byte[], byte[]> record,
                                  String reason, String detail) {
        context.forward(new Record<>(reason, deadLetter(context, record, reason, detail), record.timestamp()));
    }
}
