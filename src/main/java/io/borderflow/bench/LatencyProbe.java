package io.borderflow.bench;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.StayStatus;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.config.Watermarks;
import io.borderflow.flow.LocalWindows;
import io.borderflow.serde.AvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Event-to-output latency at a fixed input rate. The first {@code events} events of the input are produced at
 * {@code rate} events/s (event i is sent at start + i/rate; watermark records go along unpaced), then the
 * end-of-input watermarks; a read_committed consumer reads the outputs meanwhile. Two kinds of sample:
 * <ul>
 * <li><b>net flow</b>: for every (checkpoint, hour) window of the input, its last crossing: from producing it
 * to the first committed record of that window, live ({@code border.net-flows-live.v1}) or final
 * ({@code border.net-flows.v1}) if the window closed first, whose entries and exits equal the window's totals.
 * Counts only grow and count each crossing once, so that record is the first to include the sampled crossing:
 * the figure is exact. (An earlier crossing of a window could not be timed exactly from counts alone: the
 * pipeline hands an hour over per partition.)</li>
 * <li><b>stay status</b>: every n-th crossing of a traveller the stay rules apply to (not a national): from
 * producing it to the first committed {@code border.stay-status.v1} record with that traveller id and that
 * crossing time. Crossings that emit no status (no rule in force, a duplicate) stay unmatched and are counted.</li>
 * </ul>
 * Times are {@link System#nanoTime()} in this JVM on both sides: "appearing" means received by the consumer,
 * which polls continuously ({@code fetch.max.wait.ms} 50).
 */
final class LatencyProbe {
    static final String METHOD = "Net flow: for each (checkpoint, 1h) window, its last crossing, from the producer's send "
            + "call to the first committed net-flow record of that window (live, or final if the window closed first) "
            + "whose entries and exits equal the window's totals; counts only grow, so this is the first output that "
            + "includes the crossing (exact). Stay status: every n-th crossing of a non-national traveller, from send to "
            + "the first committed stay-status record with its traveller id and crossing time. Input paced at a fixed "
            + "rate (event i at start + i/rate), replay producer settings; a read_committed consumer in the same JVM "
            + "receives the outputs (fetch.max.wait.ms 50). Unmatched samples are counted, not timed.";

    private static final byte[] WATERMARK_KEY = "~watermark".getBytes(StandardCharsets.UTF_8);
    private static final String LIVE = Topics.NET_FLOWS_LIVE.name();
    private static final String FINAL = Topics.NET_FLOWS.name();
    private static final String STATUS = Topics.STAY_STATUS.name();

    static BenchResult.LatencyFigures figures(long samples, long[] latenciesNanos) {
        if (latenciesNanos.length == 0) {
            return new BenchResult.LatencyFigures(samples, 0, null, null, null);
        }
        long[] sorted = latenciesNanos.clone();
        Arrays.sort(sorted);
        return new BenchResult.LatencyFigures(samples, sorted.length, ms(percentile(sorted, 0.50)),
                ms(percentile(sorted, 0.99)), ms(sorted[sorted.length - 1]));
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e4) / 100.0;
    }

    /** Nearest rank: the smallest value with at least {@code p} of the values at or below it. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private final InputFile input;
    private final long events;
    private final double rate;
    private final Map<String, Integer> partitions;
    // Samples, by the record's position in the input file.
    private final Map<Long, Integer> flowByRecord = new HashMap<>();
    private final Map<String, Integer> flowByWindow = new HashMap<>();
    private long[] flowExpected = new long[0];
    private final Map<Long, Integer> statusByRecord = new HashMap<>();
    private final Map<String, Integer> statusByKey = new HashMap<>();
    private AtomicLongArray flowSent;
    private AtomicLongArray flowSeen;
    private AtomicLongArray flowViaLive;
    private AtomicLongArray statusSent;
    private AtomicLongArray statusSeen;

    /**
     * @param events     how many events of the input to produce (all of them at most)
     * @param partitions the input topics' partition counts, for the end-of-input watermarks
     */
    LatencyProbe(InputFile input, long events, double rate, Map<String, Integer> partitions) {
        this.input = input;
        this.events = Math.min(events, input.events());
        this.rate = rate;
        this.partitions = partitions;
    }

    /** Picks the samples from the events that will be produced. */
    void plan(Set<String> nationals, int statusSamples) throws IOException {
        AvroSerde<Crossing> serde = AvroSerde.of(Crossing.class);
        long eligible = 0;
        Map<String, long[]> windows = new HashMap<>(); // entries, exits, last record
        try (InputFile.Reader r = input.open()) {
            long n = 0;
            long index = -1;
            InputFile.Entry e;
            while (n < events && (e = r.next()) != null) {
                index++;
                if (!e.isEvent()) {
                    continue;
                }
                n++;
                if (e.topic() != 0) {
                    continue;
                }
                Crossing c = serde.decode(e.value());
                String w = c.getCheckpoint() + "|" + LocalWindows.hourStart(e.timestamp());
                long[] t = windows.computeIfAbsent(w, k -> new long[3]);
                t[c.getDirection() == Direction.ENTRY ? 0 : 1]++;
                t[2] = index;
                if (c.getTravellerId() != null && !nationals.contains(c.getCitizenship())) {
                    eligible++;
                }
            }
        }
        flowExpected = new long[windows.size() * 2];
        for (Map.Entry<String, long[]> w : windows.entrySet()) {
            int id = flowByWindow.size();
            flowByWindow.put(w.getKey(), id);
            flowByRecord.put(w.getValue()[2], id);
            flowExpected[2 * id] = w.getValue()[0];
            flowExpected[2 * id + 1] = w.getValue()[1];
        }
        long every = Math.max(1, eligible / Math.max(1, statusSamples));
        try (InputFile.Reader r = input.open()) {
            long n = 0;
            long index = -1;
            long seen = 0;
            InputFile.Entry e;
            while (n < events && (e = r.next()) != null) {
                index++;
                if (!e.isEvent()) {
                    continue;
                }
                n++;
                if (e.topic() != 0) {
                    continue;
                }
                Crossing c = serde.decode(e.value());
                if (c.getTravellerId() == null || nationals.contains(c.getCitizenship())) {
                    continue;
                }
                if (seen++ % every == 0) {
                    String key = c.getTravellerId() + "|" + c.getTime().toEpochMilli();
                    if (!statusByKey.containsKey(key)) {
                        int id = statusByKey.size();
                        statusByKey.put(key, id);
                        statusByRecord.put(index, id);
                    }
                }
            }
        }
        flowSent = new AtomicLongArray(flowByWindow.size());
        flowSeen = new AtomicLongArray(flowByWindow.size());
        flowViaLive = new AtomicLongArray(flowByWindow.size());
        statusSent = new AtomicLongArray(statusByKey.size());
        statusSeen = new AtomicLongArray(statusByKey.size());
    }

    /** Reads the outputs until told the app is done and the consumer has reached their ends. */
    final class OutputReader implements Runnable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean finishing;
        private final Thread thread = new Thread(this, "bench-latency-reader");
        private final AvroSerde<NetFlowWindow> flows = AvroSerde.of(NetFlowWindow.class);
        private final AvroSerde<StayStatus> statuses = AvroSerde.of(StayStatus.class);

        OutputReader(Properties consumerProperties) {
            Properties p = new Properties();
            p.putAll(consumerProperties);
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
            consumer = new KafkaConsumer<>(p);
            List<TopicPartition> parts = new ArrayList<>();
            for (String topic : List.of(LIVE, FINAL, STATUS)) {
                consumer.partitionsFor(topic).forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            parts.forEach(consumer::position);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            try (consumer) {
                Map<TopicPartition, Long> ends = null;
                while (true) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                        accept(r, System.nanoTime());
                    }
                    if (finishing) {
                        if (ends == null) {
                            ends = consumer.endOffsets(consumer.assignment());
                        }
                        Map<TopicPartition, Long> target = ends;
                        if (target.entrySet().stream().allMatch(en -> consumer.position(en.getKey()) >= en.getValue())) {
                            return;
                        }
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }

        private void accept(ConsumerRecord<byte[], byte[]> r, long now) {
            if (r.value() == null) {
                return;
            }
            if (r.topic().equals(STATUS)) {
                StayStatus s = statuses.deserialize(r.topic(), r.value());
                Integer id = statusByKey.get(s.getTravellerId() + "|" + s.getTime().toEpochMilli());
                if (id != null && statusSeen.get(id) == 0) {
                    statusSeen.set(id, now);
                }
                return;
            }
            NetFlowWindow w = flows.deserialize(r.topic(), r.value());
            if (w.getDimension() != FlowDimension.CHECKPOINT || !"1h".equals(w.getWindow())) {
                return;
            }
            Integer id = flowByWindow.get(w.getKey() + "|" + w.getWindowStart().toEpochMilli());
            if (id != null && flowSeen.get(id) == 0 && w.getEntries() >= flowExpected[2 * id]
                    && w.getExits() >= flowExpected[2 * id + 1]) {
                flowSeen.set(id, now);
                flowViaLive.set(id, r.topic().equals(LIVE) ? 1 : 0);
            }
        }

        /** Tells the reader to stop once it has read to the current end of every output. */
        void finish(Duration timeout) throws InterruptedException {
            finishing = true;
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                throw new IllegalStateException("the latency reader did not reach the end of the outputs within "
                        + timeout.toSeconds() + " s");
            }
            Throwable t = failure.get();
            if (t != null) {
                throw new IllegalStateException("latency reader failed: " + t.getMessage(), t);
            }
        }
    }

    OutputReader reader(Properties consumerProperties) {
        return new OutputReader(consumerProperties);
    }

    /**
     * Produces the planned events at the rate, then the end-of-input watermarks, and flushes.
     *
     * @return {first send, last event sent} as {@link System#nanoTime()}
     */
    long[] produce(Producer<byte[], byte[]> producer) throws IOException, InterruptedException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onAck = (m, ex) -> {
            if (ex != null) {
                failure.compareAndSet(null, ex);
            }
        };
        List<String> names = InputFile.TOPICS.stream().map(TopicSpec::name).toList();
        double nanosPerEvent = 1e9 / rate;
        long start = 0;
        long last = 0;
        long maxTime = Long.MIN_VALUE;
        try (InputFile.Reader r = input.open()) {
            long n = 0;
            long index = -1;
            InputFile.Entry e;
            while (n < events && (e = r.next()) != null) {
                index++;
                if (e.isEvent()) {
                    long now = System.nanoTime();
                    if (start == 0) {
                        start = now;
                    }
                    long wait = start + (long) (n * nanosPerEvent) - now;
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                    n++;
                    maxTime = Math.max(maxTime, e.timestamp());
                }
                Integer flow = flowByRecord.get(index);
                Integer status = statusByRecord.get(index);
                long sent = System.nanoTime();
                if (flow != null) {
                    flowSent.set(flow, sent);
                }
                if (status != null) {
                    statusSent.set(status, sent);
                }
                producer.send(e.to(names.get(e.topic())), onAck);
                if (e.isEvent()) {
                    last = sent;
                }
                Feeder.check(failure);
            }
        }
        // The input stops here: every partition hears that it ended, so every window closes.
        for (TopicSpec spec : InputFile.TOPICS) {
            int n = partitions.get(spec.name());
            for (int p = 0; p < n; p++) {
                ProducerRecord<byte[], byte[]> wm = new ProducerRecord<>(spec.name(), p, (Long) maxTime, WATERMARK_KEY, (byte[]) null);
                wm.headers().add(Watermarks.HEADER, Watermarks.bytes(Watermarks.end(p, n)));
                producer.send(wm, onAck);
            }
        }
        producer.flush();
        Feeder.check(failure);
        return new long[] {start, last};
    }

    /**
     * @param rateAboveThroughput the rate is above the app's measured throughput (the result includes a backlog)
     * @param settle              the first part of the sending, reported apart as well
     */
    BenchResult.Latency result(long[] sendSpan, boolean rateAboveThroughput, Duration settle) {
        long[] flowLatencies = latencies(flowSent, flowSeen, Long.MIN_VALUE);
        long settled = sendSpan[0] + settle.toNanos();
        long viaLive = 0;
        long viaFinal = 0;
        for (int i = 0; i < flowSeen.length(); i++) {
            if (flowSeen.get(i) != 0) {
                if (flowViaLive.get(i) == 1) {
                    viaLive++;
                } else {
                    viaFinal++;
                }
            }
        }
        double seconds = (sendSpan[1] - sendSpan[0]) / 1e9;
        double achieved = seconds > 0 ? (events - 1) / seconds : 0;
        return new BenchResult.Latency(rate, BenchResult.round(achieved), events, BenchResult.round(seconds),
                figures(flowSent.length(), flowLatencies), viaLive, viaFinal,
                figures(statusSent.length(), latencies(statusSent, statusSeen, Long.MIN_VALUE)), rateAboveThroughput,
                settle.toMillis() / 1000.0, figures(sentFrom(flowSent, settled), latencies(flowSent, flowSeen, settled)),
                figures(sentFrom(statusSent, settled), latencies(statusSent, statusSeen, settled)),
                timeline(sendSpan[0], flowSent, flowSeen, statusSent, statusSeen));
    }

    /** How many samples were sent at or after {@code from}. */
    static long sentFrom(AtomicLongArray sent, long from) {
        long n = 0;
        for (int i = 0; i < sent.length(); i++) {
            if (sent.get(i) != 0 && sent.get(i) >= from) {
                n++;
            }
        }
        return n;
    }

    /** Both kinds of sample by the second, from {@code start}, in which they were sent. */
    static List<BenchResult.LatencySecond> timeline(long start, AtomicLongArray flowSent, AtomicLongArray flowSeen,
                                                    AtomicLongArray statusSent, AtomicLongArray statusSeen) {
        Map<Long, Bucket> flows = bySecond(start, flowSent, flowSeen);
        Map<Long, Bucket> statuses = bySecond(start, statusSent, statusSeen);
        long last = Math.max(flows.keySet().stream().mapToLong(Long::longValue).max().orElse(-1),
                statuses.keySet().stream().mapToLong(Long::longValue).max().orElse(-1));
        List<BenchResult.LatencySecond> out = new ArrayList<>();
        Bucket none = new Bucket();
        for (long second = 0; second <= last; second++) {
            out.add(new BenchResult.LatencySecond(second, flows.getOrDefault(second, none).figures(),
                    statuses.getOrDefault(second, none).figures()));
        }
        return out;
    }

    private static Map<Long, Bucket> bySecond(long start, AtomicLongArray sent, AtomicLongArray seen) {
        Map<Long, Bucket> buckets = new HashMap<>();
        for (int i = 0; i < sent.length(); i++) {
            if (sent.get(i) == 0) {
                continue;
            }
            Bucket b = buckets.computeIfAbsent(Math.max(0, sent.get(i) - start) / 1_000_000_000L, k -> new Bucket());
            b.samples++;
            if (seen.get(i) != 0) {
                b.latencies.add(Math.max(0, seen.get(i) - sent.get(i)));
            }
        }
        return buckets;
    }

    private static final class Bucket {
        long samples;
        final List<Long> latencies = new ArrayList<>();

        BenchResult.LatencyFigures figures() {
            return LatencyProbe.figures(samples, latencies.stream().mapToLong(Long::longValue).toArray());
        }
    }

    /** The latencies of the samples sent at or after {@code from} and seen. */
    static long[] latencies(AtomicLongArray sent, AtomicLongArray seen, long from) {
        long[] out = new long[sent.length()];
        int n = 0;
        for (int i = 0; i < sent.length(); i++) {
            if (sent.get(i) != 0 && sent.get(i) >= from && seen.get(i) != 0) {
                out[n++] = Math.max(0, seen.get(i) - sent.get(i));
            }
        }
        return Arrays.copyOf(out, n);
    }
}
