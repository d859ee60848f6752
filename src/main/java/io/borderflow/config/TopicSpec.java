package io.borderflow.config;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * One declared topic: its versioned name, how many partitions it wants (0 = the configured
 * default), the topic-level configs it needs and the Avro type of its values.
 */
public record TopicSpec(String name, int partitions, Map<String, String> configs,
                        Class<? extends SpecificRecord> valueType, String description) {

    public int partitions(BorderflowConfig config) {
        return partitions > 0 ? partitions : config.topicPartitions();
    }

    /** Topic configs with the configured retention applied to non-compacted topics. */
    public Map<String, String> configs(BorderflowConfig config) {
        if ("compact".equals(configs.get("cleanup.policy"))) {
            return configs;
        }
        java.util.Map<String, String> all = new java.util.TreeMap<>(configs);
        all.putIfAbsent("retention.ms", Long.toString(config.topicRetentionMs()));
        return all;
    }
}
