package io.borderflow.kafka;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import io.borderflow.config.TopicSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates borderflow's topics where they are missing and reports drift where they exist.
 * Existing topics are never changed: a partition-count or topic-config mismatch is a warning,
 * not an action.
 */
public final class TopicAdmin {
    /** Upper bound for any one admin round trip. */
    static final long TIMEOUT_SECONDS = 60;

    private TopicAdmin() {
    }

    /** What {@link #ensureTopics} did: created topics, topics that were already there, and warnings. */
    public record Result(List<String> created, List<String> existing, List<String> warnings) {
        public Result {
            created = List.copyOf(created);
            existing = List.copyOf(existing);
            warnings = List.copyOf(warnings);
        }

        public boolean hasWarnings() {
            return !warnings.isEmpty();
        }
    }

    /**
     * Creates the missing topics with their partitions, replication factor and configs
     * ({@link TopicSpec#configs(BorderflowConfig)}), tolerating a concurrent creator; checks the
     * partition count of topics that already exist.
     *
     * @throws ConfigException when a topic cannot be described or created (one-line message)
     */
    public static Result ensureTopics(Admin admin, List<TopicSpec> specs, BorderflowConfig config) {
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec spec : specs) {
            byName.putIfAbsent(spec.name(), spec);
        }
        Map<String, Integer> actualPartitions = describe(admin, byName.keySet());

        List<NewTopic> toCreate = new ArrayList<>();
        for (TopicSpec spec : byName.values()) {
            if (!actualPartitions.containsKey(spec.name())) {
                toCreate.add(newTopic(spec, config));
            }
        }
        List<String> created = new ArrayList<>();
        List<String> raced = new ArrayList<>();
        if (!toCreate.isEmpty()) {
            Map<String, KafkaFuture<Void>> futures = admin.createTopics(toCreate).values();
            for (NewTopic t : toCreate) {
                try {
                    await(futures.get(t.name()), "create topic " + t.name());
                    created.add(t.name());
                } catch (TopicExistsException e) {
                    raced.add(t.name()); // someone else created it between our describe and create
                }
            }
            if (!raced.isEmpty()) {
                actualPartitions.putAll(describe(admin, raced));
            }
        }

        awaitLeaders(admin, byName.keySet(), actualPartitions, created, byName, config);

