package io.borderflow.flow;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.FlowDelta;
import io.borderflow.avro.DailyCount;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.PresentStock;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.serde.AnyRecordSerializer;
import io.borderflow.serde.AvroSerde;
import io.borderflow.serde.MemoizedSerde;
import io.borderflow.state.WriteBehindKeyValueStore;
import io.borderflow.state.WriteBehindWindowStore;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.common.utils.Utils;

/**
 * Net flows: entries, exits and net per checkpoint, region, citizenship and nationwide, in hourly,
 * local-day and 7-day windows; present stock; daily counts of IIN applications and registrations.
 * Every processor, store and internal topic is named: the names are the upgrade contract.
 *
 * <pre>
 * crossings ─ flow-gate ─┬─ dead letters / data quality
 *   (checkpoints table)  └─ repartition "flow-by-dimension" ─ flow-aggregate ─ net flows (final, live,
 *                                                                            corrections), late events,
 *                                                                            present stock
 * iin, registrations ─ count-gate (hourly partials) ─ repartition "count-by-key" ─ count-aggregate ─ daily counts
 * </pre>
 */
public final class NetFlowTopology {
    public static final String CHECKPOINTS_STORE = "checkpoints-store";
    /** Distinct checkpoint values kept decoded; the reference data has a few hundred. */
    private static final int CHECKPOINTS_DECODED = 4096;

    private NetFlowTopology() {
    }

    public static Topology build(BorderflowConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        addTo(builder, config);
        return builder.build();
    }

    /** Adds the net-flow and daily-count stages with their own sources; returns the final windows. */
    public static KStream<String, NetFlowWindow> addTo(StreamsBuilder builder, BorderflowConfig config) {
        return addTo(builder, config, crossingsSource(builder), iinSource(builder), registrationsSource(builder));
    }

    /** The input topics as raw bytes: one source per topic, shared by every topology of an app. */
    public static KStream<byte[], byte[]> crossingsSource(StreamsBuilder builder) {
        return builder.stream(Topics.CROSSINGS.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("crossings-source"));
    }

    public static KStream<byte[], byte[]> iinSource(StreamsBuilder builder) {
        return builder.stream(Topics.IIN_APPLICATIONS.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("iin-source"));
    }

    public static KStream<byte[], byte[]> registrationsSource(StreamsBuilder builder) {
        return builder.stream(Topics.REGISTRATIONS.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("registrations-source"));
    }

    /** Adds the net-flow and daily-count stages to given sources; returns the final windows. */
    public static KStream<String, NetFlowWindow> addTo(StreamsBuilder builder, BorderflowConfig config,
                                                       KStream<byte[], byte[]> crossings, KStream<byte[], byte[]> iin,
                                                       KStream<byte[], byte[]> registrations) {
        FlowSettings settings = FlowSettings.from(config);
        Serde<FlowDelta> deltaSerde = AvroSerde.of(FlowDelta.class);

        // Each distinct value decoded once: decoding it again on every crossing was 1.7 % of the stream threads.
        // Kafka Streams gives a global table's store the serdes of its Consumed, so this is where it goes.
        Serde<Checkpoint> checkpointSerde = MemoizedSerde.of(AvroSerde.of(Checkpoint.class), CHECKPOINTS_DECODED);
        builder.globalTable(Topics.CHECKPOINTS.name(),
                Consumed.with(Serdes.String(), checkpointSerde).withName("checkpoints-source"),
                // In memory: a few hundred checkpoints, looked up for every crossing (a RocksDB get each was 2.5 %
                // of the stream thread); a global store is rebuilt from its topic at every start anyway.
                Materialized.<String, Checkpoint>as(Stores.inMemoryKeyValueStore(CHECKPOINTS_STORE))
                        .withKeySerde(Serdes.String()).withValueSerde(checkpointSerde));
        // Written behind: an open batch is rewritten with every id, and reaches RocksDB and the changelog once a
        // commit.
        builder.addStateStore(WriteBehindWindowStore.builder(Stores.windowStoreBuilder(
                Stores.persistentWindowStore(FlowGate.DEDUPE_STORE, FlowGate.dedupeRetention(settings.dedupeHorizon()),
                        java.time.Duration.ofMillis(1), false),
                Serdes.Bytes(), Serdes.ByteArray())
                // A window store's changelog is deleted by retention measured on record timestamps:
                // replayed 2022 event times would be deleted on arrival (and with them the producer
                // state Kafka keeps for exactly-once). The store itself still expires by stream time.
                .withLoggingEnabled(Map.of("retention.ms", "-1"))));
        builder.addStateStore(WriteBehindKeyValueStore.persistent(FlowGate.PARTIALS_STORE,
                Serdes.Bytes(), Serdes.ByteArray()));
        addWindowStores(builder, NetFlowAggregator.STORE_PREFIX);
        builder.addStateStore(WriteBehindKeyValueStore.persistent(NetFlowAggregator.PRESENT_STORE,
                Serdes.String(), Serdes.Long()));
        addWindowStores(builder, DailyCountAggregator.STORE_PREFIX);
        builder.addStateStore(WriteBehindKeyValueStore.persistent(CountGate.PARTIALS_STORE,
                Serdes.Bytes(), Serdes.ByteArray()));

        Map<String, KStream<String, SpecificRecord>> gated = crossings
                .process(() -> new FlowGate(settings.dedupeHorizon(), settings.liveInterval(), settings.hourGrace(),
                                CHECKPOINTS_STORE,
                                settings.zone()), Named.as("flow-gate"),
                        FlowGate.DEDUPE_STORE, FlowGate.PARTIALS_STORE)
                .split(Named.as("flow-gate-"))
                .branch((k, v) -> v instanceof DeadLetter, Branched.as("rejected"))
                .defaultBranch(Branched.as("accepted"));
        gated.get("flow-gate-rejected").to(NetFlowTopology::problemTopic,
                Produced.with(Serdes.String(), AnyRecordSerializer.serde()).withName("flow-rejected-sink"));

        KStream<String, SpecificRecord> flowResults = gated.get("flow-gate-accepted")
                .mapValues(v -> (FlowDelta) v, Named.as("flow-as-delta"))
                // One aggregating task: its final windows come out in window order, which the alert
                // stage relies on; the dimension keys are few (the national key is one anyway).
                .repartition(Repartitioned.<String, FlowDelta>as("flow-by-dimension")
                        .withKeySerde(Serdes.String()).withValueSerde(deltaSerde)
                        .withNumberOfPartitions(1)
                        .withStreamPartitioner(new WatermarkBroadcast<>()))
                .process(() -> new NetFlowAggregator(settings), Named.as("flow-aggregate"),
                        storeNames(NetFlowAggregator.STORE_PREFIX, NetFlowAggregator.PRESENT_STORE));
        flowResults.to(NetFlowTopology::resultTopic,
                Produced.with(Serdes.String(), AnyRecordSerializer.serde()).withName("flow-results-sink"));

        KStream<byte[], byte[]> counted = iin.merge(registrations, Named.as("count-inputs"));
        Map<String, KStream<String, SpecificRecord>> countGated = counted
                .process(() -> new CountGate(settings.zone()), Named.as("count-gate"), CountGate.PARTIALS_STORE)
                .split(Named.as("count-gate-"))
                .branch((k, v) -> v instanceof DeadLetter, Branched.as("rejected"))
                .defaultBranch(Branched.as("accepted"));
        countGated.get("count-gate-rejected").to(NetFlowTopology::problemTopic,
                Produced.with(Serdes.String(), AnyRecordSerializer.serde()).withName("count-rejected-sink"));
        countGated.get("count-gate-accepted")
                .mapValues(CountGate::count, Named.as("count-as-number"))
                .repartition(Repartitioned.<String, Long>as("count-by-key")
                        .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long())
                        .withStreamPartitioner(new WatermarkBroadcast<>()))
                .process(() -> new DailyCountAggregator(new FlowSettings(settings.zone(), settings.hourGrace(),
                                settings.dayGrace(), settings.dedupeHorizon(), settings.correctionsKept(),
                                java.time.Duration.ZERO)),
                        Named.as("count-aggregate"), storeNames(DailyCountAggregator.STORE_PREFIX))
                .to(Topics.DAILY_COUNTS.name(),
                        Produced.with(Serdes.String(), AnyRecordSerializer.serde()).withName("count-results-sink"));

