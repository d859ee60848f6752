package io.borderflow.alert;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.metrics.BorderMetrics;
import io.borderflow.serde.AvroSerde;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The alerting stage: final net-flow windows in, {@link Alert}s out to {@code border.alerts.v1}
 * keyed by {@code rule|key}.
 *
 * <p>Names are part of the upgrade contract (changing one orphans state or an internal topic):
 * <pre>
 *   alert-finals-only                 filter: final windows only
 *   alert-input                       repartition to ONE partition (topic &lt;app&gt;-alert-input-repartition),
 *                                     so one evaluator sees every key and a single stream time
 *   alert-evaluate                    the processor, with store alert-state
 *   alert-state                       RocksDB key-value store (String rule|key -&gt; RuleState bytes,
 *                                     plus "#stream-time|1h" / "#stream-time|1d"), changelogged
 *   alert-sink                        to border.alerts.v1
 *   alert-net-flows-source            (only in {@link #build}) from border.net-flows.v1
 * </pre>
 */
public final class AlertTopology {
    public static final String FINALS_FILTER = "alert-finals-only";
    public static final String REPARTITION = "alert-input";
    public static final String PROCESSOR = "alert-evaluate";
    public static final String STORE = "alert-state";
    public static final String SINK = "alert-sink";
    public static final String SOURCE = "alert-net-flows-source";

    private AlertTopology() {
    }

    /** Adds the alert stage reading {@code finals} (keyed "DIMENSION:key") to {@code builder}. */
    public static void addTo(StreamsBuilder builder, KStream<String, NetFlowWindow> finals, AlertRules rules) {
        Objects.requireNonNull(rules, "rules");
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), Serdes.ByteArray()));
        finals.filter((key, window) -> window != null && window.getFinal$(), Named.as(FINALS_FILTER))
                .repartition(Repartitioned.<String, NetFlowWindow>as(REPARTITION)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(AvroSerde.of(NetFlowWindow.class))
                        .withNumberOfPartitions(1))
                .process(() -> new AlertProcessor(rules), Named.as(PROCESSOR), STORE)
                .to(Topics.ALERTS.name(), Produced.with(Serdes.String(), AvroSerde.of(Alert.class)).withName(SINK));
    }

    /** The alert stage alone, reading finals from {@code border.net-flows.v1}: for tests. */
    public static Topology build(BorderflowConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, NetFlowWindow> finals = builder.stream(Topics.NET_FLOWS.name(),
                Consumed.with(Serdes.String(), AvroSerde.of(NetFlowWindow.class)).withName(SOURCE));
        addTo(builder, finals, AlertRules.fromConfig(config));
        return builder.build();
    }

    /** Runs an {@link AlertEvaluator} over the {@code alert-state} store. */
    static final class AlertProcessor implements Processor<String, NetFlowWindow, String, Alert> {
        private final AlertRules rules;
        private ProcessorContext<String, Alert> context;
        private AlertEvaluator evaluator;
        private final Map<String, Long> firing = new HashMap<>();

        AlertProcessor(AlertRules rules) {
            this.rules = rules;
        }

        @Override
        public void init(ProcessorContext<String, Alert> context) {
            this.context = context;
            KeyValueStore<String, byte[]> store = context.getStateStore(STORE);
            this.evaluator = new AlertEvaluator(rules, new KafkaStore(store));
            // From the (restored) store, so the gauge is right after a restart.
            firing.putAll(evaluator.firingByRule());
            firing.forEach(this::firingGauge);
        }

        @Override
        public void process(Record<String, NetFlowWindow> record) {
            NetFlowWindow window = record.value();
            if (window == null || !window.getFinal$()) {
                return;
            }
            List<Alert> alerts = evaluator.onWindow(window);
            for (Alert alert : alerts) {
                context.forward(new Record<>(AlertEvaluator.stateKey(alert.getRule(), alert.getKey()), alert,
                        record.timestamp()));
                BorderMetrics.global().alert(alert.getRule(), alert.getSeverity().name(), alert.getState().name());
                firingGauge(alert.getRule(), firing.merge(alert.getRule(),
                        alert.getState() == AlertState.RAISED ? 1L : -1L, Long::sum));
            }
        }

        @Override
        public void close() {
            // The task may move to another instance, which then reports these alerts.
            BorderMetrics.global().forgetSource(context.taskId().toString());
        }

        private void firingGauge(String rule, long count) {
            BorderMetrics.global().alertsFiring(context.taskId().toString(), rule,
                    rules.rule(rule).map(r -> r.severity().name()).orElse("unknown"), count);
        }
    }

    /** {@link AlertEvaluator.StateStore} over a Kafka Streams key-value store. */
    static final class KafkaStore implements AlertEvaluator.StateStore {
        private final KeyValueStore<String, byte[]> store;

        KafkaStore(KeyValueStore<String, byte[]> store) {
            this.store = store;
        }

        @Override
        public byte[] get(String key) {
            return store.get(key);
        }

        @Override
        public void put(String key, byte[] value) {
            store.put(key, value);
        }

        @Override
        public void delete(String key) {
            store.delete(key);
        }

        @Override
        public void forEach(BiConsumer<String, byte[]> action) {
            try (KeyValueIterator<String, byte[]> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, byte[]> kv = it.next();
                    action.accept(kv.key, kv.value);
                }
            }
        }
    }
}