        List<String> existingNames = new ArrayList<>(byName.keySet());
        existingNames.removeAll(created);
        Map<String, Map<String, String>> actualConfigs = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        describeConfigs(admin, existingNames, actualConfigs, warnings);
        Result r = summarise(byName.values(), config, created, actualPartitions, actualConfigs);
        warnings.addAll(0, r.warnings());
        return new Result(r.created(), r.existing(), warnings);
    }

    /** The topic to create for a spec. */
    static NewTopic newTopic(TopicSpec spec, BorderflowConfig config) {
        return new NewTopic(spec.name(), spec.partitions(config), config.topicReplicationFactor())
                .configs(spec.configs(config));
    }

    /**
     * Builds the result: names not created are existing; an existing topic whose partition count
     * differs from what its spec wants gets a warning, as does a declared topic config (e.g.
     * {@code retention.ms}) with another value. Topics missing from the maps are not checked.
     */
    static Result summarise(Iterable<TopicSpec> specs, BorderflowConfig config, List<String> created,
                            Map<String, Integer> actualPartitions, Map<String, Map<String, String>> actualConfigs) {
        List<String> existing = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (created.contains(spec.name())) {
                continue;
            }
            existing.add(spec.name());
            Integer actual = actualPartitions.get(spec.name());
            int wanted = spec.partitions(config);
            if (actual != null && actual != wanted) {
                warnings.add(partitionMismatch(spec.name(), actual, wanted));
            }
            Map<String, String> have = actualConfigs.get(spec.name());
            if (have != null) {
                spec.configs(config).forEach((key, want) -> {
                    String got = have.get(key);
                    if (got != null && !got.equals(want)) {
                        warnings.add("topic " + spec.name() + " has " + key + "=" + got + ", the config wants " + want
                                + " (left as is)");
                    }
                });
            }
        }
        return new Result(created, existing, warnings);
    }

    static String partitionMismatch(String topic, int actual, int wanted) {
        return "topic " + topic + " has " + actual + " partitions, the config wants " + wanted
                + (actual < wanted
                        ? " (left as is; per-key order would break if partitions were added)"
                        : " (left as is; Kafka cannot remove partitions)");
    }

    /**
     * The current values of existing topics' configs. Best effort: a cluster that denies
     * DescribeConfigs yields a warning, not a failure.
     */
    private static void describeConfigs(Admin admin, List<String> names, Map<String, Map<String, String>> into,
                                        List<String> warnings) {
        if (names.isEmpty()) {
            return;
        }
        List<ConfigResource> resources = new ArrayList<>();
        names.forEach(n -> resources.add(new ConfigResource(ConfigResource.Type.TOPIC, n)));
        Map<ConfigResource, KafkaFuture<Config>> futures = admin.describeConfigs(resources).values();
        for (ConfigResource r : resources) {
            try {
                Config c = await(futures.get(r), "describe the configs of topic " + r.name());
                Map<String, String> values = new LinkedHashMap<>();
                for (ConfigEntry e : c.entries()) {
                    if (e.value() != null) {
                        values.put(e.name(), e.value());
                    }
                }
                into.put(r.name(), values);
            } catch (ConfigException | UnknownTopicOrPartitionException e) {
                warnings.add("topic " + r.name() + ": configs not checked (" + firstLine(e) + ")");
            }
        }
    }

    /**
     * Returns once every partition of the topics has a leader that serves requests (a ListOffsets
     * answer comes from the leader's replica manager, which applies new partitions a moment after
     * the metadata cache shows them).
     *
     * <p>Why: an idempotent producer that writes to a partition the leader has not applied yet can
     * get its first batch refused (NOT_LEADER_OR_FOLLOWER) while a later in-flight batch lands; the
     * first batch then retries with OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms and its
     * records are lost (KAFKA-15591, fixed in Kafka 4.5; reproduced here on 4.3.1).
     */
    private static void awaitLeaders(Admin admin, Iterable<String> names, Map<String, Integer> actualPartitions,
                                     List<String> created, Map<String, TopicSpec> specs, BorderflowConfig config) {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        for (String name : names) {
            Integer count = actualPartitions.get(name);
            if (count == null && created.contains(name)) {
                count = specs.get(name).partitions(config);
            }
            for (int p = 0; count != null && p < count; p++) {
                request.put(new TopicPartition(name, p), OffsetSpec.latest());
            }
        }
        if (request.isEmpty()) {
            return;
        }
        // A topic just created can be unknown to the metadata the admin client fetches next
        // (the controller has it, the broker's metadata cache not yet): ask again until it is known.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (true) {
            try {
                await(admin.listOffsets(request).all(), "find the leaders of " + request.size() + " partitions");
                return;
            } catch (UnknownTopicOrPartitionException e) {
                if (System.nanoTime() > deadline) {
                    throw new ConfigException("topics: partitions still unknown to Kafka after "
                            + TIMEOUT_SECONDS + " s: " + firstLine(e), e);
                }
                sleepBeforeRetry();
            }
        }
    }

    private static void sleepBeforeRetry() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new ConfigException("topics: interrupted while waiting for partition leaders", ie);
        }
    }

    /**
     * Waits until every partition of every existing topic whose name starts with {@code prefix}
     * has a working leader: for topics created by others, e.g. Kafka Streams' internal topics.
     */
    public static void awaitLeadersOfTopicsStartingWith(Admin admin, String prefix) {
        java.util.Set<String> names = await(admin.listTopics().names(), "list topics");
        List<String> matching = names.stream().filter(n -> n.startsWith(prefix)).sorted().toList();
        awaitLeaders(admin, matching, describe(admin, matching), List.of(), Map.of(), null);
    }

    /** Partition counts of the topics that exist; missing topics are absent from the map. */
    private static Map<String, Integer> describe(Admin admin, Iterable<String> names) {
        List<String> list = new ArrayList<>();
        names.forEach(list::add);
        Map<String, Integer> partitions = new LinkedHashMap<>();
        if (list.isEmpty()) {
            return partitions;
        }
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(list).topicNameValues();
        for (String name : list) {
            try {
                TopicDescription d = await(futures.get(name), "describe topic " + name);
                partitions.put(name, d.partitions().size());
            } catch (UnknownTopicOrPartitionException e) {
                // missing: to be created
            }
        }
        return partitions;
    }

    /**
     * Waits for an admin future. Kafka's own error types that callers handle (topic exists, unknown
     * topic) are rethrown as they are; everything else becomes a one-line {@link ConfigException}.
     */
    private static <T> T await(KafkaFuture<T> future, String what) {
        if (future == null) {
            throw new ConfigException("topics: no answer from Kafka to " + what);
        }
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof TopicExistsException tee) {
                throw tee;
            }
            if (cause instanceof UnknownTopicOrPartitionException utp) {
                throw utp;
            }
            throw new ConfigException("topics: cannot " + what + ": " + firstLine(cause), cause);
        } catch (TimeoutException e) {
            throw new ConfigException("topics: no answer from Kafka to " + what + " within " + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigException("topics: interrupted during " + what, e);
        }
    }

    private static String firstLine(Throwable t) {
        String msg = t.getMessage();
        if (msg == null || msg.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int nl = msg.indexOf('\n');
        return nl >= 0 ? msg.substring(0, nl).trim() : msg.trim();
    }
}
