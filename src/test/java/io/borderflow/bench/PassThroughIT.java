package io.borderflow.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.app.StreamApp;
import io.borderflow.app.TestKafka;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's raw pass-through on a broker of its own, through a consumer group rebalance in the middle of the
 * input: a foreign member joins the loops' group, holds some partitions for a while, then leaves. Every input
 * record is still copied exactly once (what a loop read from a partition it gives up is committed before the
 * partition goes), and the run ends when the last copy is committed.
 */
class PassThroughIT {
    private static final String GROUP = "pass-through-it";
    private static final List<String> INPUTS = List.of("pt-in-a", "pt-in-b");
    private static final String OUTPUT = "pt-out";
    private static final int RECORDS = 40_000;

    @TempDir
    Path dir;

    @Test
    void copiesEveryRecordOnceThroughARebalance() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            BorderflowConfig config = BorderflowConfig.of(Map.of(BorderflowConfig.BOOTSTRAP_SERVERS, bootstrap,
                    "streams.num.stream.threads", "2"));
            try (Admin admin = Admin.create(KafkaClients.admin(config, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(INPUTS.get(0), 4, (short) 1), new NewTopic(INPUTS.get(1), 2, (short) 1),
                        new NewTopic(OUTPUT, 1, (short) 1))).all().get();
            }
            Properties streams = StreamApp.properties(config, bootstrap, dir.resolve("unused"));
            try (PassThrough pt = new PassThrough(config, bootstrap, streams, GROUP, INPUTS, 6, OUTPUT,
                    RECORDS);
                 KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
                assertEquals(2, pt.loops());
                pt.start();
                pt.awaitReady(Duration.ofMinutes(1));
                // The input flows while the group changes twice, so the loops hold uncommitted copies at each change.
                Thread sender = new Thread(() -> send(producer));
                sender.start();
                try (KafkaConsumer<byte[], byte[]> intruder = intruder(bootstrap)) {
                    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (intruder.assignment().isEmpty() && System.nanoTime() < until) {
                        intruder.poll(Duration.ofMillis(50));
                    }
                    assertTrue(!intruder.assignment().isEmpty(), "the foreign member got no partition");
                    for (int i = 0; i < 20; i++) {
                        intruder.poll(Duration.ofMillis(50)); // stays in the group, commits nothing
                    }
                }
                sender.join();
                pt.awaitDone(Duration.ofMinutes(2));
            }
            Map<String, Integer> copies = new TreeMap<>();
            for (ConsumerRecord<byte[], byte[]> r : TestKafka.readCommitted(bootstrap, OUTPUT)) {
                copies.merge(new String(r.key(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            assertEquals(RECORDS, copies.size(), "every input record is in the output");
            Map<String, Integer> twice = new HashMap<>();
            copies.forEach((k, n) -> {
                if (n != 1) {
                    twice.put(k, n);
                }
            });
            assertEquals(Map.of(), twice, "no record is copied twice");
        }
    }

    /** The input at about 10,000 records/s. */
    private static void send(KafkaProducer<byte[], byte[]> producer) {
        long start = System.nanoTime();
        for (int i = 0; i < RECORDS; i++) {
            String key = "k" + i;
            producer.send(new ProducerRecord<>(INPUTS.get(i % 2), key.getBytes(StandardCharsets.UTF_8), new byte[100]));
            if (i % 100 == 99) {
                long ahead = start + i * 100_000L - System.nanoTime();
                if (ahead > 0) {
                    try {
                        Thread.sleep(ahead / 1_000_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
        producer.flush();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> intruder(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        consumer.subscribe(INPUTS);
        return consumer;
    }
}
