package io.borderflow.view;

import io.borderflow.avro.Alert;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.PresentStock;
import io.borderflow.avro.StayStatus;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link ViewModel} from the output topics with its own consumer: read_committed (only
 * what the exactly-once app committed), no group (every start reads from the beginning, so the view
 * is whole after a restart), on a daemon thread.
 */
public final class ViewFeed implements AutoCloseable {
    static final List<TopicSpec> TOPICS = List.of(Topics.NET_FLOWS, Topics.NET_FLOW_CORRECTIONS,
            Topics.PRESENT_STOCK, Topics.STAY_STATUS, Topics.ALERTS);
    private static final Logger LOG = LoggerFactory.getLogger(ViewFeed.class);
    private static final Duration TOPIC_RECHECK = Duration.ofSeconds(5);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final ViewModel model;
    private final Thread thread;
    private final AtomicLong undecodable = new AtomicLong();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    private final AvroSerde<NetFlowWindow> netFlows = AvroSerde.of(NetFlowWindow.class);
    private final AvroSerde<PresentStock> stock = AvroSerde.of(PresentStock.class);
    private final AvroSerde<StayStatus> statuses = AvroSerde.of(StayStatus.class);
    private final AvroSerde<Alert> alerts = AvroSerde.of(Alert.class);

    private ViewFeed(Properties consumerProperties, ViewModel model) {
        Properties p = new Properties();
        p.putAll(consumerProperties);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "borderflow-view");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.model = model;
        this.thread = new Thread(this::run, "borderflow-view-feed");
        thread.setDaemon(true);
    }

    /** Starts reading; the consumer properties are those of {@code KafkaClients.consumer}. */
    public static ViewFeed start(Properties consumerProperties, ViewModel model) {
        ViewFeed feed = new ViewFeed(consumerProperties, model);
        feed.thread.start();
        return feed;
    }

    private void run() {
        Set<String> assigned = new HashSet<>();
        long nextCheck = 0;
        try {
            while (running) {
                if (assigned.size() < TOPICS.size() && System.nanoTime() >= nextCheck) {
                    assignNewTopics(assigned);
                    nextCheck = System.nanoTime() + TOPIC_RECHECK.toNanos();
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(200);
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    apply(r);
                }
                for (TopicPartition tp : consumer.assignment()) {
                    positions.put(tp, consumer.position(tp));
                }
            }
        } catch (WakeupException e) {
            // close() woke us up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("built-in view feed stopped: {}", e.toString());
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Topics appear when the app or {@code topics --create} makes them; pick up the ones there now. */
    private void assignNewTopics(Set<String> assigned) {
        List<TopicPartition> added = new ArrayList<>();
        for (TopicSpec spec : TOPICS) {
            if (assigned.contains(spec.name())) {
                continue;
            }
            List<PartitionInfo> parts = consumer.partitionsFor(spec.name(), Duration.ofSeconds(5));
            if (parts != null && !parts.isEmpty()) {
                parts.forEach(pi -> added.add(new TopicPartition(spec.name(), pi.partition())));
                assigned.add(spec.name());
            }
        }
        if (!added.isEmpty()) {
            List<TopicPartition> all = new ArrayList<>(consumer.assignment());
            all.addAll(added);
            consumer.assign(all);
            consumer.seekToBeginning(added);
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        if (r.value() == null) {
            return;
        }
        String topic = r.topic();
        try {
            if (topic.equals(Topics.NET_FLOWS.name()) || topic.equals(Topics.NET_FLOW_CORRECTIONS.name())) {
                model.netFlow(netFlows.deserialize(topic, r.value()));
            } else if (topic.equals(Topics.PRESENT_STOCK.name())) {
                model.presentStock(stock.deserialize(topic, r.value()));
            } else if (topic.equals(Topics.STAY_STATUS.name())) {
                model.stayStatus(statuses.deserialize(topic, r.value()));
            } else if (topic.equals(Topics.ALERTS.name())) {
                model.alert(alerts.deserialize(topic, r.value()));
            }
        } catch (SerializationException e) {
            // The message names topic and schema, never field values.
            if (undecodable.getAndIncrement() == 0) {
                LOG.warn("built-in view skips undecodable records: {}", e.getMessage());
            }
        }
    }

    /**
     * True when the feed has read every partition of {@code endOffsets} (read_committed ends, e.g.
     * from the admin client) up to its end.
     */
    public boolean reached(Map<TopicPartition, Long> endOffsets) {
        return endOffsets.entrySet().stream().allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    /** Records the view could not decode (skipped). */
    public long undecodable() {
        return undecodable.get();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
