package io.borderflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeConfigsResult;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

class TopicAdminTest {
    private final BorderflowConfig config = BorderflowConfig.defaults();

    @Test
    void newTopicCarriesPartitionsReplicationAndConfigs() {
        NewTopic crossings = TopicAdmin.newTopic(Topics.CROSSINGS, config);
        assertEquals("border.crossings.v1", crossings.name());
        assertEquals(4, crossings.numPartitions());
        assertEquals(1, crossings.replicationFactor());
        assertEquals(Map.of("retention.ms", "-1"), crossings.configs());

        NewTopic checkpoints = TopicAdmin.newTopic(Topics.CHECKPOINTS,
                config.with(Map.of(BorderflowConfig.TOPIC_PARTITIONS, "12", BorderflowConfig.TOPIC_REPLICATION, "3")));
        assertEquals(1, checkpoints.numPartitions());
        assertEquals(3, checkpoints.replicationFactor());
        assertEquals(Map.of("cleanup.policy", "compact"), checkpoints.configs());
    }

    @Test
    void summariseSplitsCreatedAndExistingAndFlagsPartitionMismatch() {
        List<TopicSpec> specs = List.of(Topics.CROSSINGS, Topics.CHECKPOINTS, Topics.ALERTS);
        TopicAdmin.Result r = TopicAdmin.summarise(specs, config, List.of("border.alerts.v1"),
                Map.of("border.crossings.v1", 6, "border.checkpoints.v1", 1), Map.of());
        assertEquals(List.of("border.alerts.v1"), r.created());
        assertEquals(List.of("border.crossings.v1", "border.checkpoints.v1"), r.existing());
        assertEquals(List.of("topic border.crossings.v1 has 6 partitions, the config wants 4"
                + " (left as is; Kafka cannot remove partitions)"), r.warnings());
        assertTrue(r.hasWarnings());
    }

    @Test
    void fewerPartitionsThanWantedExplainsWhyNothingIsAdded() {
        String w = TopicAdmin.partitionMismatch("t", 2, 4);
        assertEquals("topic t has 2 partitions, the config wants 4 (left as is; per-key order would break"
                + " if partitions were added)", w);
    }

    @Test
    void summariseFlagsConfigDriftOnlyForDeclaredKeys() {
        Map<String, Map<String, String>> configs = Map.of(
                "border.crossings.v1", Map.of("retention.ms", "604800000", "segment.bytes", "1073741824"),
                "border.checkpoints.v1", Map.of("cleanup.policy", "compact", "retention.ms", "604800000"));
        TopicAdmin.Result r = TopicAdmin.summarise(List.of(Topics.CROSSINGS, Topics.CHECKPOINTS), config, List.of(),
                Map.of("border.crossings.v1", 4, "border.checkpoints.v1", 1), configs);
        // Compacted topics declare no retention, so only the crossings topic is flagged.
        assertEquals(List.of("topic border.crossings.v1 has retention.ms=604800000, the config wants -1 (left as is)"),
                r.warnings());
    }

    @Test
    void resultIsImmutable() {
        List<String> created = new ArrayList<>(List.of("a"));
        TopicAdmin.Result r = new TopicAdmin.Result(created, List.of(), List.of());
        created.add("b");
        assertEquals(List.of("a"), r.created());
        assertThrows(UnsupportedOperationException.class, () -> r.created().add("c"));
        assertFalse(r.hasWarnings());
    }

    // ---------------------------------------------------------------- ensureTopics on a fake Admin

