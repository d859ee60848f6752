package io.borderflow.alert;

import static io.borderflow.alert.Windows.ALMATY;
import static io.borderflow.alert.Windows.checkpointHour;
import static io.borderflow.alert.Windows.dayStart;
import static io.borderflow.alert.Windows.national;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.serde.AvroSerde;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertTopologyTest {

    @TempDir
    Path stateDir;

    static final LocalDate D0 = LocalDate.of(2022, 10, 1);

    static Properties props(Path stateDir) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "borderflow-alert-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        return p;
    }

    /** The alert stage alone on a test driver: finals in, alerts out. */
    static final class Harness implements AutoCloseable {
        final TopologyTestDriver driver;
        final TestInputTopic<String, NetFlowWindow> finals;
        final TestOutputTopic<String, Alert> alerts;

        Harness(Topology topology, Path stateDir) {
            driver = new TopologyTestDriver(topology, props(stateDir));
            finals = driver.createInputTopic(Topics.NET_FLOWS.name(), Serdes.String().serializer(),
                    AvroSerde.of(NetFlowWindow.class));
            alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(),
                    AvroSerde.of(Alert.class));
        }

        /** Pipes a final as the net-flow stage would: keyed DIMENSION:key, timestamped at the window end. */
        void pipe(NetFlowWindow w) {
            finals.pipeInput(w.getDimension() + ":" + w.getKey(), w, w.getWindowEnd());
        }

        @Override
        public void close() {
            driver.close();
        }
    }

    @Test
    void everyProcessorStoreAndTopicHasItsContractName() {
        Topology topology = AlertTopology.build(BorderflowConfig.defaults());
        TopologyDescription description = topology.describe();
        String text = description.toString();
        for (String name : List.of("alert-net-flows-source", "alert-finals-only", "alert-input-repartition-filter",
                "alert-input-repartition-sink", "alert-input-repartition-source", "alert-evaluate", "alert-sink")) {
            assertTrue(text.contains("Processor: " + name) || text.contains("Source: " + name)
                    || text.contains("Sink: " + name), name + " in\n" + text);
        }
        assertTrue(text.contains("stores: [alert-state]"), text);
        assertTrue(text.contains("topic: alert-input-repartition"), text);
        assertTrue(text.contains("topic: border.alerts.v1"), text);
        assertTrue(text.contains("topics: [border.net-flows.v1]"), text);
        assertTrue(!text.matches("(?s).*KSTREAM-.*|.*KTABLE-.*"), "no generated names:\n" + text);
    }

    @Test
    void finalsInAlertsOutKeyedByRuleAndKey() {
        try (Harness h = new Harness(AlertTopology.build(BorderflowConfig.defaults()), stateDir)) {
            NetFlowWindow live = national(D0, 13000, 20000);
            live.setFinal$(false);
            h.pipe(live);
            h.pipe(national(D0, 13000, 13000));
            h.pipe(national(D0.plusDays(1), 13000, 15000));
            h.pipe(national(D0.plusDays(2), 13000, 15500));
            h.pipe(national(D0.plusDays(3), 13000, 13200));

            List<KeyValue<String, Alert>> out = h.alerts.readKeyValuesToList();
            assertEquals(2, out.size(), out.toString());
            assertEquals("national-net-outflow-daily|KZ", out.get(0).key);
            assertEquals(AlertState.RAISED, out.get(0).value.getState());
            assertEquals(dayStart(D0.plusDays(1)), out.get(0).value.getStartTime());
            assertNull(out.get(0).value.getEndTime());
            assertEquals("national-net-outflow-daily|KZ", out.get(1).key);
            assertEquals(AlertState.RESOLVED, out.get(1).value.getState());
            assertEquals(dayStart(D0.plusDays(1)), out.get(1).value.getStartTime());
            assertEquals(dayStart(D0.plusDays(3)), out.get(1).value.getEndTime());
            assertEquals(2500.0, out.get(1).value.getValue());

            KeyValueStore<String, byte[]> store = h.driver.getKeyValueStore(AlertTopology.STORE);
            assertTrue(store.persistent(), "RocksDB");
            RuleState st = RuleState.decode(store.get("national-net-outflow-daily|KZ"), AlertRule.Type.NET_OUTFLOW);
            assertNotNull(st);
            assertEquals(false, st.active);
            assertNotNull(store.get(AlertEvaluator.STREAM_TIME_KEY + "1d"));
        }
    }

    @Test
    void silentCheckpointAcrossKeysSharesOneStreamTime() {
        Instant origin = Instant.parse("2022-10-01T00:00:00Z");
        try (Harness h = new Harness(AlertTopology.build(BorderflowConfig.defaults()), stateDir)) {
            for (int hour = 0; hour < 180; hour++) {
                h.pipe(checkpointHour("SYRYM", origin, hour, 6, 6));
                h.pipe(checkpointHour("ALA", origin, hour, 6, 6));
            }
            for (int hour = 180; hour < 190; hour++) {
                h.pipe(checkpointHour("ALA", origin, hour, 6, 6));
            }
            h.pipe(checkpointHour("SYRYM", origin, 190, 6, 6));
            List<KeyValue<String, Alert>> out = h.alerts.readKeyValuesToList();
            assertEquals(List.of("checkpoint-silent|SYRYM RAISED", "checkpoint-silent|SYRYM RESOLVED"),
                    out.stream().map(kv -> kv.key + " " + kv.value.getState()).toList());
            assertEquals(origin.plusSeconds(180 * 3600L), out.get(0).value.getStartTime());
            assertEquals(origin.plusSeconds(190 * 3600L), out.get(1).value.getEndTime());
        }
    }

    @Test
    void aUserRuleFileFromConfig() throws Exception {
        Path rules = stateDir.resolve("rules.yaml");
        Files.writeString(rules, """
                rules:
                  - name: region-out
                    type: net-outflow
                    severity: INFO
                    dimension: REGION
                    window: 1d
                    threshold: 10
                    keys: [Almaty]
                """);
        BorderflowConfig config = BorderflowConfig.defaults().with(AlertRules.RULES_FILE, rules.toString());
        try (Harness h = new Harness(AlertTopology.build(config), stateDir.resolve("state"))) {
            h.pipe(Windows.day(FlowDimension.REGION, "Almaty", D0, 100, 200));
            h.pipe(Windows.day(FlowDimension.REGION, "Astana", D0, 100, 200));
            h.pipe(national(D0, 13000, 20000));
            List<KeyValue<String, Alert>> out = h.alerts.readKeyValuesToList();
            assertEquals(List.of("region-out|Almaty"), out.stream().map(kv -> kv.key).toList());
            assertEquals("REGION", out.get(0).value.getDimension());
        }
    }

    @Test
    void addToWorksOnAnyStreamOfFinals() {
        // The way the net-flow topology plugs the stage in: its own source, this stage's names.
        org.apache.kafka.streams.StreamsBuilder builder = new org.apache.kafka.streams.StreamsBuilder();
        var finals = builder.stream("some-upstream", org.apache.kafka.streams.kstream.Consumed.with(Serdes.String(),
                AvroSerde.of(NetFlowWindow.class)).withName("upstream-source"));
        AlertTopology.addTo(builder, finals, AlertRules.of(ALMATY, List.of(AlertRule.netOutflow("n",
                io.borderflow.avro.Severity.INFO, FlowDimension.NATIONAL, WindowSize.DAY, 0).withKeys(Set.of("KZ")))));
        try (TopologyTestDriver driver = new TopologyTestDriver(builder.build(), props(stateDir))) {
            TestInputTopic<String, NetFlowWindow> in = driver.createInputTopic("some-upstream",
                    Serdes.String().serializer(), AvroSerde.of(NetFlowWindow.class));
            TestOutputTopic<String, Alert> out = driver.createOutputTopic(Topics.ALERTS.name(),
                    Serdes.String().deserializer(), AvroSerde.of(Alert.class));
            in.pipeInput("NATIONAL:KZ", national(D0, 1, 2));
            assertEquals("n|KZ", out.readKeyValue().key);
        }
    }
}