        return flowResults
                .filter((k, v) -> v instanceof NetFlowWindow w && w.getFinal$() && w.getRevision() == 0,
                        Named.as("flow-finals"))
                .mapValues(v -> (NetFlowWindow) v, Named.as("flow-finals-typed"));
    }

    private static void addWindowStores(StreamsBuilder builder, String prefix) {
        for (String name : new String[] {prefix + "-open-windows", prefix + "-closed-windows"}) {
            // Written behind: a window is updated by every record that falls in it, and the buffer turns
            // those updates into one RocksDB write and one changelog record per commit.
            builder.addStateStore(WriteBehindKeyValueStore.persistent(name, Serdes.Bytes(), Serdes.ByteArray()));
        }
        builder.addStateStore(WriteBehindKeyValueStore.persistent(prefix + "-control", Serdes.String(), Serdes.Long()));
    }

    private static String[] storeNames(String prefix, String... more) {
        String[] base = {prefix + "-open-windows", prefix + "-closed-windows", prefix + "-control"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** Dead letters go to the dead-letter topic; an unknown checkpoint is counted, so it is data quality. */
    static String problemTopic(String key, SpecificRecord value, org.apache.kafka.streams.processor.RecordContext ctx) {
        DeadLetter d = (DeadLetter) value;
        return "UNKNOWN_CHECKPOINT".equals(d.getReason()) ? Topics.DATA_QUALITY.name() : Topics.DEAD_LETTERS.name();
    }

    static String resultTopic(String key, SpecificRecord value, org.apache.kafka.streams.processor.RecordContext ctx) {
        if (value instanceof NetFlowWindow w) {
            if (!w.getFinal$()) {
                return Topics.NET_FLOWS_LIVE.name();
            }
            return w.getRevision() == 0 ? Topics.NET_FLOWS.name() : Topics.NET_FLOW_CORRECTIONS.name();
        }
        if (value instanceof PresentStock) {
            return Topics.PRESENT_STOCK.name();
        }
        if (value instanceof DeadLetter) {
            return Topics.LATE_EVENTS.name();
        }
        if (value instanceof DailyCount) {
            return Topics.DAILY_COUNTS.name();
        }
        throw new IllegalStateException("no topic for " + value.getClass().getSimpleName());
    }

    /**
     * Sends watermark markers (keys starting with {@code ~}) to every partition, so each
     * aggregator task sees stream time move; everything else is hashed as Kafka does by default.
     */
    static final class WatermarkBroadcast<V> implements StreamPartitioner<String, V> {
        @Override
        public Optional<Set<Integer>> partitions(String topic, String key, V value, int numPartitions) {
            if (key != null && key.startsWith("~")) {
                return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
            }
            byte[] bytes = Serdes.String().serializer().serialize(topic, key);
            return Optional.of(Set.of(Utils.toPositive(Utils.murmur2(bytes)) % numPartitions));
        }
    }
}