    @Test
    void createsMissingToleratesRaceAndWarnsOnMismatch() {
        FakeAdmin fake = new FakeAdmin();
        fake.existing.put("border.crossings.v1", 2);               // exists, too few partitions
        fake.configs.put("border.crossings.v1", Map.of("retention.ms", "-1"));
        fake.raceOnCreate.put("border.registrations.v1", 4);       // created by someone else meanwhile
        fake.configs.put("border.registrations.v1", Map.of("retention.ms", "-1"));

        TopicAdmin.Result r = TopicAdmin.ensureTopics(fake.admin(), Topics.REPLAY, config);

        assertEquals(List.of("border.iin-applications.v1", "border.checkpoints.v1"), r.created());
        assertEquals(List.of("border.crossings.v1", "border.registrations.v1"), r.existing());
        assertEquals(List.of("topic border.crossings.v1 has 2 partitions, the config wants 4"
                + " (left as is; per-key order would break if partitions were added)"), r.warnings());

        Map<String, NewTopic> created = fake.createRequests;
        assertEquals(Set.of("border.registrations.v1", "border.iin-applications.v1", "border.checkpoints.v1"),
                created.keySet());
        assertEquals(Map.of("retention.ms", "-1"), created.get("border.iin-applications.v1").configs());
        assertEquals(Map.of("cleanup.policy", "compact"), created.get("border.checkpoints.v1").configs());
        assertEquals(1, created.get("border.checkpoints.v1").numPartitions());

        // Waited for a serving leader on every partition of every topic (2 + 4 + 4 + 1).
        assertEquals(11, fake.listOffsetsRequests.size());
        assertTrue(fake.listOffsetsRequests.contains(new TopicPartition("border.crossings.v1", 1)));
        assertFalse(fake.listOffsetsRequests.contains(new TopicPartition("border.crossings.v1", 2)));
    }

    @Test
    void nothingToCreateMakesNoCreateCall() {
        FakeAdmin fake = new FakeAdmin();
        for (TopicSpec spec : Topics.ALL) {
            fake.existing.put(spec.name(), spec.partitions(config));
        }
        TopicAdmin.Result r = TopicAdmin.ensureTopics(fake.admin(), Topics.ALL, config);
        assertEquals(List.of(), r.created());
        assertEquals(Topics.ALL.size(), r.existing().size());
        assertEquals(List.of(), r.warnings());
        assertEquals(0, fake.createCalls);
    }

    @Test
    void duplicateSpecsAreHandledOnce() {
        FakeAdmin fake = new FakeAdmin();
        TopicAdmin.Result r = TopicAdmin.ensureTopics(fake.admin(), List.of(Topics.ALERTS, Topics.ALERTS), config);
        assertEquals(List.of("border.alerts.v1"), r.created());
        assertEquals(1, fake.createRequests.size());
    }

    @Test
    void creationFailureIsOneLineConfigException() {
        FakeAdmin fake = new FakeAdmin();
        fake.failOnCreate = new InvalidReplicationFactorException(
                "Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached"
                        + " because only 1 broker(s) are registered.\nmore detail");
        ConfigException e = assertThrows(ConfigException.class,
                () -> TopicAdmin.ensureTopics(fake.admin(), List.of(Topics.ALERTS), config));
        assertEquals("topics: cannot create topic border.alerts.v1: Unable to replicate the partition 3 time(s):"
                + " The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.",
                e.getMessage());
    }

