package io.borderflow.deadletter;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Record timestamps as Kafka has them, except impossible ones: a timestamp more than
 * {@link InputCheck#FUTURE_TOLERANCE} past the wall clock (or negative) is replaced by the partition's time
 * so far. Stream time only grows, so one bad record stamped 2090 would otherwise close every window and run
 * the stay stage's midnight sweeps for decades ahead, changing the results of the valid records. The record
 * itself is still processed (and dead-lettered if its content is bad too).
 */
public final class SaneTimestamps implements TimestampExtractor {
    private static final Logger LOG = LoggerFactory.getLogger(SaneTimestamps.class);
    private static final AtomicLong REPLACED = new AtomicLong();

    @Override
    public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
        long ts = record.timestamp();
        long latest = System.currentTimeMillis() + InputCheck.FUTURE_TOLERANCE.toMillis();
        if (ts >= 0 && ts <= latest) {
            return ts;
        }
        long replaced = REPLACED.incrementAndGet();
        if (Long.bitCount(replaced) == 1) { // 1st, 2nd, 4th, 8th ... time: visible, not flooding
            LOG.warn("record at {}-{} offset {} has an impossible timestamp {}; using the partition's time instead"
                    + " ({} such records so far)", record.topic(), record.partition(), record.offset(), ts, replaced);
        }
        return Math.max(0, partitionTime);
    }

    /** Records whose timestamp was replaced in this JVM. */
    public static long replaced() {
        return REPLACED.get();
    }
}
