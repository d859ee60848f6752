package io.borderflow.bench;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The physical limit: a plain consume-produce loop with Kafka Streams' exactly-once mechanics and nothing else.
 * One consumer (read_committed, no auto commit, 1000 records a poll as Streams) and one transactional producer
 * configured exactly as the stream app's producer ({@link StreamsConfig#getProducerConfigs}, so the app's
 * linger and batch settings and any {@code streams.producer.*} override apply to both); every record goes
 * unchanged (key, value, timestamp, headers) to the output topic; the input offsets are committed in the
 * transaction every commit interval (the app's {@code commit.interval.ms}, 100 ms under exactly-once).
 */
final class PassThrough implements Runnable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<String> inputs;
    private final int inputPartitions;
    private final String output;
    private final long expectedRecords;
    private final long commitIntervalMs;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private volatile long doneNanos;

    /**
     * @param streamsProperties the stream app's properties ({@link io.borderflow.app.StreamApp#properties})
     */
    PassThrough(BorderflowConfig config, String bootstrapServers, Properties streamsProperties, String id,
                List<String> inputs, int inputPartitions, String output, long expectedRecords) {
        this.inputs = inputs;
        this.inputPartitions = inputPartitions;
        this.output = output;
        this.expectedRecords = expectedRecords;
        StreamsConfig streams = new StreamsConfig(streamsProperties);
        boolean eos = !StreamsConfig.AT_LEAST_ONCE.equals(streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        if (!eos) {
            throw new IllegalArgumentException("the pass-through compares with exactly-once; processing.guarantee is "
                    + streams.getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        }
        // Streams' own default under exactly-once is 100 ms; an explicit setting wins.
        this.commitIntervalMs = streamsProperties.containsKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)
                ? streams.getLong(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG) : 100L;

        Map<String, Object> p = streams.getProducerConfigs(id + "-producer");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());

        Properties c = KafkaClients.common(config, bootstrapServers);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1000");
        streamsProperties.forEach((k, v) -> {
            String key = k.toString();
            if (key.startsWith(StreamsConfig.CONSUMER_PREFIX) || key.startsWith(StreamsConfig.MAIN_CONSUMER_PREFIX)) {
                c.put(key.substring(key.indexOf("consumer.") + "consumer.".length()), v);
            }
        });
        c.put(ConsumerConfig.GROUP_ID_CONFIG, id);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, id + "-consumer");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Blocks until the consumer has its partitions, so the timing does not include joining the group. */
    void awaitReady(Duration timeout) throws InterruptedException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            rethrow();
            throw new IllegalStateException("the pass-through consumer got no partitions within " + timeout.toSeconds() + " s");
        }
        rethrow();
    }

    /** Blocks until every input record is written and committed; returns the {@link System#nanoTime()} of that. */
    long awaitDone(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop = true;
            throw new IllegalStateException("the pass-through did not finish within " + timeout.toMinutes() + " min");
        }
        rethrow();
        return doneNanos;
    }

    @Override
    public void run() {
        try (consumer; producer) {
            producer.initTransactions();
            consumer.subscribe(inputs);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            long consumed = 0;
            while (consumer.assignment().size() < inputPartitions && !stop) {
                consumed += forward(consumer.poll(Duration.ofMillis(100)), offsets, false);
            }
            ready.countDown();
            producer.beginTransaction();
            long lastCommit = System.nanoTime();
            while (consumed < expectedRecords && !stop) {
                consumed += forward(consumer.poll(Duration.ofMillis(100)), offsets, true);
                if (System.nanoTime() - lastCommit >= commitIntervalMs * 1_000_000L || consumed >= expectedRecords) {
                    commit(offsets);
                    lastCommit = System.nanoTime();
                    if (consumed < expectedRecords) {
                        producer.beginTransaction();
                    }
                }
            }
            doneNanos = System.nanoTime();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        } finally {
            ready.countDown();
            done.countDown();
        }
    }

    private long forward(ConsumerRecords<byte[], byte[]> records, Map<TopicPartition, OffsetAndMetadata> offsets,
                         boolean inTransaction) {
        if (records.isEmpty()) {
            return 0;
        }
        if (!inTransaction) {
            throw new IllegalStateException("input arrived before the pass-through was ready");
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            producer.send(new ProducerRecord<>(output, null, r.timestamp(), r.key(), r.value(), r.headers()));
            offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        return records.count();
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (!offsets.isEmpty()) {
            producer.sendOffsetsToTransaction(Map.copyOf(offsets), consumer.groupMetadata());
            offsets.clear();
        }
        producer.commitTransaction();
    }

    private void rethrow() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("pass-through failed: " + t.getMessage(), t);
        }
    }
}
