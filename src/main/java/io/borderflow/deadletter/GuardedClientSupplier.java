package io.borderflow.deadletter;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka's default clients, except that the producers refuse a record larger than {@code max.request.size}
 * before it reaches the Kafka producer. The Kafka producer refuses it too, but under exactly-once its refusal
 * also puts the open transaction in an error state (Kafka 4.3): the commit fails, the task re-processes the same
 * input and fails again, whatever the production exception handler answers. Refused here, the record goes
 * to {@link DeadLetterHandlers.Production} through the send callback and the transaction stays healthy.
 */
public final class GuardedClientSupplier implements org.apache.kafka.streams.KafkaClientSupplier {
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        Object max = config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        int limit = max == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(max.toString().trim());
        return new SizeGuardedProducer(new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()),
                limit);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }

    /**
     * An upper bound of the size the producer computes for a record alone in a batch (batch header 61 bytes,
     * the record's varints and attributes at most 36, each header's two lengths at most 10): a record it lets
     * through, the Kafka producer does too.
     */
    static int sizeUpperBound(ProducerRecord<byte[], byte[]> r) {
        long size = 128L + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
        for (Header h : r.headers()) {
            size += 10L + h.key().length() * 3L + (h.value() == null ? 0 : h.value().length);
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /** Delegates everything, refusing oversized records in {@link #send}. */
    static final class SizeGuardedProducer implements Producer<byte[], byte[]> {
        private final Producer<byte[], byte[]> delegate;
        private final int maxRequestSize;

        SizeGuardedProducer(Producer<byte[], byte[]> delegate, int maxRequestSize) {
            this.delegate = delegate;
            this.maxRequestSize = maxRequestSize;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            return send(record, null);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            int size = sizeUpperBound(record);
            if (size <= maxRequestSize) {
                return delegate.send(record, callback);
            }
            RecordTooLargeException e = new RecordTooLargeException("the record to " + record.topic() + " may take up to "
                    + size + " bytes, more than " + ProducerConfig.MAX_REQUEST_SIZE_CONFIG + " (" + maxRequestSize
                    + "); refused before sending so the transaction stays usable");
            if (callback != null) {
                callback.onCompletion(new RecordMetadata(new TopicPartition(record.topic(),
                        record.partition() == null ? -1 : record.partition()), -1L, -1, -1L, -1, -1), e);
            }
            java.util.concurrent.CompletableFuture<RecordMetadata> failed = new java.util.concurrent.CompletableFuture<>();
            failed.completeExceptionally(e);
            return failed;
        }

        @Override
        public void initTransactions() {
            delegate.initTransactions();
        }

        @Override
        public void beginTransaction() {
            delegate.beginTransaction();
        }

        @Override
        public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             ConsumerGroupMetadata groupMetadata) {
            delegate.sendOffsetsToTransaction(offsets, groupMetadata);
        }

        @Override
        public void commitTransaction() {
            delegate.commitTransaction();
        }

        @Override
        public void abortTransaction() {
            delegate.abortTransaction();
        }

        @Override
        public void registerMetricForSubscription(KafkaMetric metric) {
            delegate.registerMetricForSubscription(metric);
        }

        @Override
        public void unregisterMetricFromSubscription(KafkaMetric metric) {
            delegate.unregisterMetricFromSubscription(metric);
        }

        @Override
        public void flush() {
            delegate.flush();
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            return delegate.partitionsFor(topic);
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return delegate.metrics();
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            return delegate.clientInstanceId(timeout);
        }

        @Override
        public void close() {
            delegate.close();
        }

        @Override
        public void close(Duration timeout) {
            delegate.close(timeout);
        }
    }
}
