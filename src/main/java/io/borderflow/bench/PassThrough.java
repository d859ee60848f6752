package io.borderflow.bench;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.kafka.KafkaClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
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
 * The physical limit: plain consume-produce loops with Kafka Streams' exactly-once mechanics and nothing else, as
 * many as the app has stream threads, in one consumer group, so both sides run with the same parallelism. Each
 * loop has one consumer (read_committed, no auto commit, 1000 records a poll as Streams) and one transactional
 * producer configured exactly as the stream app's producer ({@link StreamsConfig#getProducerConfigs}, so the
 * app's linger and batch settings and any {@code streams.producer.*} override apply to both); every record goes
 * unchanged (key, value, timestamp, headers) to the output topic; the input offsets are committed in the
 * transaction every commit interval (the app's {@code commit.interval.ms}, 100 ms under exactly-once).
 */
final class PassThrough implements AutoCloseable {
    private final List<Loop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final int inputPartitions;
    private final long expectedRecords;
    private final long commitIntervalMs;
    /** Input records whose copies are committed, over all loops. */
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong lastCommitWithRecords = new AtomicLong();
    /** Transactions aborted because the group rebalanced under a loop; their records were copied again. */
    private final AtomicLong rebalancesAborted = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean go;
    private volatile boolean stop;

    /**
     * @param streamsProperties the stream app's properties ({@link io.borderflow.app.StreamApp#properties}); their
     *                          {@code num.stream.threads} is the number of loops
     */
    PassThrough(BorderflowConfig config, String bootstrapServers, Properties streamsProperties, String id,
                List<String> inputs, int inputPartitions, String output, long expectedRecords) {
        this.inputPartitions = inputPartitions;
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
        int count = streams.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG);
        try {
            for (int i = 1; i <= count; i++) {
                loops.add(new Loop(config, bootstrapServers, streams, streamsProperties, id, i, inputs, output));
            }
        } catch (RuntimeException e) {
            loops.forEach(Loop::close);
            throw e;
        }
    }

    int loops() {
        return loops.size();
    }

    void start() {
        for (Loop loop : loops) {
            Thread t = new Thread(loop, "bench-pass-through-" + loop.number);
            threads.add(t);
            t.start();
        }
    }

    /**
     * Blocks until every loop has its share of the input partitions, so the timing includes neither joining the
     * group nor a rebalance; then the loops open their transactions.
     */
    void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!assignedToAll()) {
            rethrow();
            if (System.nanoTime() > deadline) {
                stop = true;
                throw new IllegalStateException("the pass-through consumers did not get all " + inputPartitions
                        + " input partitions within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
        go = true;
        for (Loop loop : loops) {
            if (!loop.started.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop = true;
                throw new IllegalStateException("a pass-through loop did not start within " + timeout.toSeconds() + " s");
            }
        }
        rethrow();
    }

    private boolean assignedToAll() {
        int sum = 0;
        for (Loop loop : loops) {
            if (loop.assigned == 0) {
                return false;
            }
            sum += loop.assigned;
        }
        return sum == inputPartitions;
    }

    /**
     * Blocks until every input record is written and committed; returns the {@link System#nanoTime()} of the last
     * commit that carried records (a loop with nothing left to read ends at its next commit interval).
     */
    long awaitDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Loop loop : loops) {
            if (!loop.done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                stop = true;
                throw new IllegalStateException("the pass-through did not finish within " + timeout.toMinutes() + " min");
            }
        }
        rethrow();
        return lastCommitWithRecords.get();
    }

    /** Transactions aborted because the group rebalanced under a loop (their records were copied again). */
    long abortedByRebalance() {
        return rebalancesAborted.get();
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        if (threads.isEmpty()) {
            loops.forEach(Loop::close);
        }
        for (Thread t : threads) {
            t.join(Duration.ofMinutes(1).toMillis());
        }
    }

    private void rethrow() {
        Throwable t = failure.get();
        if (t != null) {
            throw new IllegalStateException("pass-through failed: " + t.getMessage(), t);
        }
    }

    /** One consumer and one transactional producer, as one stream thread has. */
    private final class Loop implements Runnable {
        private final int number;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final KafkaProducer<byte[], byte[]> producer;
        private final List<String> inputs;
        private final String output;
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch done = new CountDownLatch(1);
        private final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        private boolean inTransaction;
        /** Records copied in the open transaction. */
        private long pending;
        private volatile int assigned;

        Loop(BorderflowConfig config, String bootstrapServers, StreamsConfig streams, Properties streamsProperties,
             String id, int number, List<String> inputs, String output) {
            this.number = number;
            this.inputs = inputs;
            this.output = output;
            Map<String, Object> p = streams.getProducerConfigs(id + "-" + number + "-producer");
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id + "-" + number);
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
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, id + "-" + number + "-consumer");
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            KafkaConsumer<byte[], byte[]> created;
            try {
                created = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            } catch (RuntimeException e) {
                producer.close();
                throw e;
            }
            this.consumer = created;
        }

        @Override
        public void run() {
            try (consumer; producer) {
                producer.initTransactions();
                consumer.subscribe(inputs, new Rebalances());
                while (!go && !stop) {
                    forward(consumer.poll(Duration.ofMillis(100)));
                    assigned = consumer.assignment().size();
                }
                if (stop) {
                    return;
                }
                begin();
                started.countDown();
                long lastCommit = System.nanoTime();
                while (!stop) {
                    forward(consumer.poll(Duration.ofMillis(100)));
                    if (System.nanoTime() - lastCommit >= commitIntervalMs * 1_000_000L) {
                        lastCommit = System.nanoTime();
                        commitOrRewind();
                        // Every loop ends once all the input is through, whichever loop committed the last record.
                        if (committed.get() >= expectedRecords) {
                            break;
                        }
                        begin();
                    }
                }
                if (inTransaction) {
                    producer.abortTransaction();
                    inTransaction = false;
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                stop = true;
            } finally {
                started.countDown();
                done.countDown();
            }
        }

        private void begin() {
            producer.beginTransaction();
            inTransaction = true;
        }

        private void forward(ConsumerRecords<byte[], byte[]> records) {
            if (records.isEmpty()) {
                return;
            }
            if (!inTransaction) {
                throw new IllegalStateException("input arrived before the pass-through was ready");
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                producer.send(new ProducerRecord<>(output, null, r.timestamp(), r.key(), r.value(), r.headers()));
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            pending += records.count();
        }

        /** Commits the open transaction with the input offsets; its records count from then on. */
        private void commit() {
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(Map.copyOf(offsets), consumer.groupMetadata());
            }
            producer.commitTransaction();
            inTransaction = false;
            offsets.clear();
            if (pending > 0) {
                committed.addAndGet(pending);
                pending = 0;
                lastCommitWithRecords.accumulateAndGet(System.nanoTime(), Math::max);
            }
        }

        /**
         * Commits, or if the group has moved on without this loop (its generation is stale), aborts and reads again
         * from the committed offsets.
         */
        private void commitOrRewind() {
            try {
                commit();
            } catch (CommitFailedException e) {
                abortAndRewind();
            }
        }

        /** Aborts the open transaction and goes back to the committed offsets of the partitions still held. */
        private void abortAndRewind() {
            abort();
            Set<TopicPartition> partitions = consumer.assignment();
            if (partitions.isEmpty()) {
                return;
            }
            Map<TopicPartition, OffsetAndMetadata> committedOffsets = consumer.committed(partitions);
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = committedOffsets.get(tp);
                if (o == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, o);
                }
            }
        }

        private void abort() {
            producer.abortTransaction();
            inTransaction = false;
            offsets.clear();
            pending = 0;
            rebalancesAborted.incrementAndGet();
        }

        /**
         * As a stream thread does: what was read from partitions about to move is committed before they go (the
         * generation is still valid while they are revoked), so the next owner starts after it and nothing is
         * copied twice. Partitions lost (the group went on without this loop) cannot be committed: the open
         * transaction is aborted, and its records are read again by whoever owns them now. A partition newly
         * assigned starts at its committed offset.
         */
        private final class Rebalances implements ConsumerRebalanceListener {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (inTransaction && !partitions.isEmpty()) {
                    commitOrRewind();
                    begin();
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (inTransaction) {
                    abort();
                    begin();
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        }

        /** For a loop that never ran; a running loop closes its clients itself. */
        void close() {
            consumer.close();
            producer.close();
        }
    }
}
