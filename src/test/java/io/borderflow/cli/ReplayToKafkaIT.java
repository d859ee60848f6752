package io.borderflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.replay.EventJson;
import io.borderflow.replay.Events;
import io.borderflow.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay into a real broker yields exactly the events the same replay writes to a file. */
class ReplayToKafkaIT {
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.startTemporary();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void kafkaHoldsRecordForRecordWhatTheFileHolds() throws Exception {
        String[] range = {"--scenario", "sept-2022-surge", "--from", "2022-09-27", "--to", "2022-09-28", "--quiet"};
        Path file = dir.resolve("surge.jsonl");
        CliRun toFile = CliRun.of(concat(new String[] {"replay", "--to-file", file.toString()}, range));
        assertEquals(0, toFile.exitCode(), toFile.err());
        CliRun toKafka = CliRun.of(concat(new String[] {"replay", "--bootstrap-servers", broker.bootstrapServers()}, range));
        assertEquals(0, toKafka.exitCode(), toKafka.err());
        assertTrue(toKafka.out().contains("events/s"), toKafka.out());

        List<String> expected = new ArrayList<>(Files.readAllLines(file));
        EventJson json = new EventJson();
        List<String> actual = new ArrayList<>();
        Map<String, Integer> perTopic = new HashMap<>();
        Map<String, Integer> watermarks = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(List.of(Topics.CROSSINGS.name(), Topics.REGISTRATIONS.name(),
                Topics.IIN_APPLICATIONS.name()))) {
            if (io.borderflow.config.Watermarks.value(r.headers()) != null) {
                assertEquals(null, r.value(), "a watermark carries no value");
                watermarks.merge(r.topic(), 1, Integer::sum);
                continue;
            }
            SpecificRecord event = switch (r.topic()) {
                case "border.crossings.v1" -> AvroSerde.of(Crossing.class).deserialize(r.topic(), r.value());
                case "border.registrations.v1" -> AvroSerde.of(Registration.class).deserialize(r.topic(), r.value());
                default -> AvroSerde.of(IinApplication.class).deserialize(r.topic(), r.value());
            };
            assertEquals(Events.key(event), new String(r.key(), StandardCharsets.UTF_8), "keyed by traveller");
            assertEquals(Events.time(event).toEpochMilli(), r.timestamp(), "record timestamp is the event time");
            assertEquals(Events.topic(event).name(), r.topic());
            actual.add(json.toJson(event));
            perTopic.merge(r.topic(), 1, Integer::sum);
        }
        assertTrue(expected.size() > 50_000, "two surge days: " + expected.size());
        assertTrue(perTopic.size() == 3, "all three input topics have records: " + perTopic);
        // One tick per event-time hour and one end marker, to each of the 4 partitions of each topic.
        assertTrue(watermarks.values().stream().allMatch(n -> n >= 4 * 40), "watermarks: " + watermarks);
        Collections.sort(expected);
        Collections.sort(actual);
        assertEquals(expected.size(), actual.size());
        assertEquals(expected, actual);

        List<ConsumerRecord<byte[], byte[]>> checkpoints = readAll(List.of(Topics.CHECKPOINTS.name()));
        assertTrue(checkpoints.size() >= 20, "checkpoint reference data: " + checkpoints.size());
        Checkpoint syrym = checkpoints.stream().map(r -> AvroSerde.of(Checkpoint.class).decode(r.value()))
                .filter(c -> c.getId().equals("SYRYM")).findFirst().orElseThrow();
        assertEquals("West Kazakhstan", syrym.getRegion());
    }

    @Test
    void demoRunsOnTheEmbeddedDefaultAndPrintsTheCalibration() {
        CliRun run = CliRun.of("demo", "--from", "2022-09-29", "--to", "2022-09-29", "--quiet",
                "--data-dir", dir.resolve("broker").toString(), "--exit-when-done", "--set", "http.port=0");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("embedded Kafka broker at 127.0.0.1:"), run.out());
        assertTrue(run.out().contains("border.crossings.v1"), run.out());
        // 29 Sep alone covers its T5 figures: 22,500 in and 10,100 out within 15%.
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("T5  in 29 Sep") && l.endsWith("PASS")), run.out());
        assertTrue(Files.isDirectory(dir.resolve("broker")), "a given data dir is kept");
        // The stream app ran too, with its HTTP port: the addresses are printed first, the view's content last.
        assertTrue(run.out().contains("built-in view  http://127.0.0.1:"), run.out());
        assertTrue(run.out().contains("/metrics\n") && run.out().contains("/travellers/{id}/stay"), run.out());
        assertTrue(run.out().contains("the built-in view showed 1 day(s) charted (2022-09-29 to 2022-09-29)"), run.out());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(List<String> topics) {
        Properties p = KafkaClients.consumer(BorderflowConfig.defaults(), broker.bootstrapServers());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (String t : topics) {
                consumer.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
        }
        return out;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