    @Test
    void deniedDescribeConfigsIsAWarningNotAFailure() {
        FakeAdmin fake = new FakeAdmin();
        fake.existing.put("border.alerts.v1", 4);
        fake.denyDescribeConfigs = true;
        TopicAdmin.Result r = TopicAdmin.ensureTopics(fake.admin(), List.of(Topics.ALERTS), config);
        assertEquals(List.of("border.alerts.v1"), r.existing());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).startsWith("topic border.alerts.v1: configs not checked (topics: cannot"
                + " describe the configs of topic border.alerts.v1: "), r.warnings().get(0));
    }

    /** An {@link Admin} that answers the four calls {@code ensureTopics} makes, from maps. */
    private static final class FakeAdmin {
        final Map<String, Integer> existing = new HashMap<>();
        final Map<String, Integer> raceOnCreate = new HashMap<>();
        final Map<String, Map<String, String>> configs = new HashMap<>();
        final Map<String, NewTopic> createRequests = new LinkedHashMap<>();
        final List<TopicPartition> listOffsetsRequests = new ArrayList<>();
        RuntimeException failOnCreate;
        boolean denyDescribeConfigs;
        int createCalls;

        Admin admin() {
            return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "describeTopics" -> describeTopics(names(args[0]));
                        case "createTopics" -> createTopics(newTopics(args[0]));
                        case "describeConfigs" -> describeConfigs(resources(args[0]));
                        case "listOffsets" -> listOffsets(offsetRequest(args[0]));
                        case "close" -> null;
                        case "toString" -> "FakeAdmin";
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private DescribeTopicsResult describeTopics(Collection<String> names) {
            Map<String, KafkaFuture<TopicDescription>> futures = new LinkedHashMap<>();
            for (String name : names) {
                Integer partitions = existing.get(name);
                futures.put(name, partitions == null
                        ? failed(new UnknownTopicOrPartitionException("This server does not host this topic-partition."))
                        : KafkaFuture.completedFuture(description(name, partitions)));
            }
            return new DescribeTopicsResult(null, futures) { };
        }

        private CreateTopicsResult createTopics(Collection<NewTopic> topics) {
            createCalls++;
            Map<String, KafkaFuture<CreateTopicsResult.TopicMetadataAndConfig>> futures = new LinkedHashMap<>();
            for (NewTopic t : topics) {
                createRequests.put(t.name(), t);
                if (failOnCreate != null) {
                    futures.put(t.name(), failed(failOnCreate));
                } else if (raceOnCreate.containsKey(t.name())) {
                    existing.put(t.name(), raceOnCreate.get(t.name()));
                    futures.put(t.name(), failed(new TopicExistsException("Topic '" + t.name() + "' already exists.")));
                } else {
                    existing.put(t.name(), t.numPartitions());
                    futures.put(t.name(), KafkaFuture.completedFuture(null));
                }
            }
            return new CreateTopicsResult(futures) { };
        }

        private DescribeConfigsResult describeConfigs(Collection<ConfigResource> resources) {
            Map<ConfigResource, KafkaFuture<Config>> futures = new LinkedHashMap<>();
            for (ConfigResource r : resources) {
                if (denyDescribeConfigs) {
                    futures.put(r, failed(new TopicAuthorizationException("Not authorized to access topics: ["
                            + r.name() + "]")));
                } else {
                    List<ConfigEntry> entries = new ArrayList<>();
                    configs.getOrDefault(r.name(), Map.of()).forEach((k, v) -> entries.add(new ConfigEntry(k, v)));
                    futures.put(r, KafkaFuture.completedFuture(new Config(entries)));
                }
            }
            return new DescribeConfigsResult(futures) { };
        }

        private ListOffsetsResult listOffsets(Map<TopicPartition, OffsetSpec> request) {
            Map<TopicPartition, KafkaFuture<ListOffsetsResult.ListOffsetsResultInfo>> futures = new LinkedHashMap<>();
            for (TopicPartition tp : request.keySet()) {
                listOffsetsRequests.add(tp);
                futures.put(tp, KafkaFuture.completedFuture(
                        new ListOffsetsResult.ListOffsetsResultInfo(0L, -1L, java.util.Optional.empty())));
            }
            return new ListOffsetsResult(futures);
        }

        private static TopicDescription description(String name, int partitions) {
            Node node = new Node(1, "127.0.0.1", 9092);
            List<TopicPartitionInfo> infos = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                infos.add(new TopicPartitionInfo(p, node, List.of(node), List.of(node)));
            }
            return new TopicDescription(name, false, infos);
        }

        private static <T> KafkaFuture<T> failed(Throwable t) {
            KafkaFutureImpl<T> f = new KafkaFutureImpl<>();
            f.completeExceptionally(t);
            return f;
        }

        @SuppressWarnings("unchecked")
        private static Collection<String> names(Object arg) {
            return (Collection<String>) arg;
        }

        @SuppressWarnings("unchecked")
        private static Collection<NewTopic> newTopics(Object arg) {
            return (Collection<NewTopic>) arg;
        }

        @SuppressWarnings("unchecked")
        private static Collection<ConfigResource> resources(Object arg) {
            return (Collection<ConfigResource>) arg;
        }

        @SuppressWarnings("unchecked")
        private static Map<TopicPartition, OffsetSpec> offsetRequest(Object arg) {
            return (Map<TopicPartition, OffsetSpec>) arg;
        }
    }
}
