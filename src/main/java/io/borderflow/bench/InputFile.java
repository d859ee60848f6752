package io.borderflow.bench;

import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.KafkaEventSink;
import io.borderflow.replay.Pacer;
import io.borderflow.replay.Progress;
import io.borderflow.replay.Replay;
import io.borderflow.replay.ReplayStats;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioGenerator;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The benchmark's input: exactly the records a replay of the scenario sends through {@link KafkaEventSink}
 * (events, hourly watermark ticks and the end-of-input watermarks), generated once into a file and re-sent
 * from it in every phase, so generation and Avro encoding are outside every timing and every phase sends the
 * same bytes. A record without a partition is partitioned by the sending producer, as in a replay.
 */
final class InputFile {
    /** The replay's input topics, in the order of the topic index stored per record. */
    static final List<TopicSpec> TOPICS = List.of(Topics.CROSSINGS, Topics.REGISTRATIONS, Topics.IIN_APPLICATIONS);

    private final Path path;
    private final ReplayStats stats;
    private final long records;
    private final double generationSeconds;

    private InputFile(Path path, ReplayStats stats, long records, double generationSeconds) {
        this.path = path;
        this.stats = stats;
        this.records = records;
        this.generationSeconds = generationSeconds;
    }

    /** Generates the scenario's replay into {@code path}; {@code partitions}: the input topics' partition counts. */
    static InputFile generate(Scenario scenario, Path path, Map<String, Integer> partitions, PrintStream out)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ReplayStats stats;
        long records;
        try (DataOutputStream data = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 20))) {
            Recorder recorder = new Recorder(data, partitions);
            try (ScenarioGenerator source = new ScenarioGenerator(scenario, CheckpointCatalog.builtIn());
                 KafkaEventSink sink = new KafkaEventSink(recorder)) {
                stats = Replay.run(source, sink, Pacer.MAX,
                        new Progress(out, false, true, scenario.zone(), null, null), e -> { });
            }
            recorder.check();
            records = recorder.records;
        }
        return new InputFile(path, stats, records, (System.nanoTime() - t0) / 1e9);
    }

    /** The replay events (crossings, registrations, IIN events): what every events/s figure counts. */
    long events() {
        return stats.events();
    }

    ReplayStats stats() {
        return stats;
    }

    /** Events plus watermark records. */
    long records() {
        return records;
    }

    double generationSeconds() {
        return generationSeconds;
    }

    long bytes() throws IOException {
        return Files.size(path);
    }

    Reader open() throws IOException {
        return new Reader(path);
    }

    /** One stored record: the input topic's index in {@link #TOPICS}, and what the replay sent. */
    record Entry(int topic, Integer partition, long timestamp, byte[] key, byte[] value, RecordHeaders headers) {
        /** A replay event; the rest are watermarks (no value). */
        boolean isEvent() {
            return value != null;
        }

        ProducerRecord<byte[], byte[]> to(String topicName) {
            return new ProducerRecord<>(topicName, partition, timestamp, key, value, headers);
        }
    }

    /** Reads the records back in the order they were sent. */
    static final class Reader implements AutoCloseable {
        private final DataInputStream in;

        Reader(Path path) throws IOException {
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 20));
        }

        /** The next record, or null at the end. */
        Entry next() throws IOException {
            int topic;
            try {
                topic = in.readByte();
            } catch (EOFException e) {
                return null;
            }
            int partition = in.readInt();
            long timestamp = in.readLong();
            byte[] key = bytes();
            byte[] value = bytes();
            int n = in.readUnsignedShort();
            RecordHeaders headers = new RecordHeaders();
            for (int i = 0; i < n; i++) {
                headers.add(in.readUTF(), bytes());
            }
            return new Entry(topic, partition < 0 ? null : partition, timestamp, key, value, headers);
        }

        private byte[] bytes() throws IOException {
            int len = in.readInt();
            if (len < 0) {
                return null;
            }
            byte[] b = new byte[len];
            in.readFully(b);
            return b;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * A producer that writes what it is given to the file instead of sending it. It knows the input topics'
     * partition counts, as the replay asks for them to address its watermarks to every partition.
     */
    private static final class Recorder extends MockProducer<byte[], byte[]> {
        private final DataOutputStream out;
        private final Map<String, Integer> partitions;
        private long records;
        private IOException failure;

        Recorder(DataOutputStream out, Map<String, Integer> partitions) {
            this.out = out;
            this.partitions = partitions;
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> r, Callback callback) {
            int topic = topicIndex(r.topic());
            try {
                out.writeByte(topic);
                out.writeInt(r.partition() == null ? -1 : r.partition());
                out.writeLong(r.timestamp());
                write(r.key());
                write(r.value());
                Header[] headers = r.headers().toArray();
                out.writeShort(headers.length);
                for (Header h : headers) {
                    out.writeUTF(h.key());
                    write(h.value());
                }
                records++;
            } catch (IOException e) {
                failure = e;
                throw new UncheckedIOException(e);
            }
            return CompletableFuture.completedFuture(null);
        }

        private void write(byte[] b) throws IOException {
            if (b == null) {
                out.writeInt(-1);
            } else {
                out.writeInt(b.length);
                out.write(b);
            }
        }

        private static int topicIndex(String name) {
            for (int i = 0; i < TOPICS.size(); i++) {
                if (TOPICS.get(i).name().equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("the benchmark input holds replay topics only, not " + name);
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            Integer n = partitions.get(topic);
            if (n == null) {
                throw new IllegalArgumentException("no partition count for " + topic);
            }
            Node node = new Node(1, "recorder", 0);
            List<PartitionInfo> list = new ArrayList<>();
            for (int p = 0; p < n; p++) {
                list.add(new PartitionInfo(topic, p, node, new Node[] {node}, new Node[] {node}));
            }
            return list;
        }

        void check() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
